"""The older RMP public summary (part VI.2, before 2018) read into the same concerns.

Its parts are found by their titles, whatever their numbers (VI.2.3 or VI.2.4 "Summary of
safety concerns", VI.2.4 "Summary table of risk minimisation measures" or VI.2.5 "Summary of
risk minimisation measures by safety concern", VI.2.5 or VI.2.6 "Planned post authorisation
development plan"):

- the safety concerns: one table per category ("Important identified risks", "Important
  potential risks", "Missing information") of "Risk | What is known | Preventability" cells;
  "What is known" is the evidence, "Preventability" the risk factors and how to prevent them;
- the risk minimisation measures: a block per concern ("Safety concern: Haemorrhage" or the
  concern's name alone in a row) with routine measures, additional measures ("Risk
  minimisation measure(s)") and their objective and description, or a summary table of
  "Safety concern | Routine | Additional" rows;
- the studies: read by ``study_records`` from the development plan part.
"""

import re

from .concerns import Concern
from .measures import parse_additional, parse_routine
from .tables import ConcernTable
from .text import BULLET, NOTHING, TABLE_CAPTION, as_text, join, paragraphs

_HEADING = re.compile(r"^VI\.?\s?2\.?\s?\d\.?\s+(?P<title>\S.*)$", re.IGNORECASE)
_PART_TITLES = [
    ("concerns", re.compile(r"summary\s+of\s+safety\s+concerns", re.IGNORECASE)),
    ("measures", re.compile(r"risk\s+minimi[sz]ation\s+measures", re.IGNORECASE)),
    ("studies", re.compile(r"post[\s-]*authori[sz]ation\s+development\s+plan", re.I)),
]
_CATEGORY_TITLES = [
    (
        "identified",
        re.compile(r"^(?:table\s+\S+\s*[:.-]?\s*)?important\s+identified\s+risks?:?$", re.I),
    ),
    (
        "potential",
        re.compile(r"^(?:table\s+\S+\s*[:.-]?\s*)?important\s+potential\s+risks?:?$", re.I),
    ),
    ("missing", re.compile(r"^(?:table\s+\S+\s*[:.-]?\s*)?missing\s+information:?$", re.I)),
]
_HEADER = re.compile(
    r"^(?:risk|what\s+is\s+known.*|preventability|risk\s+what\s+is\s+known.*|"
    r"\(?including\s+reason\s+why.*|potential\s+risk\)?)$",
    re.IGNORECASE,
)
_SAFETY_CONCERN = re.compile(
    r"^safety\s+concern(?:\s+in\s+lay\s+(?:language|terms))?"
    r"(?:\s*\(medical\s+term\))?\s*:\s*(?P<name>.+)$",
    re.IGNORECASE,
)
_ROUTINE = re.compile(r"^routine\s+risk\s+minimi[sz]ation\s+measures?:?$", re.IGNORECASE)
_ADDITIONAL = re.compile(
    r"^(?:additional\s+)?risk\s+minimi[sz]ation\s+measures?\s*(?:\(s\))?:?$", re.IGNORECASE
)
_OBJECTIVE = re.compile(r"^objectives?\s+and\s+rationale:?\s*(?P<rest>.*)$", re.IGNORECASE)
_DESCRIPTION = re.compile(
    r"^summary\s+description\s+of\s+(?:the\s+)?main\s+additional\s+risk\s+minimi[sz]ation\s+"
    r"measures?:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_SUMMARY_HEADER = re.compile(
    r"^(?:safety\s+concerns?|routine\s+risk\s+minimi[sz]ation\s+measures?|additional\s+risk\s+"
    r"minimi[sz]ation\s+measures?)$",
    re.IGNORECASE,
)
_ENDS_SENTENCE = re.compile(r"[.;:!?)]$")


def is_older_layout(lines):
    titles = [match.group("title") for line in lines if (match := _HEADING.match(line))]
    return bool(titles) and any(_PART_TITLES[0][1].search(title) for title in titles)


def older_parts(lines):
    """{"concerns": [...], "measures": [...], "studies": [...]}: the lines of each part."""
    parts, current = {}, None
    for line in lines:
        heading = _HEADING.match(line)
        if heading:
            current = next(
                (name for name, title in _PART_TITLES if title.search(heading.group("title"))),
                None,
            )
            if current:
                parts.setdefault(current, [])
            continue
        if current:
            parts[current].append(line)
    return parts


def parse_older_concerns(parts):
    """Concerns (with their measures attached as II.B tables would be) and plan warnings."""
    concerns = []
    for category, cells in _category_tables(parts.get("concerns", [])):
        width = 3 if category == "identified" and cells.get("preventability") else 2
        for row in _rows(cells["cells"], width):
            name = " ".join(row[0].split()).rstrip(".")
            if not name or NOTHING.match(name):
                continue
            concern = Concern(name=name, category=category)
            table = ConcernTable(name=name, category=category)
            table.evidence = row[1] if len(row) > 1 else ""
            table.risk_factors = row[2] if len(row) > 2 else ""
            concern.attach(table)
            concerns.append(concern)
    warnings = _attach_measures(concerns, parts.get("measures", []))
    return concerns, warnings


def _category_tables(lines):
    """(category, {"cells": [cell texts], "preventability": bool}) in source order."""
    tables, current = [], None
    for line in lines:
        category = next((name for name, title in _CATEGORY_TITLES if title.match(line)), None)
        if category:
            current = {"cells": [[]], "preventability": False}
            tables.append((category, current))
            continue
        if current is None:
            continue
        if _HEADER.match(line):
            if re.search(r"preventability", line, re.IGNORECASE):
                current["preventability"] = True
            continue
        if not line:
            if current["cells"][-1]:
                current["cells"].append([])
            continue
        current["cells"][-1].append(line.removeprefix(BULLET))
    for _, table in tables:
        table["cells"] = [_joined(cell) for cell in table["cells"] if cell]
    return tables


def _joined(lines):
    text = ""
    for line in lines:
        text = join(text, line)
    return text


def _rows(cells, width):
    """Cells grouped in rows of ``width``: a prose cell that stops mid-sentence (a page break)
    goes on in the next cell."""
    rows, row = [], []
    for cell in cells:
        if row and len(row) > 1 and not _ENDS_SENTENCE.search(row[-1]):
            row[-1] = join(row[-1], cell)
            continue
        if cell[:1].islower() and (row or rows):
            last = row if row else rows[-1]  # a cell going on after a page break
            last[-1] = join(last[-1], cell)
            continue
        row.append(cell)
        if len(row) == width:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return rows


def _terms(name):
    """How the measures part may name a concern: in full, its lay name, its medical term."""
    name = " ".join(name.split()).casefold().rstrip(".")
    terms = {name}
    bracket = re.search(r"\(([^()]{4,})\)$", name)
    if bracket:
        terms |= {bracket.group(1).strip(), name[: bracket.start()].strip()}
    return terms


def _concern_named(text, concerns):
    text = " ".join(text.split()).casefold().rstrip(".:")
    return next((c for c in concerns if text in _terms(c.name)), None)


def _attach_measures(concerns, lines):
    if any(_SUMMARY_HEADER.match(line) for line in lines) and _summary_table(concerns, lines):
        return []
    current, field, fields = None, None, {}
    blocks = []
    for line in lines:
        text = line.removeprefix(BULLET)
        if TABLE_CAPTION.match(text):
            continue
        labelled = _SAFETY_CONCERN.match(text)
        named = _concern_named(labelled.group("name") if labelled else text, concerns)
        if named is not None:
            current, field, fields = named, None, {}
            blocks.append((current, fields))
            continue
        if current is None:
            continue
        if _ROUTINE.match(text):
            field = "routine"
            continue
        if _ADDITIONAL.match(text):
            field = "additional"
            continue
        objective = _OBJECTIVE.match(text) or _DESCRIPTION.match(text)
        if objective:
            field = "description"
            text = objective.group("rest")
        if field:
            fields.setdefault(field, []).append(line)
    for concern, found in blocks:
        table = concern.table
        table.routine, routine_warnings = parse_routine(found.get("routine", []))
        table.warnings += routine_warnings
        table.additional = parse_additional(found.get("additional", []))
        description = as_text(paragraphs([line for line in found.get("description", []) if line]))
        for measure in table.additional:
            if description and not measure.description:
                measure.description = description
    return []


def _summary_table(concerns, lines):
    """ "Safety concern | Routine risk minimisation measures | Additional ..." rows."""
    first = next((i for i, line in enumerate(lines) if _concern_named(line, concerns)), 0)
    header = {line for line in lines[:first] if line}  # repeated after page breaks
    cells, cell = [], []
    for line in lines:
        if _SUMMARY_HEADER.match(line) or line in header:
            continue
        if not line:
            if cell:
                cells.append(cell)
                cell = []
            continue
        cell.append(line)
    if cell:
        cells.append(cell)
    found = False
    index = 0
    while index < len(cells):
        concern = _concern_named(_joined(cells[index]), concerns)
        if concern is None:
            index += 1
            continue
        routine = cells[index + 1] if index + 1 < len(cells) else []
        additional = cells[index + 2] if index + 2 < len(cells) else []
        if additional and _concern_named(_joined(additional), concerns):
            additional = []
        concern.table.routine, routine_warnings = parse_routine(routine)
        concern.table.warnings += routine_warnings
        concern.table.additional = parse_additional(additional)
        found = True
        index += 3 if additional else 2
    return found
