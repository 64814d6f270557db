"""Parse the text of an EU RMP summary (RMP part VI) into plan data in the seed format.

The result is what ``risks.services.create_plan`` writes: product fields, safety concerns with
their II.B details, additional measures shared across concerns, and studies with milestones.
Items the parser could not read with confidence carry a ``warnings`` list.
"""

import re
from dataclasses import dataclass, field

from .columns import separate_columns
from .concerns import parse_concern_list
from .extract import ImportRejected
from .layout import split_parts
from .older_layout import is_older_layout, older_parts, parse_older_concerns
from .reconcile import missing_parts, reconcile, stops_short
from .studies import link_activities, parse_studies
from .study_records import link_by_concern_column, read_study_records
from .tables import parse_concern_tables
from .text import clean_lines, is_title_case, normalise_key, paragraphs, sentence_case

_TITLE = re.compile(
    r"summary\s+of\s+(?:the\s+)?risk\s+management\s+plan\s*(?:\(RMP\)\s*)?(?:for|of)\s+"
    r"(?P<name>[^()]+?)\s*\((?P<substance>[^()]+)\)",
    re.IGNORECASE,
)
_WITHDRAWN = re.compile(r"medicinal\s+product\s+no\s+longer\s+authori[sz]ed", re.IGNORECASE)
_EPAR_URL = re.compile(r"https?://www\.ema\.europa\.eu/\S+?(?=[\s)]|\.?\s|\.?$)", re.IGNORECASE)
_VERSION = re.compile(
    r"\bRMP\s+version\s+(?:number\s+)?(\d{1,3}(?:\.\d{1,3}){0,2})\b", re.IGNORECASE
)
_STRENGTH = re.compile(r"\s+\d[\d.,]*\s*(?:mg|g|µg|mcg|micrograms?|ml|mL|IU|units?|%)\b.*$")
_ROUTE_WORDS = {
    "iv": "intravenous",
    "sc": "subcutaneous",
    "im": "intramuscular",
    "oral": "oral",
}


@dataclass
class ParsedSummary:
    product: dict
    plan: dict
    warnings: list = field(default_factory=list)  # plan-level (subject, message)
    # What the template requires and the document lacks: the import is refused unless the
    # curator confirms an incomplete import (then each is a warning that blocks submission).
    gaps: list = field(default_factory=list)


def parse_rmp_summary(text) -> ParsedSummary:
    text = separate_columns(text)
    lines = clean_lines(text)
    parts = split_parts(lines)
    older = older_parts(lines) if is_older_layout(lines) else None
    title = _title(lines) or (_older_title(lines) if older is not None else None)
    if title is None and not parts.has_concern_list:
        raise ImportRejected(
            "This does not look like an RMP summary: it has neither the title “Summary of risk "
            "management plan for … (substance)” nor a list of important risks (section II.A)."
        )
    warnings = []
    name, substances, form = title or ("", [], "")
    if not name:
        warnings.append(
            ("Product", "No title “Summary of risk management plan for NAME (substance)” found.")
        )
    if older is not None:
        concerns, older_warnings = parse_older_concerns(older)
        warnings += older_warnings
        if not concerns:
            raise ImportRejected(
                "No safety concerns found: the summary of safety concerns (part VI.2) has no "
                "table of important risks and missing information."
            )
        measures = _shared_measures(concerns)
        studies = read_study_records(older.get("studies", []), category=3)
    else:
        concerns = _current_concerns(parts, warnings)
        measures = _shared_measures(concerns)
        studies = _studies(parts, concerns)
    link_activities(concerns, studies)
    link_by_concern_column(studies, concerns)
    reconcile(concerns, studies)
    product = {
        "name": name,
        "substances": substances,
        "authorisation_status": _authorisation_status(text, parts.medicine),
        "indication": _indication(parts.medicine, name),
        "route": _route(parts.medicine),
        "pharmaceutical_form": form,
        "source_url": _source_url(text),
    }
    version = _VERSION.search(text)
    plan = {
        "version": version.group(1) if version else None,
        "date": None,
        "source_document": "",
        "source_url": product["source_url"],
        "note": _plan_note(version, studies),
        "additional_measures": measures,
        "safety_concerns": [concern.as_data() for concern in concerns],
        "studies": [study.as_data() for study in studies],
    }
    return ParsedSummary(
        product=product,
        plan=plan,
        warnings=warnings,
        gaps=missing_parts(parts, text) + stops_short(lines, studies, parts),
    )


def _current_concerns(parts, warnings):
    """The II.A list merged with the II.B tables (the current template)."""
    listed, list_warnings = parse_concern_list(parts.concern_list)
    warnings += list_warnings
    if not listed and not parts.concern_tables:
        raise ImportRejected(
            "No safety concerns found: the list of important risks and missing information "
            "(section II.A) is missing or empty."
        )
    tables = parse_concern_tables(parts.concern_tables)
    if listed and not tables:
        warnings.append(
            (
                "II.B (summary of important risks)",
                "No table for any safety concern: evidence, risk factors, measures and studies "
                "of the concerns are not in the import.",
            )
        )
    return _merge(listed, tables)


_OLDER_TITLE = re.compile(
    r"^(?P<name>[A-Z][\w-]+(?:\s[A-Z][\w-]+)?)\s*\((?P<substance>[^()]{3,80})\)\s+"
    r"(?:is|are|contains?|has\s+been)\b"
)


def _older_title(lines):
    """The older summary names the product in its first paragraphs: "NAME (substance) is ..."."""
    for line in lines[:200]:
        match = _OLDER_TITLE.match(line)
        if match:
            substances = [
                " ".join(part.split()).lower()
                for part in re.split(r"\s*(?:/|,|\band\b|\+)\s*", match.group("substance"))
                if part.strip()
            ]
            return match.group("name"), substances, ""
    return None


_PROSE_TEMPLATE = re.compile(
    r"^(?:purposes?\s+of\s+the\s+study|rationale\s+and\s+study\s+objectives?|"
    r"study\s+short\s+name\s+and\s+title)\s*:",
    re.IGNORECASE,
)


def _studies(parts, concerns):
    """The studies of II.C: in the template's prose ("Purpose of the study: ..."), or as
    records wherever they stand (tables, lists, a code opening a paragraph)."""
    names = [activity.name for concern in concerns for activity in concern.activities]
    prose = parse_studies(parts.studies_imposed, category=1) + parse_studies(
        parts.studies_other, category=3
    )
    records = read_study_records(
        parts.studies_imposed, category=1, names=names
    ) + read_study_records(parts.studies_other, category=3, names=names)
    lines = parts.studies_imposed + parts.studies_other
    if any(_PROSE_TEMPLATE.match(line) for line in lines):
        return prose or records
    return records or prose


def _title(lines):
    head = " ".join(line for line in lines[:40] if line)
    match = _TITLE.search(head)
    if not match:
        return None
    full_name = " ".join(match.group("name").split())
    name = _STRENGTH.sub("", full_name)
    form = full_name[len(name) :].strip()
    form = re.sub(r"^\d[\d.,]*\s*\S+\s*", "", form)
    substances = [
        " ".join(part.split()).lower()
        for part in re.split(r"\s*(?:/|,|\band\b|\+)\s*", match.group("substance"))
        if part.strip()
    ]
    return name, substances, form


def _indication(lines, name):
    items = paragraphs(lines, bullets_absorb=False)
    for index, item in enumerate(items):
        match = re.search(r"\bis\s+(?:authori[sz]ed|indicated|used)\b", item.text, re.IGNORECASE)
        if not match:
            continue
        text = item.text
        lead = re.match(
            r".*?\bis\s+(?:authori[sz]ed|indicated|used)\s+(?:for|in)\s+(?:the\s+)?(?P<rest>.+)",
            text,
            re.IGNORECASE,
        )
        if lead:
            rest = lead.group("rest")
            text = rest[:1].upper() + rest[1:]
        text = re.split(r"\s*\bIt\s+contains\b", text)[0].strip()
        bullets = []
        for follower in items[index + 1 :]:
            if not follower.bullet:
                break
            bullets.append("- " + re.split(r"\s*\bIt\s+contains\b", follower.text)[0].strip())
        return "\n".join([text, *bullets]).strip()
    return ""


def _authorisation_status(text, medicine):
    if _WITHDRAWN.search(text):
        return "withdrawn"
    section = " ".join(line for line in medicine if line)
    if re.search(r"\bconditional\s+marketing\s+authori[sz]ation", section, re.IGNORECASE):
        return "conditional"
    if re.search(r"\bexceptional\s+circumstances\b", section, re.IGNORECASE):
        return "exceptional"
    return "authorised"


def _route(lines):
    text = " ".join(line for line in lines if line)
    match = re.search(r"\bgiven\s+(?:by|as\s+an?|via)\s+(?:the\s+)?([^.;]+)", text, re.IGNORECASE)
    if not match:
        return ""
    route = re.sub(r"\s*\([A-Z]{2,4}\)", "", match.group(1)).strip()
    words = [_ROUTE_WORDS.get(word.lower(), word) for word in route.split()]
    words = [word for word in words if word.lower() not in {"route", "administration", "use"}]
    route = " ".join(words).lower()
    return "oral" if route == "mouth" else route


def _source_url(text):
    match = _EPAR_URL.search(text)
    return match.group().rstrip(".,") if match else ""


def _plan_note(version, studies):
    notes = ["Imported from the published RMP summary; review every item against the source."]
    if not version:
        notes.append("The summary states no RMP version and no date.")
    if studies:
        notes.append(
            "Study status is not stated in the summary: each study is recorded as ongoing."
        )
    return "\n\n".join(notes)


def _merge(listed, tables):
    """Combine the II.A list (names, categories, order) with the II.B tables (details)."""
    unmatched = list(tables)
    for concern in listed:
        table = _best_table(concern, unmatched)
        if table is None:
            if not tables:
                continue  # one plan-level warning says so (parse_rmp_summary)
            concern.warnings.append(
                "No table for this concern in II.B (summary of risks): its evidence, risk "
                "factors, measures and studies are not in the import."
            )
            continue
        unmatched.remove(table)
        concern.attach(table)
        concern.name = _preferred_name(concern.name, table.name)
        if table.category and table.category != concern.category:
            concern.warnings.append(
                f"II.A lists it as {concern.category_label}, its II.B table as "
                f"{table.category_label}; the II.A category was kept."
            )
    concerns = list(listed)
    for table in unmatched:
        concern = table.as_concern()
        concern.warnings.append(
            "Found in II.B only (not in the II.A list); category taken from its II.B heading."
        )
        concerns.append(concern)
    order = {"identified": 0, "potential": 1, "missing": 2}
    if any(concern.from_tables_only for concern in concerns):
        concerns.sort(key=lambda concern: order[concern.category])
    seen = set()
    for concern in concerns:
        key = concern.name.casefold()
        if key in seen:
            concern.warnings.append("Listed twice; the second entry needs a distinct name.")
            concern.name = f"{concern.name} ({concern.category})"
        seen.add(concern.name.casefold())
    return concerns


def _best_table(concern, tables):
    key = normalise_key(concern.name)
    best, best_score = None, 0.0
    for table in tables:
        score = _similarity(concern.name, key, table.name)
        if score > best_score:
            best, best_score = table, score
    return best if best_score >= 0.6 else None


def _similarity(name, key, other):
    other_key = normalise_key(other)
    if key == other_key:
        return 1.0
    abbreviation = _abbreviation(name)
    if abbreviation and (abbreviation == _initials(other) or f"({abbreviation})" in other):
        return 0.95
    words, other_words = set(key.split()), set(other_key.split())
    if not words or not other_words:
        return 0.0
    return len(words & other_words) / len(words | other_words)


def _abbreviation(name):
    stripped = name.strip().rstrip(".")
    return stripped if re.fullmatch(r"[A-Z][A-Z0-9-]{1,9}", stripped) else ""


def _initials(text):
    words = re.findall(r"[A-Za-z]+", re.sub(r"\([^)]*\)", "", text))
    return "".join(word[0].upper() for word in words if word.lower() not in {"and", "of", "the"})


def _preferred_name(listed, heading):
    """The II.B heading, in the sentence case of whichever source writes it so.

    The II.A name is kept when the heading only re-capitalises it; an abbreviation that either
    adds ("Autoimmune hepatitis" + "(AIH)") is kept; a bare abbreviation in II.A is spelled out
    from the heading ("PML" -> "Progressive multifocal leukoencephalopathy (PML)").
    """
    heading = heading.strip()
    abbreviation = _abbreviation(listed)
    if abbreviation:
        if f"({abbreviation})" in heading:
            return heading
        return f"{sentence_case(heading)} ({abbreviation})"
    if is_title_case(heading) and not is_title_case(listed):
        added = re.search(r"\(([A-Z][A-Za-z0-9/-]{1,10})\)\s*$", heading)
        if added and added.group() not in listed:
            return f"{listed} {added.group().strip()}"
        return listed
    return heading


def _shared_measures(concerns):
    """Additional measures defined once per plan (first wording kept); concerns link by key."""
    measures = {}
    for concern in concerns:
        for measure in concern.additional_measures:
            measures.setdefault(measure.key, measure)
        keys = [measure.key for measure in concern.additional_measures]
        concern.additional_measure_keys = list(dict.fromkeys(keys))
    return [measure.as_data() for measure in measures.values()]
