"""Safety concerns: the II.A list (names, categories, order) and the II.B tables (details)."""

import re
from dataclasses import dataclass, field

from .text import ABBREVIATION_LINE, BULLET, NOTHING, TABLE_CAPTION, ends_sentence, join

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
HEADING = re.compile(
    r"^(?:\d+\.\s*)?(?P<label>important\s+identified\s+risk|important\s+potential\s+risk|"
    r"missing\s+information)s?(?:\s*(?P<number>\d{1,3}))?\s*[:\-–—]\s*(?P<name>\S.*)$",
    re.IGNORECASE,
)
_LIST_HEADER = re.compile(
    r"^(?:list\s+of\s+)?important\s+risks\s+and\s+missing\s+information$|"
    r"^summary\s+of\s+safety\s+concerns$|^safety\s+concerns?$",
    re.IGNORECASE,
)
_PROSE = re.compile(
    r"^(?:there\s+(?:are|is)\s+no\b|the\s+safety\s+information\b|no\s+studies\b)", re.IGNORECASE
)
FOOTNOTE = re.compile(r"^(?P<marker>[a-z*†‡§¶])\s+(?P<text>[A-Z].*)$")
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
CONNECTOR_END = re.compile(
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
        if self.category == "missing" and table.evidence:
            self.warnings.append(
                "Its table gives evidence for linking, which missing information does not have: "
                "moved to the curator note."
            )

    def as_data(self):
        table = self.table
        footnotes = [self.footnote] if self.footnote else []
        if table:
            footnotes += [note for note in table.footnotes if note not in footnotes]
        evidence = table.evidence if table else ""
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
        if in_abbreviations or ABBREVIATION_LINE.match(line):
            in_abbreviations = not ends_sentence(line) or in_abbreviations
            previous_was_item = False
            continue
        if TABLE_CAPTION.match(line) or _LIST_HEADER.match(line):
            previous_was_item = False
            continue
        if _PROSE.match(line):
            break
        footnote = FOOTNOTE.match(line)
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
            if rest and not NOTHING.match(rest):
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
        if NOTHING.match(text):
            continue
        if current is not None and _continues(current.name, text, bullet, bullets, adjacent):
            current.name = join(current.name, text)
            continue
        current = Concern(name=text, category=category)
        concerns.append(current)
    for concern in concerns:
        concern.name = clean_name(concern.name)
    return [concern for concern in concerns if concern.name]


def _continues(previous, text, bullet, bullets, adjacent):
    if bullets:
        return not bullet
    if text[:1].islower() or text[:1] == "(" or previous.count("(") > previous.count(")"):
        return True
    return adjacent and bool(CONNECTOR_END.search(previous))


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
        if NOTHING.match(text):
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
        lambda item: CONNECTOR_END.search(_text_of(item)),
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
    name = clean_name(_text_of(item))
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


def clean_name(name):
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
