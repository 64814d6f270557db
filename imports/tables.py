"""The II.B tables of a summary: one per safety concern, with its evidence, risk factors,
routine and additional measures and additional pharmacovigilance activities."""

import re
from dataclasses import dataclass, field

from .concerns import (
    CATEGORIES,
    CONNECTOR_END,
    FOOTNOTE,
    HEADING,
    Concern,
    category_of,
    clean_name,
    strip_marker,
)
from .measures import parse_activities, parse_additional, parse_routine
from .text import ABBREVIATION_LINE, BULLET, TABLE_CAPTION, as_text, ends_sentence, join, paragraphs

_FIELD_LABELS = [
    ("evidence", r"evidence\s+for\s+linking\s+the\s+risk\s+to\s+the\s+medicine"),
    ("risk_factors", r"risk\s+factors\s+and\s+risk\s+groups"),
    ("pv", r"additional\s+pharmacovigilance\s+activit(?:y|ies)"),
    ("additional", r"additional\s+risk\s+minimi[sz]ation\s+measures?(?:\s*\(s\))?"),
    (
        "routine",
        r"(?:risk\s+minimi[sz]ation\s+measures?\s*:?\s*)?routine\s+risk\s+minimi[sz]ation\s+"
        r"measures?(?:\s*\(s\))?",
    ),
    ("routine", r"risk\s+minimi[sz]ation\s+measures?(?:\s*\(s\))?"),
    # A label cell cut by a page break: its first words alone on their line.
    ("evidence", r"evidence\s+for\s+linking(?:\s+the)?(?:\s+risk)?(?=[ \t]*$)"),
    ("risk_factors", r"risk\s+factors\s+and(?:\s+risk)?(?=[ \t]*$)"),
    ("pv", r"additional\s+pharmacovigilance(?=[ \t]*$)"),
    ("additional", r"additional\s+risk\s+minimi[sz]ation(?=[ \t]*$)"),
    ("routine", r"routine\s+risk\s+minimi[sz]ation(?=[ \t]*$)"),
]
# The rest of a label cell cut by a page break, alone on its line.
_LABEL_TAIL = re.compile(
    r"^(?:measures?|activities|(?:risk\s+)?groups|(?:the\s+)?(?:risk\s+)?to\s+the\s+medicine)$",
    re.IGNORECASE,
)
_FIELDS = re.compile(
    "|".join(
        rf"(?P<{name}{index}>^[ \t]*{pattern}[ \t]*:?)"
        for index, (name, pattern) in enumerate(_FIELD_LABELS)
    ),
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class ConcernTable:
    name: str
    category: str
    marker: str = ""
    evidence: str = ""
    risk_factors: str = ""
    footnotes: list = field(default_factory=list)
    routine: list = field(default_factory=list)
    additional: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def category_label(self):
        return CATEGORIES[self.category]

    def as_concern(self):
        concern = Concern(name=self.name, category=self.category, from_tables_only=True)
        concern.attach(self)
        return concern


def parse_concern_tables(lines):
    sections = _split_tables(_drop_captions(lines))
    return [_parse_table(heading, body) for heading, body in sections]


_CAPTION_PREFIX = re.compile(
    r"^Table\s+(?:[IVX]+\.)*[\w.]*\d[\w.]*\s*[:.\-–—]?\s+(?=\S)", re.IGNORECASE
)


def _drop_captions(lines):
    """Remove "Table N - ..." captions, which can run over a blank line to the next heading.

    A caption that carries the concern's heading ("Table II.B.1: Important identified risk:
    Cytokine release syndrome") keeps the heading: it is the only heading of that table."""
    result, index = [], 0
    while index < len(lines):
        line = lines[index]
        if not TABLE_CAPTION.match(line):
            result.append(line)
            index += 1
            continue
        prefix = _CAPTION_PREFIX.match(line)
        if prefix and HEADING.match(line[prefix.end() :]):
            result.append(line[prefix.end() :])
            index += 1
            continue
        end = index + 1
        while end < min(index + 3, len(lines)) and lines[end] and not HEADING.match(lines[end]):
            end += 1
        lookahead, seen = end, 0
        while lookahead < len(lines) and seen < 3:
            if lines[lookahead]:
                if HEADING.match(lines[lookahead]):
                    end = lookahead
                    break
                seen += 1
            lookahead += 1
        index = end
    return result


def _split_tables(lines):
    sections, heading, body = [], None, []
    index = 0
    while index < len(lines):
        line = lines[index]
        match = HEADING.match(line)
        if match and not _FIELDS.match(line):
            name = match.group("name")
            index += 1
            while index < len(lines) and _heading_goes_on(name, lines, index):
                name = join(name, lines[index])
                index += 1
            current = (category_of(match.group("label")), " ".join(name.split()))
            if heading is not None and _same_heading(heading, current):
                continue  # the heading repeated after a page break
            if heading is not None:
                sections.append((heading, body))
            heading, body = current, []
            continue
        if heading is not None:
            body.append(line)
        index += 1
    if heading is not None:
        sections.append((heading, body))
    return sections


_FIELD_START = re.compile(
    r"^(?:evidence\s+for\s+linking|risk\s+factors\s+and|risk\s+minimi[sz]ation|"
    r"routine\s+risk|additional\s+(?:risk|pharmacovigilance))",
    re.IGNORECASE,
)


def _starts_field(lines, index):
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return bool(_FIELD_START.match(f"{lines[index]} {following}"))


def _heading_goes_on(name, lines, index):
    """Whether line ``index`` continues a concern heading that wrapped."""
    line = lines[index]
    if not line or line.startswith(BULLET) or _starts_field(lines, index):
        return False
    if line[:1].islower() or name.count("(") > name.count(")"):
        return True
    if CONNECTOR_END.search(name) or name.endswith(","):
        return True
    following = lines[index + 1] if index + 1 < len(lines) else ""
    short = len(line.split()) <= 4 and ":" not in line and not FOOTNOTE.match(line)
    return short and (not following or _starts_field(lines, index + 1))


def _same_heading(first, second):
    return first[0] == second[0] and first[1].casefold() == second[1].casefold()


def _parse_table(heading, body):
    category, name = heading
    table = ConcernTable(name=clean_name(name), category=category)
    fields, footnotes = _fields(body)
    table.name, table.marker = strip_marker(table.name, footnotes)
    kept, dropped = _classify_footnotes(footnotes, table.marker)
    table.footnotes = kept
    for key, text_lines in fields.items():
        if dropped:
            text_lines = [_drop_markers(line, dropped) for line in text_lines]
        fields[key] = text_lines
    for key, text_lines in fields.items():
        cleaned = [_BROKEN_REFERENCE.sub("", line) for line in text_lines]
        if cleaned != text_lines:
            table.warnings.append(
                "A broken cross-reference of the source (“Error! Reference source not found.”) "
                "was removed."
            )
            fields[key] = cleaned
    table.evidence = as_text(paragraphs(fields.get("evidence", [])))
    table.risk_factors = as_text(paragraphs(fields.get("risk_factors", [])))
    table.routine, routine_warnings = parse_routine(fields.get("routine", []))
    table.additional = parse_additional(fields.get("additional", []))
    table.activities = parse_activities(fields.get("pv", []))
    table.warnings += routine_warnings
    if "routine" not in fields and "additional" not in fields:
        table.warnings.append("No risk minimisation measures found in its II.B table.")
    return table


def _fields(body):
    text = "\n".join(body)
    fields, footnotes = {}, {}
    matches = list(_FIELDS.finditer(text))
    for position, match in enumerate(matches):
        key = re.sub(r"\d+$", "", match.lastgroup)
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        chunk = [
            line for line in text[match.end() : end].split("\n") if not _LABEL_TAIL.match(line)
        ]
        kept = _strip_notes(chunk, footnotes)
        fields.setdefault(key, []).extend(kept)
    return fields, footnotes


def _strip_notes(lines, footnotes):
    """Remove footnote and abbreviation lines (collected into ``footnotes``)."""
    kept = []
    mode = None
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            mode = None if mode == "abbreviations" else mode
            kept.append("")
            continue
        if mode == "abbreviations":
            mode = None if line.endswith(".") else mode
            continue
        if ABBREVIATION_LINE.match(line):
            mode = None if line.endswith(".") else "abbreviations"
            continue
        previous = next((item for item in reversed(kept) if item), "")
        footnote = FOOTNOTE.match(line)
        after_gap = index > 0 and not lines[index - 1].strip()
        if footnote and (ends_sentence(previous) or len(previous) < 55):
            marker = footnote.group("marker")
            footnotes[marker] = footnote.group("text")
            mode = ("footnote", marker)
            continue
        if isinstance(mode, tuple) and not after_gap:
            footnotes[mode[1]] = join(footnotes[mode[1]], line)
            continue
        mode = None
        kept.append(raw)
    return kept


_BROKEN_REFERENCE = re.compile(
    r"\s*\(?\s*Error!\s+(?:Reference\s+source|Bookmark)\s+not\s+(?:found|defined)\.?\s*\)?"
)
_LITERATURE = re.compile(
    r"\bet\s+al\b|\b(?:19|20)\d{2}\s*;\s*\d|\bN\s+Engl\s+J\s+Med\b|\bManual\b|\bdoi\b|"
    r"\bJ\s+\w+\b\.?\s+(?:19|20)\d{2}|\b(?:19|20)\d{2}\s+\w{3}\s+\d{1,2}\b",
)


def _classify_footnotes(footnotes, name_marker):
    """Keep explanatory footnotes (prefixed with their marker); drop literature references."""
    kept, dropped = [], set()
    for marker, text in footnotes.items():
        if marker == name_marker:
            continue
        if _LITERATURE.search(text):
            dropped.add(marker)
        else:
            kept.append(f"{marker} {text}")
    return kept, dropped


def _drop_markers(line, markers):
    for marker in markers:
        line = re.sub(
            rf"(?<=[\w.)]) {re.escape(marker)}(?=\s+(?:and|or|were|was|is|are|[A-Z])|\s*$)",
            "",
            line,
        )
        line = re.sub(rf"^{re.escape(marker)}\s+(?=[A-Z])", "", line)
    return line
