"""The risk minimisation measures and pharmacovigilance activities of one II.B table."""

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from .references import find_references
from .text import BULLET, NOTHING, join, paragraphs

_KINDS = [
    (
        "legal_status",
        r"\blegal\s+status\b|\bprescription[\s-]+only\b|\bmedicinal\s+product\s+subject|"
        r"^(?:restricted\s+|special\s+)?medical\s+prescription\b|^subject\s+to\s+(?:restricted\s+)?"
        r"medical\s+prescription",
    ),
    ("pack_size", r"^pack\s+size\b|\bpack\s+size\b"),
    (
        "clinical_setting",
        r"^clinical\s+setting\b|\binitiated\s+and\s+supervised\b|\bsupervised\s+by\b|"
        r"\b(?:qualified|specialised|specialized|authori[sz]ed)\s+treatment\s+cent(?:re|er)s?\b|"
        r"\b(?:hospital|infusion\s+cent(?:re|er))\s+setting\b|\brestricted\s+to\s+(?:hospital|"
        r"specialist)",
    ),
]
_ADDITIONAL_KINDS = [
    ("pregnancy_prevention", r"pregnancy\s+prevention"),
    ("controlled_access", r"controlled\s+(?:access|distribution)|restricted\s+distribution"),
    ("dhpc", r"\bDHPC\b|direct\s+health\s*care\s+professional\s+communication"),
    ("educational_material", r"educational|guide\b|check-?\s?list|training|brochure"),
    ("patient_card", r"(?:patient|alert|reminder|wallet)\s+(?:(?:alert|reminder)\s+)?card"),
]
_CROSS_REFERENCE = re.compile(r"^(?:see|refer\s+to|as\s+described\s+in)\b", re.IGNORECASE)
_LABELLED_LINE = re.compile(r"^[A-Z][a-z’']+(?:\s[a-z’']+){0,3}:\s")
_MILESTONE = re.compile(
    r"^(?P<description>(?:planned\s+date\s+for\s+)?[A-Za-z][\w ,/()-]{2,80}?(?:report|data|"
    r"results|submission|protocol|analysis|CSR|completion|start|end|update)s?)\s*"
    r"(?:\(planned\)|\(actual\))?\s*[:\-–]\s*(?P<due>.+)$",
    re.IGNORECASE,
)


def routine_kind(text, references):
    for kind, pattern in _KINDS:
        if re.search(pattern, text, re.IGNORECASE) and not (
            references and kind == "clinical_setting"
        ):
            return kind
    return "labelling" if references or re.search(r"\blabel", text, re.I) else "other"


_CONNECTOR_END = re.compile(
    r"(?:\b(?:and|or|of|the|a|an|in|on|for|to|with|by|at|from|as|including|is|are|be|see|"
    r"per|than|that|which|within|into|under)|[,(/-])$",
    re.IGNORECASE,
)


def items_on_lines(lines):
    """Lines of a cell that each hold one item ("SmPC section 4.4" / "PL section 2" /
    "Restricted medical prescription") marked as bullets; a line that goes on from the one
    before (it starts in lower case, or the line before ends with "and", "of", a comma ...)
    stays part of it. Cells with bullets or labels ("Educational material:") are left as they
    are."""
    filled = [line for line in lines if line]
    if any(line.startswith(BULLET) or line.rstrip().endswith(":") for line in filled):
        return lines
    out, previous = [], ""
    for line in lines:
        starts_item = (
            line
            and line[:1].isupper()
            and not re.match(r"^sections?\s+\d", line, re.IGNORECASE)
            and not _CONNECTOR_END.search(previous)
            and previous.count("(") <= previous.count(")")
        )
        out.append(BULLET + line if starts_item else line)
        previous = line  # a blank line: the next line starts a paragraph anyway
    if sum(1 for line in out if line.startswith(BULLET)) < 2:
        return lines  # one item: nothing to split
    return out


def parse_routine(lines):
    """One routine measure per bullet or paragraph, with its section references."""
    measures, warnings = [], []
    for item in paragraphs(items_on_lines(lines), starts=_LABELLED_LINE):
        text = item.text.strip()
        if not text or NOTHING.match(text):
            continue
        found = find_references(text)
        for guess in found.guesses:
            warnings.append(f"Routine measure “{text[:60]}…”: {guess}.")
        measures.append(
            {
                "kind": routine_kind(text, found.references),
                "text": text,
                "references": found.labels,
            }
        )
    return measures, warnings


@dataclass
class AdditionalMeasure:
    name: str
    kind: str
    description: str = ""
    warnings: list = field(default_factory=list)

    @property
    def key(self):
        if self.kind != "other" and self._core() in {"educational materials", "patient card"}:
            return self.kind
        return f"{self.kind}-{slugify(self._core())[:60]}"

    def _core(self):
        core = re.sub(r"\(.*", "", self.name).strip().lower()
        return re.sub(r"^(?:updated|revised|new)\s+", "", core)

    def as_data(self):
        return {
            "key": self.key,
            "kind": self.kind,
            "name": self.name,
            "description": self.description,
            "warnings": self.warnings,
        }


def additional_kind(text):
    for kind, pattern in _ADDITIONAL_KINDS:
        if re.search(pattern, text, re.IGNORECASE):
            return kind
    return "other"


def parse_additional(lines):
    items = paragraphs(items_on_lines(lines))
    measures = []
    index = 0
    while index < len(items):
        item = items[index]
        text = item.text.strip()
        index += 1
        if not text or NOTHING.match(text) or re.match(r"^objectives?\b|^rationale\b", text, re.I):
            continue
        if text.endswith(":") and index < len(items) and items[index].bullet:
            parts = []
            while index < len(items) and items[index].bullet:
                parts.append(items[index].text.strip().rstrip(";."))
                index += 1
            text = f"{text[:-1].strip()} ({', '.join(parts)})"
        measures.append(
            AdditionalMeasure(name=measure_name(text), kind=additional_kind(text), description=text)
        )
    for measure in measures:
        if measure.description == measure.name or measure.description.rstrip(".") == measure.name:
            measure.description = ""
    return measures


def measure_name(text):
    """ "Updated Educational materials (ie, HCP guide, ...), planned to ..." -> its name."""
    name = re.sub(r"^(?:updated|revised|new)\s+", "", text.strip(), flags=re.IGNORECASE)
    name = name[:1].upper() + name[1:]
    depth, cut = 0, None
    for position, char in enumerate(name):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                cut = position + 1
                break
        elif (depth == 0 and char in ",:;") or (depth == 0 and name[position:].startswith(". ")):
            cut = position
            break
    if cut is not None:
        name = name[:cut]
    name = re.sub(r"\(\s*(?:ie|i\.e\.)\s*,?\s*", "(", name, flags=re.IGNORECASE)
    return name.strip().rstrip(".")[:300]


@dataclass
class Activity:
    name: str
    milestones: list = field(default_factory=list)  # [(description, due)]


def parse_activities(lines):
    """Study names, each followed by its milestones ("Final report: Q3 2024"), one per line."""
    activities = []
    for line in lines:
        text = line.strip().removeprefix(BULLET).strip()
        if not text or NOTHING.match(text) or _CROSS_REFERENCE.match(text):
            continue
        milestone = is_milestone(text)
        if milestone and activities:
            activities[-1].milestones.append(milestone_parts(milestone))
            continue
        if activities and (text[:1].islower() or text[:1] in "(≥>"):
            last = activities[-1]
            if last.milestones:
                description, due = last.milestones[-1]
                last.milestones[-1] = (description, f"{due} {text}".rstrip("."))
            else:
                last.name = join(last.name, text)
            continue
        name, _, rest = text.partition(":") if _looks_named(text) else (text, "", "")
        activity = Activity(name=name.strip().rstrip("."))
        if rest.strip():
            inner = _MILESTONE.match(rest.strip())
            if inner:
                activity.milestones.append(milestone_parts(inner))
        activities.append(activity)
    return activities


def _looks_named(text):
    head = text.partition(":")[0]
    return ":" in text and len(head.split()) <= 6 and not _MILESTONE.match(text)


# Words that open a milestone's description ("Interim report", "Final study report").
_OPENERS = re.compile(
    r"\b(?:Interim|Final|Progress|Annual|Protocol|Primary|Feasibility|Updated|Submission)\b"
)


def _trim_description(description):
    """ "Hepatotoxicity Ongoing Interim report" (table cells run together) -> "Interim report":
    capitalised words before the last opening word belong to other cells."""
    openers = list(_OPENERS.finditer(description))
    if not openers or openers[-1].start() == 0:
        return description
    before = description[: openers[-1].start()].split()
    if before and all(word[:1].isupper() for word in before):
        return description[openers[-1].start() :]
    return description


def milestone_parts(match):
    description = re.sub(
        r"^planned\s+date\s+for\s+", "", match.group("description").strip(), flags=re.I
    )
    description = _trim_description(description)
    description = description[:1].upper() + description[1:]
    due = " ".join(match.group("due").split()).rstrip(".")
    return description, due


# A milestone without a colon, when what follows is plainly a date: "Interim report Q1 2026".
_BARE_MILESTONE = re.compile(
    r"^(?P<description>[A-Za-z][\w ,/()-]{2,60}?(?:report|data|results|analysis|CSR)s?)\s+"
    r"(?P<due>(?:Q[1-4]\s+\d{4}|(?:\d{1,2}\s+)?(?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December)\s+\d{4}|(?:19|20)\d{2}))\.?$"
)


def is_milestone(text):
    return _MILESTONE.match(text) or _BARE_MILESTONE.match(text)


_MILESTONES_LABEL = re.compile(r"^milestones?\s*(?:and\s+due\s+dates?)?\s*:\s*", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[^\s.])\.\s+(?=[A-Z])|;\s+")


def milestones_in(text):
    """The (description, due) pairs of a text made only of milestones ("Milestones: Interim
    report: Q2 2026. Final report: 2031"); [] when any part of it is something else."""
    text = _MILESTONES_LABEL.sub("", text.strip())
    found = []
    for piece in _SENTENCE_BREAK.split(text):
        match = is_milestone(piece.strip().rstrip("."))
        if not match:
            return []
        found.append(milestone_parts(match))
    return found
