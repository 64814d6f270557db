"""Read EU product information (SmPC, Annex II, package leaflet) as a product's sections.

``parse_product_information`` splits the text of a published product information document
into numbered sections; ``imports.pi_drafts`` makes them a draft change of the product.
"""

import itertools
import re
from dataclasses import dataclass, field

from products.documents import Document, section_sort_key, standard_title

# Word stems that a heading's title must contain to be taken for that section: a line
# "5 years." in the middle of section 6.3 is text, "5. PHARMACOLOGICAL PROPERTIES" is not.
SMPC_HEADINGS = {
    "1": r"\bname of\b",
    "2": r"composition",
    "3": r"\bform\b",
    "4": r"clinical (particulars|information)",
    "4.1": r"indication",
    "4.2": r"posology|dosage|administration",
    "4.3": r"contra-?indication",
    "4.4": r"warning|precaution",
    "4.5": r"interaction",
    "4.6": r"fertility|pregnan|lactation|breast",
    "4.7": r"driv|machine",
    "4.8": r"undesirable|adverse|side effect",
    "4.9": r"overdos",
    "5": r"pharmacological properties",
    "5.1": r"pharmacodynamic",
    "5.2": r"pharmacokinetic",
    "5.3": r"pre-?clinical|non-?clinical",
    "6": r"pharmaceutical particulars",
    "6.1": r"excipient",
    "6.2": r"incompatib",
    "6.3": r"shelf",
    "6.4": r"storage|\bstore",
    "6.5": r"container|\bpack",
    "6.6": r"disposal|handling",
    "7": r"holder",
    "8": r"authori[sz]ation number",
    "9": r"first authori[sz]ation|renewal",
    "10": r"revision",
    "11": r"dosimetry",
    "12": r"radiopharmaceutical",
}
ANNEX_II = Document.ANNEX_II
ANNEX_II_HEADINGS = {
    "A": r"manufacturer",
    "B": r"supply",
    "C": r"other conditions|requirements",
    "D": r"safe and effective",
    "E": r"specific obligation",
}
PL_HEADINGS = {
    "1": r"\bwhat\b.*\bis\b|used for",
    "2": r"before|need to know",
    "3": r"^how\b(?!.*\bstore)",
    "4": r"side effects",
    "5": r"\bstore\b|storage",
    "6": r"contents of the pack|other information",
}
HEADINGS = {
    Document.SMPC: SMPC_HEADINGS,
    Document.ANNEX_II: ANNEX_II_HEADINGS,
    Document.PACKAGE_LEAFLET: PL_HEADINGS,
}
# The sections every SmPC, Annex II and leaflet has; 11 and 12 only radiopharmaceuticals.
EXPECTED = {
    Document.SMPC: [number for number in SMPC_HEADINGS if number not in {"11", "12"}],
    Document.ANNEX_II: ["A", "B", "C", "D"],
    Document.PACKAGE_LEAFLET: list(PL_HEADINGS),
}
BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]", re.IGNORECASE)
NUMBERED = re.compile(r"^(?:section\s+)?([1-9][0-9]?(?:\.[1-9])?)\.?(?:\s+(.*))?$", re.IGNORECASE)
LETTERED = re.compile(r"^([A-E])(?:\.|\t|\))\s*(.+)$")
ANNEX = re.compile(r"^annex\s+(i{1,3}|iv)\.?$", re.IGNORECASE)
LABELLING = re.compile(r"^(?:a\.?\s+)?labelling$|^particulars to appear on", re.IGNORECASE)
LEAFLET = re.compile(r"^(?:b\.?\s+)?package leaflet\b(?:\s*:.*)?$", re.IGNORECASE)
BULLET = re.compile(r"^(?:[·•▪●◦‣∙]|[-–](?=\s))\s*")
WORD = re.compile(r"[^\W\d_]+")
MAX_TITLE = 150
LABELLING_TEXT = "labelling"  # Annex III A, the carton texts: not imported
OTHER_SMPC = "other-smpc"  # the SmPC of another strength: only the first is imported
REPEATED = "repeated"  # a second Annex II or leaflet: only the first is imported


@dataclass
class ParsedSection:
    document: str
    section: str
    title: str
    text: str = ""
    lines: list = field(default_factory=list, repr=False)

    @property
    def label(self):
        return f"{Document(self.document).abbreviation} {self.section}"

    @property
    def is_parent(self):
        return (
            self.document == Document.SMPC
            and "." not in self.section
            and any(number.startswith(self.section + ".") for number in SMPC_HEADINGS)
        )


@dataclass
class ParsedProductInformation:
    """The sections found, in document order, and what the parser was unsure about."""

    sections: list
    warnings: list

    def __iter__(self):
        return iter(self.sections)

    def __len__(self):
        return len(self.sections)

    def get(self, document, section):
        return next(
            (s for s in self.sections if (s.document, s.section) == (document, section)), None
        )


def parse_product_information(text) -> ParsedProductInformation:
    """Split product information text into SmPC 1-10, Annex II A-D and PL 1-6 sections."""
    return _Parser(text).run()


class _Parser:
    def __init__(self, text):
        self.lines = [BOOKMARK.sub("", line) for line in text.split("\n")]
        self.keep_upper = _acronyms(self.lines)
        self.found = {document: [] for document in HEADINGS}
        self.document = None  # before the SmPC: look for its first heading
        self.smpc_count = 0
        self.repeats = {Document.ANNEX_II: 0, Document.PACKAGE_LEAFLET: 0}
        self.repeating = None
        self.first_smpc_heading = self._first_smpc_heading()

    def _first_smpc_heading(self):
        """The index of the first line that reads as the heading of SmPC 1, or None.

        Before it (a title page, the black-triangle preamble) no other SmPC heading starts:
        "See section" / "4.8 for how to report adverse reactions." is a wrapped sentence.
        """
        for index, line in enumerate(self.lines):
            numbered = NUMBERED.match(line.strip())
            if numbered and numbered[1] == "1":
                title = numbered[2] or ""
                if not title:
                    following = self._next_text_line(index + 1)
                    title = self.lines[following].strip() if following is not None else ""
                if _heading_like(title) and self._matches(Document.SMPC, "1", title):
                    return index
        return None

    def run(self):
        index = 0
        while index < len(self.lines):
            index = self.read_line(index)
        sections = [section for document in HEADINGS for section in self.found[document]]
        wrapped = _is_wrapped([line.strip() for line in self.lines])
        for section in sections:
            section.text = clean_text(section.lines, wrapped=wrapped)
        return ParsedProductInformation(sections, self.warnings(sections))

    def read_line(self, index):
        """Handle the line at ``index``; return the index of the next unread line."""
        stripped = self.lines[index].strip()
        if self.switch_document(stripped):
            return index + 1
        reading = self.document not in (LABELLING_TEXT, REPEATED)
        heading = self.heading(index, stripped) if reading else None
        if heading:
            document, number, title, end = heading
            if self.accept(document, number, title):
                return end
        if self.document in HEADINGS and self.found[self.document]:
            self.found[self.document][-1].lines.append(self.lines[index])
        return index + 1

    def switch_document(self, stripped):
        annex = ANNEX.match(stripped)
        if annex:
            number = annex.group(1).upper()
            if number == "I":
                self.document = OTHER_SMPC if self.found[Document.SMPC] else None
            elif number == "II":
                self.enter(Document.ANNEX_II)
            else:
                self.document = LABELLING_TEXT
            return True
        if len(stripped) <= 60 and LEAFLET.match(stripped):
            self.enter(Document.PACKAGE_LEAFLET)
            return True
        if self.document == Document.ANNEX_II and LABELLING.match(stripped):
            self.document = LABELLING_TEXT
            return True
        return False

    def enter(self, document):
        if not self.found[document]:
            self.document = document
        elif (self.document, self.repeating) != (REPEATED, document):
            self.repeats[document] += 1
            self.document, self.repeating = REPEATED, document

    def heading(self, index, stripped):
        """(document, number, title, next index) if the line looks like a section heading."""
        document = self.document if self.document in HEADINGS else Document.SMPC
        if document == Document.ANNEX_II or self._smpc_ending():
            lettered = LETTERED.match(stripped)
            if (
                lettered
                and _heading_like(lettered[2])
                and self._matches(ANNEX_II, *lettered.groups())
            ):
                return Document.ANNEX_II, lettered[1], lettered[2].strip(), index + 1
            if document == Document.ANNEX_II:
                return None
        numbered = NUMBERED.match(stripped)
        if not numbered:
            return None
        number, title = numbered.group(1), (numbered.group(2) or "").strip()
        end = index + 1
        if not title:  # the title on the next line
            end = self._next_text_line(end)
            if end is None:
                return None
            title, end = self.lines[end].strip(), end + 1
        title, end = self._continued_title(document, number, title, end)
        if not _heading_like(title) or not self._matches(document, number, title):
            return None
        if document == Document.SMPC and self._before_smpc_1(index, number):
            return None
        return document, number, title, end

    def _before_smpc_1(self, index, number):
        """A numbered line other than 1 before the SmPC's section 1: text, not a heading."""
        return (
            number != "1"
            and not self.found[Document.SMPC]
            and self.first_smpc_heading is not None
            and index < self.first_smpc_heading
        )

    def _smpc_ending(self):
        """In SmPC 7-10 or a later SmPC, where Annex II may follow without "ANNEX II"."""
        smpc = self.found[Document.SMPC]
        return self.document == OTHER_SMPC or (
            self.document == Document.SMPC
            and smpc
            and section_sort_key(smpc[-1].section) >= section_sort_key("7")
        )

    def _matches(self, document, number, title):
        pattern = HEADINGS[document].get(number)
        return bool(pattern and re.search(pattern, " ".join(title.split()).casefold()))

    def _next_text_line(self, index):
        for candidate in range(index, min(index + 3, len(self.lines))):
            if self.lines[candidate].strip():
                return candidate
        return None

    def _continued_title(self, document, number, title, end):
        """Join a title wrapped onto the next line ("... OTHER FORMS OF" / "INTERACTION")."""
        expected = _words(standard_title(document, number))
        if end >= len(self.lines) or not expected or not self.lines[end].strip():
            return title, end
        joined = f"{title} {self.lines[end].strip()}"
        if _words(title) != expected and expected.startswith(_words(joined)):
            return joined, end + 1
        return title, end

    def accept(self, document, number, title):
        """Start a new section at a heading, unless it is out of order (then it is text)."""
        another_smpc = document == Document.SMPC and number == "1"
        if self.document == OTHER_SMPC and document == Document.SMPC:
            self.smpc_count += another_smpc
            return another_smpc
        found = self.found[document]
        order = list(HEADINGS[document])
        if found and order.index(number) <= order.index(found[-1].section):
            if len(found) > 1 and not any("".join(s.lines).strip() for s in found[:-1]):
                found.clear()  # headings without text: that was the table of contents
            elif another_smpc and self.document == Document.SMPC:
                self.smpc_count += 1
                self.document = OTHER_SMPC
                return True
            else:
                return False
        if document == Document.SMPC and not found:
            self.smpc_count = 1
        self.document = document
        found.append(ParsedSection(document, number, sentence_case(title, self.keep_upper)))
        return True

    def warnings(self, sections):
        warnings = []
        if self.smpc_count > 1:
            warnings.append(
                f"The document holds {self.smpc_count} summaries of product characteristics "
                "(one per strength or form?); only the first was imported."
            )
        for document, repeats in self.repeats.items():
            if repeats:
                name = "copies of Annex II" if document == ANNEX_II else "package leaflets"
                warnings.append(
                    f"The document holds {repeats + 1} {name}; only the first was imported."
                )
        for document, expected in EXPECTED.items():
            numbers = {section.section for section in self.found[document]}
            if not numbers and document != Document.SMPC:
                name = "Annex II" if document == Document.ANNEX_II else "package leaflet"
                warnings.append(f"No {name} found: its sections were not imported.")
                continue
            for number in expected:
                if number not in numbers:
                    title = standard_title(document, number)
                    warnings.append(f"{document.abbreviation} {number} ({title}) was not found.")
        for section in sections:
            if not section.text and not section.is_parent:
                warnings.append(f"{section.label} {section.title} has no text.")
        return warnings


def _heading_like(title):
    """Short, capitalised, and not a sentence wrapped after "(see section" in a PDF.

    Template titles start with a capital ("Undesirable effects", "UNDESIRABLE EFFECTS"); a
    line "4.8 for how to report adverse reactions." continues the sentence before it.
    """
    first_letter = next((char for char in title if char.isalpha()), "")
    return (
        first_letter.isupper()
        and len(title) <= MAX_TITLE
        and len(title.split()) <= 20
        and not re.search(r"[,;]$|\)\.$", title)
    )


def _words(text):
    return " ".join(WORD.findall(text.casefold()))


def _acronyms(lines):
    """Words printed in capitals inside ordinary text (BESPONSA, RMP): kept in titles."""
    upper, other = set(), set()
    for line in lines:
        words = WORD.findall(line)
        if not any(word != word.upper() for word in words):
            continue  # a line in capitals says nothing about a word's usual case
        for word in words:
            (upper if len(word) > 1 and word.isupper() else other).add(word)
    lowered = {word.casefold() for word in other}
    return {word for word in upper if word.casefold() not in lowered}


def sentence_case(title, keep_upper=frozenset()):
    """ "SPECIAL WARNINGS AND PRECAUTIONS FOR USE" -> "Special warnings and precautions for use"."""
    title = " ".join(title.split()).rstrip(" .:")
    words = WORD.findall(title)
    capitals = [word for word in words if word[0].isupper()]
    if words and all(word.isupper() for word in words):
        title = WORD.sub(lambda m: m[0] if m[0] in keep_upper else m[0].lower(), title)
    elif len(capitals) >= 2 and all(word[0].isupper() for word in words if len(word) > 3):
        title = WORD.sub(
            lambda m: m[0] if len(m[0]) > 1 and m[0].isupper() else m[0].lower(), title
        )
    return title[:1].upper() + title[1:]


def clean_text(lines, *, wrapped=None):
    """Paragraphs separated by one blank line; bullets as "- "; wrapped lines joined.

    ``wrapped``: whether the document wraps paragraphs into lines (guessed if None).
    """
    lines = [re.sub(r" *\t[ \t]*", " ", BOOKMARK.sub("", line)).strip() for line in lines]
    if wrapped is None:
        wrapped = _is_wrapped(lines)
    paragraphs, current = [], []
    for line in lines:
        if not line:
            if current:
                paragraphs.append("\n".join(current))
                current = []
            continue
        if BULLET.match(line):
            line = BULLET.sub("- ", line)
        elif wrapped and current and _continues(current[-1], line):
            previous = current[-1]
            if re.search(r"[^\W\d_]-$", previous):
                current[-1] = previous[:-1] + line  # hyphenation: "treat-" + "ment"
            else:
                current[-1] = f"{previous} {line}"
            continue
        current.append(line)
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


def _continues(previous, line):
    """A line that continues the sentence of the line before it."""
    return line[0].islower() and not re.search(r"[.:;!?]$", previous)


def _is_wrapped(lines):
    """Text whose paragraphs are wrapped into lines (from a PDF), not one line each."""
    pairs = [(a, b) for a, b in itertools.pairwise(lines) if a and b]
    continued = sum(1 for a, b in pairs if _continues(a, b))
    return continued > 0.05 * len(pairs)
