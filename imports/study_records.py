"""Studies read wherever they stand in II.C (or VI.2.6): a table of any columns, prose, a list.

A study starts where its code (or a name that II.B gives under "Additional pharmacovigilance
activities") opens a line or a cell, and runs to the next study. Inside it: the title that
follows the code, the purpose, the milestones ("Final report: Q1 2025", "Planned date for
submission of final data: within 6 months after LPLV", a description and its date wrapped
over two lines, several milestones in one sentence), and the category the text states
("Category 1", "specific obligation", "Annex II"). Table header cells (and their repeats
after page breaks) are not study text. The concerns a study addresses are read from its text
when the table has a column for them.
"""

import re

from .measures import is_milestone, milestone_parts
from .studies import ParsedStudy, without_furniture
from .text import BULLET, join

CODE = (
    r"(?:[A-Z][A-Z0-9]{1,11}(?:[-_/][A-Z0-9]{1,12}){1,4}"  # RVX-3001, CDX-LTFU, CPZ-PASS-01
    r"|[A-Z]{2,}\d{3,}[A-Z0-9]*)"  # CLD30017
)
_OPENING = re.compile(
    rf"^(?i:study\s+(?:short\s+name(?:\s+and\s+title)?\s*:\s*)?)?(?P<code>{CODE})(?![\w-])"
    rf"(?P<rest>.*)$"
)
_TRAILING_CODE = re.compile(rf"\((?P<code>{CODE})\)\s*:?$")
_HEADER_CELL = re.compile(
    r"^(?:study(?:\s+short\s+name|\s+title|\s*/\s*activity.*|\s*/\s*status|\s+number)?|"
    r"(?:summary\s+of\s+)?(?:study\s+)?objectives?|purpose\s+of\s+the\s+study|"
    r"rationale\s+and\s+study\s+objectives|(?:study\s+)?design|status|category|"
    r"milestones?(?:\s*(?::|and)\s*due\s+dates?)?|due\s+dates?|"
    r"(?:planned\s+)?dates?\s+(?:for\s+)?(?:submission\s+of\s+)?.*(?:results|reports?)|"
    r"safety\s+concerns?.*addressed|safety\s+concerns?(?:\s*/\s*efficacy\s+issues?)?)\s*:?$",
    re.IGNORECASE,
)
_CONCERNS_COLUMN = re.compile(
    r"\bsafety\s+concerns?(?:\s*/\s*efficacy\s+issues?)?\s+addressed", re.IGNORECASE
)
_LABEL = re.compile(
    r"^(?P<label>purposes?\s+of\s+the\s+study|rationale\s+and\s+study\s+objectives?|"
    r"objectives?|study\s+design|study\s+population|milestones?|status)\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_PURPOSE_LABELS = re.compile(r"^(?:purpose|rationale|objective)", re.IGNORECASE)
_END_OF_STUDIES = re.compile(
    r"^(?:studies\s+which\s+are\s+(?:a\s+)?conditions?|none\s+of\s+the\s+above)", re.IGNORECASE
)
_CONDITION = re.compile(
    r"\bis\s+(?:a\s+)?(?:condition\s+of\s+the\s+marketing\s+authori[sz]ation|specific\s+obligation)",
    re.IGNORECASE,
)
_CATEGORY = re.compile(r"\bcategory\s*(?P<number>[123])\b", re.IGNORECASE)
_SPECIFIC = re.compile(r"specific\s+obligation", re.IGNORECASE)
_ANNEX_II = re.compile(r"\bannex\s+II\b|condition\s+of\s+the\s+marketing", re.IGNORECASE)
_DESCRIPTION_ONLY = re.compile(
    r"^(?:planned\s+date\s+for\s+)?[A-Za-z][\w ,/()-]{2,80}?(?:report|data|results|submission|"
    r"protocol|analysis|CSR|completion|start|end|update)s?\s*:$",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"(?<=[^\s.])\.\s+(?=[A-Z])|;\s+")
_NOT_CODES = {"II", "VI", "EU", "RMP", "PSUR", "PASS", "DHPC", "SMPC", "EPAR", "PL"}


def read_study_records(lines, *, category, names=()):
    """The studies of one part (``category`` where the text states none)."""
    lines = without_furniture(lines)
    has_concerns_column = bool(
        _CONCERNS_COLUMN.search(" ".join(lines))
        or any(re.match(r"^safety\s+concerns?\b", line, re.IGNORECASE) for line in lines)
    )
    cells = [line for line in lines if not _HEADER_CELL.match(line.removeprefix(BULLET))]
    conditions = _stated_conditions(cells)
    openings = _openings(cells, names)
    if openings:  # a table's header row, repeated after page breaks, is not study text
        header = set(_header_row(cells[: openings[0][0]]))
        cells = [line for line in cells if not line or line not in header]
        openings = _openings(cells, names)
    studies = []
    for number, (index, code, title) in enumerate(openings):
        end = openings[number + 1][0] if number + 1 < len(openings) else len(cells)
        block = cells[index + 1 : end]
        stop = next((i for i, line in enumerate(block) if _END_OF_STUDIES.match(line)), None)
        block = block[:stop] if stop is not None else block
        study = _study(code, title, block, category)
        if code in conditions:
            study.category = 2 if _SPECIFIC.search(conditions[code]) else 1
        study.concern_text = " ".join([title, *block]) if has_concerns_column else ""
        studies.append(study)
    return studies


def _openings(lines, names):
    """(line index, code or name, title text) where a study starts."""
    known = sorted({name for name in names if name}, key=len, reverse=True)
    openings, seen = [], set()
    for index, line in enumerate(lines):
        text = line.removeprefix(BULLET)
        if not text or is_milestone(text):
            continue
        cell_start = index == 0 or not lines[index - 1]
        code, rest = None, ""
        match = _OPENING.match(text)
        if match and match.group("code").upper() not in _NOT_CODES and _is_code(match["code"]):
            code, rest = match.group("code"), match.group("rest")
        elif cell_start and (trailing := _TRAILING_CODE.search(text)):
            code, rest = trailing.group("code"), text[: trailing.start()]
        else:
            name = next((n for n in known if text.casefold().startswith(n.casefold())), None)
            if name and cell_start:
                code, rest = name, text[len(name) :]
        if code is None and (start := _cell_start(lines, index)) is not None:
            trailing = _TRAILING_CODE.search(text)  # "Medullary thyroid carcinoma" /
            if trailing and index - start <= 2:  # "registry (MTC-22)"
                lead = " ".join(lines[start:index])
                code, rest = trailing.group("code"), f"{lead} {text[: trailing.start()]}"
                index = start
        if code is None or code.casefold() in seen:
            continue
        seen.add(code.casefold())
        openings.append((index, code, rest.strip(" :-–—")))
    return openings


def _header_row(lines):
    """The lines of the cells just before the first study that are not sentences: the
    header row of a table (its cells may wrap over several lines)."""
    row = []
    for line in reversed(lines):
        if line and (line.endswith(".") or len(line) > 60):
            break
        row.append(line)
    cells = [line for line in row if line]
    return cells if len(cells) >= 2 else []


def _cell_start(lines, index):
    """Index of the first line of the cell (lines between blank lines) holding ``index``."""
    start = index
    while start > 0 and lines[start - 1]:
        start -= 1
    return start if start < index else None


def _logical_lines(lines):
    """Lines of a cell joined where a line goes on wrapped: not after a full stop, and not when
    the next line is a milestone, a labelled line or a bullet of its own."""
    out = []
    for line in lines:
        text = line.removeprefix(BULLET).strip()
        previous = out[-1] if out else ""
        if (
            previous
            and text
            and not line.startswith(BULLET)
            and not previous.endswith((".", ";"))
            and not (is_milestone(text) and not text[:1].islower())
            and not _DESCRIPTION_ONLY.match(text)
            and not _LABEL.match(text)
            and not (is_milestone(previous) and text[:1].isupper() and len(text.split()) > 3)
        ):
            out[-1] = join(previous, text)
        else:
            out.append(text)
    return out


def _is_code(text):
    return any(char.isdigit() for char in text) or ("-" in text and text.upper() == text)


def _stated_conditions(lines):
    """Codes that a sentence says are a condition of the authorisation or an obligation."""
    found = {}
    for line in lines:
        if _CONDITION.search(line) and not re.match(r"^none\b", line, re.IGNORECASE):
            for match in re.finditer(CODE, line):
                found.setdefault(match.group(), line)
    return found


def _study(code, title, block, category):
    study = ParsedStudy(title="", category=category)
    found = re.search(CODE, code)
    study.code = found.group() if found and _is_code(found.group()) else ""
    study.short_name = code
    title_lines, rest = [title] if title else [], block
    if not title:  # the title is the rest of the study's first cell
        cell_end = next((i for i, line in enumerate(block) if not line), len(block))
        title_lines, rest = block[:cell_end], block[cell_end:]
    text = ""
    for line in title_lines:
        text = join(text, line.removeprefix(BULLET))
    label = _LABEL.match(text)
    if label:  # "DPX-4402: ... Purpose of the study: ..." on one line
        rest = [text[label.start("label") :], *rest]
        text = ""
    study.title = text.rstrip(".") or code
    purpose = []
    pending = None
    for raw in _logical_lines(rest):
        line = raw.removeprefix(BULLET).strip()
        if not line:
            continue
        if pending is not None:
            if is_milestone(f"{pending} {line}"):
                study.add_milestone(*milestone_parts(is_milestone(f"{pending} {line}")))
                pending = None
                continue
            purpose.append(pending)
            pending = None
        label = _LABEL.match(line)
        if label and not _PURPOSE_LABELS.match(label.group("label")):
            line = label.group("rest")
            if not line:
                continue
        elif label:
            line = label.group("rest")
        found = False
        for piece in _SENTENCES.split(line):
            piece = piece.strip().rstrip(".")
            inner = _LABEL.match(piece)
            if inner:
                piece = inner.group("rest")
            milestone = is_milestone(piece)
            if milestone:
                study.add_milestone(*milestone_parts(milestone))
                found = True
        if found:
            continue
        if _DESCRIPTION_ONLY.match(line):
            pending = line
            continue
        purpose.append(line)
    if pending is not None:
        purpose.append(pending)
    whole = " ".join([text, *purpose])
    explicit = _CATEGORY.search(whole)
    if explicit:
        study.category = int(explicit.group("number"))
    elif _SPECIFIC.search(whole):
        study.category = 2
    elif category == 3 and _ANNEX_II.search(whole):
        study.category = 1
    study.purpose = " ".join(purpose)
    return study


def link_by_concern_column(studies, concerns):
    """Link the studies of a table with a "safety concerns addressed" column to the concerns
    that column names (by name, or by the medical term in brackets after a lay name)."""
    for study in studies:
        text = " ".join(getattr(study, "concern_text", "").split()).casefold()
        if not text:
            continue
        for concern in concerns:
            named = any(term and term in text for term in _terms(concern.name))
            if named and study.key not in concern.study_keys:
                concern.study_keys.append(study.key)


def _terms(name):
    name = " ".join(name.split()).casefold()
    terms = {name}
    bracket = re.search(r"\(([^()]{4,})\)\s*$", name)
    if bracket:
        terms |= {bracket.group(1), name[: bracket.start()].strip()}
    return terms
