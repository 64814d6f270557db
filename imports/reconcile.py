"""After parsing: check that the parts of a summary agree and that none is missing.

A *gap* is something the template requires that the document lacks (a part, the end of a
table): the import is refused unless the curator confirms an incomplete import, and then every
gap is a warning that blocks submission until resolved. Smaller disagreements between parts
(a listed concern without its II.B table, a study without milestones) are warnings on the item.
"""

import re

_OLD_PARTS = [
    (r"summary\s+of\s+safety\s+concerns", "VI.2.4 (summary of safety concerns)"),
    (r"risk\s+minimi[sz]ation\s+measures", "VI.2.5 (summary of risk minimisation measures)"),
    (
        r"post[\s-]*authori[sz]ation\s+development\s+plan",
        "VI.2.6 (planned post-authorisation development plan)",
    ),
]
_CURRENT_PARTS = [
    (("concern_list",), "II.A (list of important risks and missing information)"),
    (("concern_tables",), "II.B (summary of important risks)"),
    (
        ("studies", "studies_imposed", "studies_other"),
        "II.C (post-authorisation development plan)",
    ),
]


def missing_parts(parts, text):
    """The parts the template requires that the document does not have, in words."""
    if parts.old_titles:
        titles = " ".join(parts.old_titles)
        has_list = parts.has_concern_list or re.search(_OLD_PARTS[0][0], text, re.IGNORECASE)
        return [
            f"Part {label} is missing."
            for index, (pattern, label) in enumerate(_OLD_PARTS)
            if not (has_list if index == 0 else re.search(pattern, titles, re.IGNORECASE))
        ]
    return [
        f"Part {label} is missing."
        for names, label in _CURRENT_PARTS
        if not any(name in parts.present for name in names)
    ]


def stops_short(lines, studies, parts):
    """A gap when the document ends mid-sentence (a file cut short): its last line ends in a
    lower-case letter with no full stop; in II.C, when its last study has no milestone."""
    filled = [line for line in lines if line.strip()]
    if not filled:
        return []
    last = filled[-1].strip()
    if not last[-1:].islower():
        return []
    in_studies = parts.present & {"studies", "studies_imposed", "studies_other"} or (
        parts.old_titles and studies
    )
    if not in_studies:
        return [f"The document stops mid-sentence, at “…{last[-50:]}”: the file seems cut short."]
    study = studies[-1] if studies else None
    if study is None or study.milestones:
        return []
    name = study.code or study.short_name or study.title
    return [
        f"The document stops in the middle of the studies, at “…{last[-50:]}”: the file seems "
        f"cut short, and study {name} has no milestone."
    ]


def reconcile(concerns, studies):
    """Warnings on the items where the parts disagree or say nothing."""
    for study in studies:
        if not study.milestones:
            study.warnings.append(
                "No milestone (report and due date) found for this study: add them from the "
                "document."
            )
