"""Safety concerns: the II.A list (names, categories, order) and the II.B tables (details)."""

import re
from dataclasses import dataclass, field

from .measures import AdditionalMeasure, parse_activities, parse_additional, parse_routine
from .text import BULLET, as_text, ends_sentence, join, paragraphs

CATEGORIES = {
    "identified": "an important identified risk",
    "potential": "an important potential risk",
    "missing": "missing information",
}
LABELS = {
    "identified": "Important identified risks",
    "potential": "Important potential risks",
    "missing": "Missing information",
}
_LABEL = re.compile(
    r"^(?:\d+\.\s*)?(?P<label>important\s+identified\s+risks?|important\s+potential\s+risks?|"
    r"missing\s+information)\b\s*[:\-–]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_HEADING = re.compile(
    r"^(?:\d+\.\s*)?(?P<label>important\s+identified\s+risk|important\s+potential\s+risk|"
    r"missing\s+information)s?(?:\s*(?P<number>\d{1,3}))?\s*[:\-–—]\s*(?P<name>\S.*)$",
    re.IGNORECASE,
)
_CAPTION = re.compile(r"^Table\s+(?:\d|[IVX]+\.|II\.|VI\.)", re.IGNORECASE)
_LIST_HEADER = re.compile(
    r"^(?:list\s+of\s+)?important\s+risks\s+and\s+missing\s+information$|"
    r"^summary\s+of\s+safety\s+concerns$|^safety\s+concerns?$",
    re.IGNORECASE,
)
_PROSE = re.compile(
    r"^(?:there\s+(?:are|is)\s+no\b|the\s+safety\s+information\b|no\s+studies\b)", re.IGNORECASE
)
_FOOTNOTE = re.compile(r"^(?P<marker>[a-z*†‡§¶])\s+(?P<text>[A-Z].*)$")
_ABBREVIATIONS = re.compile(r"^[A-Za-z][\w/.-]{0,15}\s?[:;]\s+\S.*;")
_NONE = re.compile(
    r"^(?:none|not\s+applicable|n/?a|no\s+(?:additional\s+)?[\w\s-]*(?:measures?|activities|"
    r"studies)(?:\s+(?:are|is)\s+(?:proposed|planned|required))?)\.?$",
    re.IGNORECASE,
)
_MISSING_LIKE = re.compile(
    r"^(?:use\s+(?:in|during|of|by)\b|safety\s+(?:in|of|during)\b|tolerability\b|pregnan|"
    r"lactation|breast|p(?:a)?ediatric|children|elderly|patients?\s+(?:with|aged|over|>|≥|<|who)\b|"
    r"long[- ]term|exposure\b|lack\s+of|limited\s+(?:data|information))",
    re.IGNORECASE,
)
_POTENTIAL_LIKE = re.compile(
    r"^(?:off[- ]label|(?:drug[- ])?interactions?\b|medication\s+errors?|misuse|abuse|overdose|"
    r"dependence)",
    re.IGNORECASE,
)
_CONNECTOR_END = re.compile(
    r"(?:\b(?:and|or|of|in|with|than|the|including|to|for|by)|[,(/-])$", re.IGNORECASE
)
_INITIAL_END = re.compile(r"\b[A-Z]\.$")


def category_of(label):
    label = label.lower()
    if "identified" in label:
        return "identified"
    if "potential" in label:
        return "potential"
    return "missing"


@dataclass
class Concern:
    name: str
    category: str
    warnings: list = field(default_factory=list)
    marker: str = ""
    footnote: str = ""
    table: object = None
    from_tables_only: bool = False
    additional_measure_keys: list = field(default_factory=list)
    study_keys: list = field(default_factory=list)

    @property
    def category_label(self):
        return CATEGORIES[self.category]

    @property
    def additional_measures(self):
        return self.table.additional if self.table else []

    @property
    def activities(self):
        return self.table.activities if self.table else []

    def attach(self, table):
        self.table = table
        if table.marker and not self.marker:
            self.marker = table.marker

    def as_data(self):
        table = self.table
        footnotes = [self.footnote] if self.footnote else []
        if table:
            footnotes += [note for note in table.footnotes if note not in footnotes]
        evidence = table.evidence if table else ""
        if self.category == "missing" and evidence:
            self.warnings.append(
                "Its table gives evidence for linking, which missing information does not have: "
                "moved to the curator note."
            )
        return {
            "name": self.name,
            "category": self.category,
            "evidence": "" if self.category == "missing" else evidence,
            "risk_factors": table.risk_factors if table else "",
            "footnotes": "\n\n".join(footnotes),
            "curator_note": evidence if self.category == "missing" and evidence else "",
            "routine_measures": table.routine if table else [],
            "additional_measures": self.additional_measure_keys,
            "studies": self.study_keys,
            "warnings": self.warnings + (table.warnings if table else []),
        }


# II.A: the list of important risks and missing information.


def parse_concern_list(lines):
    """Concerns in source order with their categories, and plan-level warnings."""
    lines = _join_wrapped_labels(lines)
    lines = lines[_intro_end(lines) :]
    tokens, footnotes = _list_tokens(lines)
    if not tokens:
        return [], []
    first_label = next((i for i, token in enumerate(tokens) if token[0] == "label"), None)
    scrambled = first_label is None or (
        any(token[0] == "item" for token in tokens[:first_label])
        and any(token[0] == "label" for token in tokens)
    )
    if first_label is None:
        return [], [("List of important risks", "No category labels found in II.A.")]
    if scrambled:
        concerns = _unscramble(tokens)
        warnings = [
            (
                "List of important risks",
                "The list is scrambled in the extracted text (category labels do not stand "
                "above their items). Names were rebuilt from fragments and categories inferred; "
                "every concern carries a warning. Check them against the source PDF.",
            )
        ]
    else:
        concerns = _in_order(tokens)
        warnings = []
    _apply_footnotes(concerns, footnotes)
    return concerns, warnings


def _join_wrapped_labels(lines):
    result = []
    skip_until = -1
    for index, line in enumerate(lines):
        if index <= skip_until:
            continue
        if re.fullmatch(r"important\s+(?:identified|potential)|missing", line, re.IGNORECASE):
            following = next(
                (j for j in range(index + 1, min(index + 30, len(lines))) if lines[j]), None
            )
            second = r"^information\b" if line.lower() == "missing" else r"^risks?\b"
            if following is not None and re.match(second, lines[following], re.IGNORECASE):
                result.append(f"{line} {lines[following]}")
                skip_until = following
                continue
        result.append(line)
    return result


def _intro_end(lines):
    """Index of the first line after the paragraph that explains the categories."""
    pattern = re.compile(r"missing\s+information\s+refers", re.IGNORECASE)
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if pattern.search(line):
            start = index
        elif pattern.search(f"{line} {following}"):
            start = index + 1
        else:
            continue
        for end in range(start, min(start + 8, len(lines))):
            if re.search(r"[.;:)]$", lines[end]):
                return end + 1
        return start + 1
    return 0


def _list_tokens(lines):
    """("label", category) and ("item", text, bullet, adjacent) tokens; footnotes by marker."""
    tokens, footnotes = [], {}
    in_abbreviations = in_footnote = False
    previous_was_item = False
    for line in lines:
        if not line:
            in_abbreviations = previous_was_item = in_footnote = False
            continue
        if in_abbreviations or _ABBREVIATIONS.match(line):
            in_abbreviations = not ends_sentence(line) or in_abbreviations
            previous_was_item = False
            continue
        if _CAPTION.match(line) or _LIST_HEADER.match(line):
            previous_was_item = False
            continue
        if _PROSE.match(line):
            break
        footnote = _FOOTNOTE.match(line)
        if footnote and footnote.group("marker") not in footnotes and tokens:
            footnotes[footnote.group("marker")] = footnote.group("text")
            in_footnote = footnote.group("marker")
            previous_was_item = False
            continue
        if in_footnote and not _LABEL.match(line):
            footnotes[in_footnote] = join(footnotes[in_footnote], line)
            continue
        label = _LABEL.match(line)
        if label:
            tokens.append(("label", category_of(label.group("label"))))
            rest = label.group("rest").strip()
            previous_was_item = False
            if rest and not _NONE.match(rest):
                bullet = rest.startswith(BULLET)
                tokens.append(("item", rest.removeprefix(BULLET), bullet, False))
                previous_was_item = True
            continue
        bullet = line.startswith(BULLET)
        tokens.append(("item", line.removeprefix(BULLET), bullet, previous_was_item))
        previous_was_item = True
    return tokens, footnotes


def _in_order(tokens):
    bullets = any(token[0] == "item" and token[2] for token in tokens)
    concerns, category, current = [], None, None
    for token in tokens:
        if token[0] == "label":
            category, current = token[1], None
            continue
        _, text, bullet, adjacent = token
        if _NONE.match(text):
            continue
        if current is not None and _continues(current.name, text, bullet, bullets, adjacent):
            current.name = join(current.name, text)
            continue
        current = Concern(name=text, category=category)
        concerns.append(current)
    for concern in concerns:
        concern.name = _clean_name(concern.name)
    return [concern for concern in concerns if concern.name]


def _continues(previous, text, bullet, bullets, adjacent):
    if bullets:
        return not bullet
    if text[:1].islower() or text[:1] == "(" or previous.count("(") > previous.count(")"):
        return True
    return adjacent and bool(_CONNECTOR_END.search(previous))


def _unscramble(tokens):
    items, held = [], []
    last_label = None
    labels_seen = []
    previous_item = None
    for token in tokens:
        if token[0] == "label":
            last_label = token[1]
            labels_seen.append(token[1])
            previous_item = None
            continue
        _, text, _bullet, adjacent = token
        if _NONE.match(text):
            continue
        if text[:1].islower() or text[:1] in ")]":
            if text.count(")") > text.count("(") and any(_open_paren(item) for item in items):
                held.append(text)
                continue
            target = _fragment_target(items, previous_item if adjacent else None)
            if target is not None:
                target["parts"].append(text)
                previous_item = target
                continue
        item = {"parts": [text], "label": last_label, "before_labels": not labels_seen}
        items.append(item)
        previous_item = item
    for text in held:
        target = next((item for item in reversed(items) if _open_paren(item)), None)
        if target is not None:
            target["parts"].append(text)
        else:
            items.append({"parts": [text], "label": last_label, "before_labels": False})
    concerns = [_guess(item) for item in items]
    order = {"identified": 0, "potential": 1, "missing": 2}
    concerns.sort(key=lambda concern: order[concern.category])
    return [concern for concern in concerns if concern.name]


def _text_of(item):
    text = ""
    for part in item["parts"]:
        text = join(text, part)
    return text


def _open_paren(item):
    text = _text_of(item)
    return text.count("(") > text.count(")")


def _fragment_target(items, adjacent_item):
    for test in (
        lambda item: _CONNECTOR_END.search(_text_of(item)),
        lambda item: _INITIAL_END.search(_text_of(item)),
    ):
        for item in reversed(items):
            if test(item):
                return item
    if adjacent_item is not None:
        return adjacent_item
    for item in reversed(items):
        if _open_paren(item):
            return item
    return adjacent_item


def _guess(item):
    name = _clean_name(_text_of(item))
    if _MISSING_LIKE.match(name):
        category, reason = "missing", "its wording (it names a population or a gap in knowledge)"
    elif _POTENTIAL_LIKE.match(name):
        category, reason = "potential", "its wording (a possible, not an established, risk)"
    elif item["before_labels"] or item["label"] is None:
        category, reason = "identified", "its position before the first category label"
    elif item["label"] == "missing":
        category = "potential"
        reason = "its position after the category labels; it names a risk, not missing information"
    else:
        category = item["label"]
        reason = f"its position after the “{LABELS[category]}” label"
    concern = Concern(name=name, category=category)
    concern.warnings.append(
        f"Category inferred from {reason}: the list is scrambled in the extracted text; check it."
    )
    if len(item["parts"]) > 1:
        concern.warnings.append(
            f"Name rebuilt from {len(item['parts'])} fragments of the scrambled list: check it."
        )
    return concern


def _clean_name(name):
    name = " ".join(name.split()).strip()
    name = re.sub(r"(?<=\w)‘(?=\w)", "’", name)
    return name.rstrip(" .;,")


def _apply_footnotes(concerns, footnotes):
    for concern in concerns:
        name, marker = strip_marker(concern.name, footnotes)
        if marker:
            concern.name, concern.marker = name, marker
            concern.footnote = footnotes[marker]


def strip_marker(name, footnotes):
    """ "Thrombocytopeniaa" -> ("Thrombocytopenia", "a") when footnote "a" exists."""
    for marker in footnotes:
        if not name.endswith(marker) or len(name) < 4:
            continue
        stem = name[: -len(marker)]
        if marker.isalpha():
            last = stem[-1]
            plausible = last in ")]" or stem.endswith(marker) or last in "es" or stem[-2:] == "ae"
            if not plausible:
                continue
        return stem.rstrip(), marker
    return name, ""


# II.B: one table per concern.

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
]
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


def _drop_captions(lines):
    """Remove "Table N - ..." captions, which can run over a blank line to the next heading."""
    result, index = [], 0
    while index < len(lines):
        line = lines[index]
        if not _CAPTION.match(line):
            result.append(line)
            index += 1
            continue
        end = index + 1
        while end < min(index + 3, len(lines)) and lines[end] and not _HEADING.match(lines[end]):
            end += 1
        lookahead, seen = end, 0
        while lookahead < len(lines) and seen < 3:
            if lines[lookahead]:
                if _HEADING.match(lines[lookahead]):
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
        match = _HEADING.match(line)
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
    if _CONNECTOR_END.search(name) or name.endswith(","):
        return True
    following = lines[index + 1] if index + 1 < len(lines) else ""
    short = len(line.split()) <= 4 and ":" not in line and not _FOOTNOTE.match(line)
    return short and (not following or _starts_field(lines, index + 1))


def _same_heading(first, second):
    return first[0] == second[0] and first[1].casefold() == second[1].casefold()


def _parse_table(heading, body):
    category, name = heading
    table = ConcernTable(name=_clean_name(name), category=category)
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
        chunk = text[match.end() : end].split("\n")
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
        if _ABBREVIATIONS.match(line):
            mode = None if line.endswith(".") else "abbreviations"
            continue
        previous = next((item for item in reversed(kept) if item), "")
        footnote = _FOOTNOTE.match(line)
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


__all__ = ["AdditionalMeasure", "Concern", "parse_concern_list", "parse_concern_tables"]
