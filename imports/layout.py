"""Find the parts of an RMP summary: I (the medicine), II.A, II.B, II.C.1 and II.C.2.

The current template numbers them "I.", "II.A", "II.B", "II.C.1", "II.C.2"; the older public
summary numbers them "VI.2.1" ... "VI.2.6". Headings are recognised at the start of a line in
any order (extraction can move them), and each part runs to the next heading.
"""

import re
from dataclasses import dataclass, field

_HEADINGS = [
    ("medicine", r"(?:I|VI\.2\.[123])\.?\s+\S"),
    ("risks", r"II\.?\s+(?!A\b|B\b|C\b)[a-z]{3,}"),  # not "II D)" wrapped in a cell
    ("concern_list", r"(?:II\.\s?A|VI\.2\.4)\.?\s+\S"),
    ("concern_tables", r"(?:II\.\s?B|VI\.2\.5)\.?\s+\S"),
    ("studies", r"(?:II\.\s?C|VI\.2\.6)\.?\s+(?!\d)\S"),
    ("studies_imposed", r"II\.\s?C\.\s?1\.?\s+\S"),
    ("studies_other", r"II\.\s?C\.\s?2\.?\s+\S"),
    ("end", r"(?:VI\.2\.7|Annex(?:es)?\b|Appendix)\.?\s*\S*"),
]
_PATTERNS = [(name, re.compile(rf"^{pattern}", re.IGNORECASE)) for name, pattern in _HEADINGS]
_OLD_HEADING = re.compile(r"^VI\.2\.\d\.?\s+\S", re.IGNORECASE)
_OLD_LIST_TITLE = re.compile(r"summary\s+of\s+safety\s+concerns", re.IGNORECASE)
_IMPOSED_HINT = re.compile(
    r"conditions?\s+of\s+the\s+marketing\s+authori[sz]ation|specific\s+obligation", re.IGNORECASE
)


@dataclass
class Parts:
    medicine: list = field(default_factory=list)
    concern_list: list = field(default_factory=list)
    concern_tables: list = field(default_factory=list)
    studies_imposed: list = field(default_factory=list)
    studies_other: list = field(default_factory=list)
    has_concern_list: bool = False
    present: set = field(default_factory=set)  # the names of the headings found
    old_titles: list = field(default_factory=list)  # the "VI.2.n ..." headings of the older layout


def _heading(line):
    for name, pattern in _PATTERNS:
        if pattern.match(line) and len(line) < 160:
            if name == "medicine" and not re.match(r"^(?:I\.\s|VI\.2\.[123])", line):
                continue
            return name
    return None


def split_parts(lines):
    marks = []
    for index, line in enumerate(lines):
        name = _heading(line)
        if name and not (name == "medicine" and any(mark[1] == "medicine" for mark in marks)):
            marks.append((index, name))
    parts = Parts()
    parts.present = {name for _, name in marks}
    parts.old_titles = [line for line in lines if _OLD_HEADING.match(line) and len(line) < 160]
    spans = {}
    for position, (index, name) in enumerate(marks):
        end = marks[position + 1][0] if position + 1 < len(marks) else len(lines)
        spans.setdefault(name, []).append(lines[index + 1 : end])
    parts.medicine = _first(spans, "medicine")
    parts.concern_list = _first(spans, "concern_list")
    parts.has_concern_list = bool(spans.get("concern_list"))
    parts.concern_tables = _first(spans, "concern_tables")
    parts.studies_imposed = _first(spans, "studies_imposed")
    parts.studies_other = _first(spans, "studies_other")
    if not parts.studies_imposed and not parts.studies_other:
        studies = _first(spans, "studies")
        if any(_IMPOSED_HINT.search(line) for line in studies[:3]):
            parts.studies_imposed = studies
        else:
            parts.studies_other = studies
    if not parts.medicine:
        parts.medicine = lines[: min(len(lines), 60)]
    if not parts.has_concern_list:
        parts.concern_list = _old_style_list(lines)
        parts.has_concern_list = bool(parts.concern_list)
    return parts


def _first(spans, name):
    return spans.get(name, [[]])[0]


def _old_style_list(lines):
    """A "Summary of safety concerns" table outside a numbered heading."""
    for index, line in enumerate(lines):
        if _OLD_LIST_TITLE.search(line) and len(line) < 80:
            end = index + 1
            while end < len(lines) and _heading(lines[end]) is None:
                end += 1
            return lines[index + 1 : end]
    return []
