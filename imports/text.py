"""Clean text extracted from PDFs: bullets, wrapped lines, page furniture, paragraphs."""

import re
from dataclasses import dataclass

BULLET = "• "
_BULLET_GLYPHS = re.compile(r"^\s*(?:[•\uf0b7\uf0a7\uf076\uf0d8·▪◦‣●■□➢✓]|[-–—*o](?=\s))\s*")
_NOISE = [
    re.compile(r"^medicinal product no longer authori[sz]ed$", re.I),
    re.compile(r"^(?:page\s+)?\d{1,3}\s*(?:/|of)\s*\d{1,3}$", re.I),
    re.compile(r"^page\s+\d{1,3}$", re.I),
    re.compile(r"^[-–]?\s*\d{1,3}\s*[-–]?$"),
    re.compile(r"^EMA/\S+$"),
    re.compile(r"^\[bookmark: [^\]]*\]$"),
    re.compile(r"^\(?(?:continued|cont(?:'d|\.))\)?\.?$", re.I),
]
_SENTENCE_END = re.compile(r"[.:;!?]\)?[”\"’']?$")
_SHORT_LINE = 55


_LOST_GLYPH = re.compile(r"^ (?=[^\s])")
_NOT_BULLET = re.compile(
    r"^(?:Table\b|Risk\s+minimi|Important\s+(?:identified|potential)|Missing\s+information|"
    r"Evidence\s+for|Risk\s+factors|Additional\s+(?:risk|pharmaco)|Routine\s+risk)",
    re.IGNORECASE,
)


# Page furniture and table wording that every part of a summary shares.
TABLE_CAPTION = re.compile(r"^Table\s+(?:\d|[IVX]+\.|II\.|VI\.)", re.IGNORECASE)
ABBREVIATION_LINE = re.compile(r"^[A-Za-z][\w/.-]{0,15}\s?[:;]\s+\S.*;")
NOTHING = re.compile(
    r"^(?:none(?:\s+(?:proposed|planned|required|identified))?|not\s+applicable|n/?a|"
    r"no\s+(?:additional\s+)?[\w\s-]*(?:measures?|activities|"
    r"studies)(?:\s+(?:are|is)\s+(?:proposed|planned|required))?)\.?$",
    re.IGNORECASE,
)


def clean_lines(text):
    """Lines with spaces collapsed, bullets written "• ", page furniture removed ("" for blank).

    Some extractions drop the bullet glyph (often a private-use character) and keep the single
    space after it; when many lines start with exactly one space, those lines are bullets.
    """
    raw_lines = text.split("\n")
    lost_glyphs = sum(1 for raw in raw_lines if _LOST_GLYPH.match(raw)) >= 5
    lines = []
    for raw in raw_lines:
        line = " ".join(raw.replace("\u00a0", " ").split())
        if any(pattern.match(line) for pattern in _NOISE):
            continue
        if lost_glyphs and _LOST_GLYPH.match(raw) and not _NOT_BULLET.match(line):
            line = BULLET + line
        elif _BULLET_GLYPHS.match(line) and not re.match(r"^[-–]\s*\d", line):
            rest = _BULLET_GLYPHS.sub("", line, count=1)
            line = BULLET + rest if rest else ""
        lines.append(line)
    return lines


def join(left, right):
    """Join a line to the wrapped line that follows it."""
    if not left:
        return right
    if left.endswith("-") and right[:1].isalpha() and not left.endswith(" -"):
        return left + right
    return f"{left} {right}"


def ends_sentence(line):
    return bool(_SENTENCE_END.search(line))


@dataclass
class Paragraph:
    text: str
    bullet: bool = False
    last_line: str = ""

    def __str__(self):
        return self.text


def paragraphs(lines, *, bullets_absorb=True, starts=None):
    """Group cleaned lines into paragraphs and bullet items.

    A blank gap ends the paragraph when the line before it ends a sentence or is short;
    otherwise (a page break mid-sentence) the text goes on. Consecutive lines are one wrapped
    paragraph unless the line ends a sentence and the next word would have fitted on it, or
    the line is much shorter than the column (a heading): PDF text layers often have no blank
    lines at all. With ``bullets_absorb``, plain text after a bullet item continues that item.
    Lines that match ``starts`` (a compiled pattern) always begin a paragraph.
    """
    width = max((len(line) for line in lines if line), default=0)
    items = []
    gap = False
    for line in lines:
        if not line:
            gap = True
            continue
        bullet = line.startswith(BULLET)
        content = line[len(BULLET) :] if bullet else line
        previous = items[-1] if items else None
        if bullet or previous is None or (starts is not None and starts.match(content)):
            items.append(Paragraph(content, bullet, content))
        elif _continues(previous, content, bullets_absorb, gap, width):
            previous.text = join(previous.text, content)
            previous.last_line = content
        else:
            items.append(Paragraph(content, False, content))
        gap = False
    return items


def _continues(previous, content, bullets_absorb, gap, width):
    if content[:1].islower():
        return True
    if previous.bullet and bullets_absorb:
        return True
    last = previous.last_line
    if gap:
        return not ends_sentence(last) and len(last) >= _SHORT_LINE
    first_word = content.split(" ", 1)[0]
    if ends_sentence(last):
        return len(last) + 1 + len(first_word) > width
    return len(last) >= 0.6 * width


def as_text(items):
    """Paragraphs as stored text: bullet items as "- " lines, paragraphs apart by a blank line."""
    blocks = []
    for item in items:
        text = item.text.strip()
        if item.bullet:
            text = f"- {text}"
            if blocks:
                blocks[-1] = f"{blocks[-1]}\n{text}"
                continue
        blocks.append(text)
    return "\n\n".join(blocks)


def sentence_case(text):
    """ "Multifocal Leukoencephalopathy (PML)" -> "Multifocal leukoencephalopathy (PML)"."""
    words = text.split(" ")
    return " ".join(
        word if index == 0 or _keeps_case(word) else word.lower()
        for index, word in enumerate(words)
    )


def _keeps_case(word):
    letters = re.sub(r"[^A-Za-z]", "", word)
    return len(letters) > 1 and sum(char.isupper() for char in letters) > 1


def is_title_case(text):
    words = [word for word in re.findall(r"[A-Za-z][A-Za-z'’-]*", text) if len(word) > 3]
    return len(words) > 1 and all(word[0].isupper() for word in words)


def normalise_key(text):
    """Comparison key: case, punctuation, footnote markers and bracketed abbreviations ignored."""
    text = re.sub(r"\(([A-Z0-9/-]{2,10}s?)\)", " ", text)
    text = text.casefold().replace("‘", "'").replace("’", "'")
    text = re.sub(r"[^\w>≥<≤]+", " ", text)
    return " ".join(text.split())
