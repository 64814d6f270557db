"""Read product information text: the EU SmPC, Annex II and package leaflet, or a US label.

``parse_product_information`` splits the text of a published document into its sections. A
heading is the template's number with a title of that section (EMA's QRD templates; the US
label's 21 CFR 201.57 sections 1-17 and their subsections), in the template's order: any
other line (a wrapped cross-reference, a postcode, a table row, the labelling's numbered
boxes, a list of contents) is text. Page numbers, running headers and the watermark of a
withdrawn product are left out first.
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
    "2.1": r"general description",  # 2.1 and 2.2: the template for advanced therapies
    "2.2": r"composition",
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
US_HEADINGS = {
    "1": r"indications",
    "2": r"dosage and administration",
    "3": r"dosage forms",
    "4": r"contraindications",
    "5": r"warnings|precautions",
    "6": r"adverse reactions",
    "7": r"drug interactions",
    "8": r"specific populations",
    "9": r"abuse|dependence",
    "10": r"overdosage",
    "11": r"description",
    "12": r"clinical pharmacology",
    "13": r"non-?clinical toxicology",
    "14": r"clinical studies",
    "15": r"references",
    "16": r"how supplied|storage and handling",
    "17": r"patient counsel+ing",
}
HEADINGS = {
    Document.SMPC: SMPC_HEADINGS,
    Document.ANNEX_II: ANNEX_II_HEADINGS,
    Document.PACKAGE_LEAFLET: PL_HEADINGS,
    Document.US_PRESCRIBING_INFORMATION: US_HEADINGS,
}
# The sections every SmPC, Annex II and leaflet has; 11 and 12 only radiopharmaceuticals,
# 2.1 and 2.2 only advanced therapies.
ADVANCED_THERAPY_SECTIONS = {"2.1", "2.2"}
EXPECTED = {
    Document.SMPC: [
        number for number in SMPC_HEADINGS if number not in {"11", "12", *ADVANCED_THERAPY_SECTIONS}
    ],
    Document.ANNEX_II: ["A", "B", "C", "D"],
    Document.PACKAGE_LEAFLET: list(PL_HEADINGS),
}
EU_DOCUMENTS = list(EXPECTED)
# Titles the QRD templates print besides the standard ones (the words of a heading must come
# from its titles, give or take a product's name): "A. MANUFACTURER(S) OF THE BIOLOGICAL
# ACTIVE SUBSTANCE(S) AND …", a leaflet's "How X is given", "before you use X".
TITLE_VARIANTS = {
    Document.SMPC: {
        "4": "clinical information",
        "6.5": "nature and contents of container and special equipment for use administration "
        "or implantation",
        "6.6": "special precautions for disposal of a used medicinal product or waste materials "
        "derived from such medicinal product",
        "9": "date of first authorisation renewal of the authorisation",
        "11": "dosimetry",
    },
    Document.ANNEX_II: {
        "A": "manufacturer s of the biological active substance s and manufacturer s "
        "responsible for batch release name and address",
        "C": "other conditions and requirements of the marketing authorisation",
        "D": "conditions or restrictions with regard to the safe and effective use of the "
        "medicinal product",
        "E": "specific obligation to complete post authorisation measures for the conditional "
        "marketing authorisation under exceptional circumstances",
    },
    Document.PACKAGE_LEAFLET: {
        "1": "what the medicine is and what it is used for",
        "2": "what you need to know before you take use are given receive the medicine",
        "3": "how to take use the medicine how the medicine is given used",
        "4": "possible side effects",
        "5": "how to store the medicine",
        "6": "contents of the pack and other information",
    },
}
# Words a heading may carry beyond its template's (a product's name in a leaflet title).
EXTRA_WORDS = {Document.PACKAGE_LEAFLET: 4}
# A title line that cannot end a title: "… special equipment for use," / "… OTHER FORMS OF".
UNFINISHED = re.compile(r"[,/\u2013-]$|\b(?:and|or|of|for|the|with|to|in|on)$", re.IGNORECASE)
# The watermark of a withdrawn product, on a line of its own or run into the start or end of
# a line by the extraction ("Medicinal product no longer authorised 4.4 Special warnings…").
WATERMARK = re.compile(
    r"^\s*medicinal product no longer authori[sz]ed\b\s*|\s*\bmedicinal product no longer "
    r"authori[sz]ed\s*$",
    re.IGNORECASE,
)
PAGE_NUMBER = re.compile(r"^(?:page\s+)?(\d{1,3})(?:\s*(?:/|of)\s*\d{1,3})?$", re.IGNORECASE)
US_HEADING = re.compile(r"^([1-9][0-9]?)(?:\.([1-9][0-9]?))?\.?\s+(\S.*)$")
HIGHLIGHTS = re.compile(r"^highlights of prescribing information$", re.IGNORECASE)
FULL_PI = re.compile(r"^full prescribing information\s*(:\s*contents\*?)?$", re.IGNORECASE)
BOXED_WARNING = re.compile(r"^WARNING\b[^a-z]*$")
US_HIGHLIGHTS = "us-highlights"  # Highlights of prescribing information: not imported
US_CONTENTS = "us-contents"  # the label's contents: which sections it says it has
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
            and any(
                number.startswith(self.section + ".")
                for number in SMPC_HEADINGS
                if number not in ADVANCED_THERAPY_SECTIONS
            )
        )


@dataclass
class ParsedProductInformation:
    """The sections found, in document order, and what the parser was unsure about.

    ``boxed_warning``: a US label's boxed warning (title and text), which has no number.
    """

    sections: list
    warnings: list
    boxed_warning: ParsedSection | None = None

    def __iter__(self):
        return iter(self.sections)

    def __len__(self):
        return len(self.sections)

    def get(self, document, section):
        return next(
            (s for s in self.sections if (s.document, s.section) == (document, section)), None
        )


def parse_product_information(text) -> ParsedProductInformation:
    """Split product information text into its sections: the EU SmPC 1-10, Annex II A-E and
    PL 1-6, or a US label's sections 1-17 with their subsections and its boxed warning.

    A heading is the template's number with a title of that section, in the template's order;
    any other line (a wrapped cross-reference, a postcode, a table row) is text.
    """
    return _Parser(text).run()


class _Parser:
    def __init__(self, text):
        lines = [BOOKMARK.sub("", line) for line in text.replace("\f", "\n\f\n").split("\n")]
        self.lines = strip_page_furniture(lines)
        self.keep_upper = _acronyms(self.lines)
        self.found = {document: [] for document in HEADINGS}
        self.document = None  # before the SmPC: look for its first heading
        self.smpc_count = 0
        self.repeats = {Document.ANNEX_II: 0, Document.PACKAGE_LEAFLET: 0}
        self.repeating = None
        self.first_smpc_heading = self._first_smpc_heading()
        self.boxed_warning = None
        self.us_contents = set()

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
        for section in [*sections, self.boxed_warning]:
            if section is not None:
                section.text = clean_text(section.lines, wrapped=wrapped)
        return ParsedProductInformation(sections, self.warnings(sections), self.boxed_warning)

    def read_line(self, index):
        """Handle the line at ``index``; return the index of the next unread line."""
        stripped = self.lines[index].strip()
        if self.switch_document(stripped):
            return index + 1
        if self.document in (US_HIGHLIGHTS, US_CONTENTS, Document.US_PRESCRIBING_INFORMATION):
            return self.read_us_line(index, stripped)
        reading = self.document not in (LABELLING_TEXT, REPEATED)
        heading = self.heading(index, stripped) if reading else None
        if heading:
            document, number, title, end = heading
            if self.accept(document, number, title):
                return end
        if self.document is None and self._us_heading(stripped, "1"):
            self.document = Document.US_PRESCRIBING_INFORMATION  # a label without its banners
            return self.read_us_line(index, stripped)
        if self.document in HEADINGS and self.found[self.document]:
            self.found[self.document][-1].lines.append(self.lines[index])
        return index + 1

    def switch_document(self, stripped):
        if HIGHLIGHTS.match(stripped):
            self.document = US_HIGHLIGHTS
            return True
        full = FULL_PI.match(stripped)
        if full:
            self.document = US_CONTENTS if full[1] else Document.US_PRESCRIBING_INFORMATION
            return True
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

    # EU documents -----------------------------------------------------------------------

    def heading(self, index, stripped):
        """(document, number, title, next index) if the line looks like a section heading."""
        document = self.document if self.document in EU_DOCUMENTS else Document.SMPC
        if document == Document.ANNEX_II or self._smpc_ending():
            lettered = LETTERED.match(stripped)
            if lettered and _heading_like(lettered[2]):
                title, end = self._continued_title(ANNEX_II, lettered[1], lettered[2], index + 1)
                if self._matches(ANNEX_II, lettered[1], title):
                    return Document.ANNEX_II, lettered[1], title.strip(), end
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
        """The title names the section: its stem, and no more than a few words that none of
        the section's template titles has ("4.8 Undesirable effects for the frequency of
        infections…" is a sentence that starts with a cross-reference)."""
        pattern = HEADINGS[document].get(number)
        if not (pattern and re.search(pattern, " ".join(title.split()).casefold())):
            return False
        vocabulary = set(_words(standard_title(document, number)).split())
        vocabulary |= set(TITLE_VARIANTS.get(document, {}).get(number, "").split())
        extra = [word for word in _words(title).split() if word not in vocabulary]
        return len(extra) <= EXTRA_WORDS.get(document, 2)

    def _next_text_line(self, index):
        for candidate in range(index, min(index + 3, len(self.lines))):
            if self.lines[candidate].strip():
                return candidate
        return None

    def _continued_title(self, document, number, title, end):
        """Join a title wrapped onto the next line ("... OTHER FORMS OF" / "INTERACTION")."""
        vocabulary = set(_words(standard_title(document, number)).split())
        vocabulary |= set(TITLE_VARIANTS.get(document, {}).get(number, "").split())
        if end >= len(self.lines) or not vocabulary or not self.lines[end].strip():
            return title, end
        following = self.lines[end].strip()
        words = _words(following).split()
        complete = {_words(standard_title(document, number))}
        complete.add(TITLE_VARIANTS.get(document, {}).get(number, ""))
        same_case = following.isupper() == title.isupper()
        if (
            words
            and same_case
            and (following[0].isupper() == title[0].isupper() or UNFINISHED.search(title))
            and all(word in vocabulary for word in words)
            and _words(title) not in complete
            and not NUMBERED.match(following)
            and not LETTERED.match(following)
        ):
            return f"{title} {following}", end + 1
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

    # The US label -------------------------------------------------------------------------

    def _us_heading(self, stripped, number=None):
        """(number, title) if the line is a heading of the label's section or subsection."""
        match = US_HEADING.match(stripped)
        if not match or (number and match[1] != number):
            return None
        top, sub, title = match[1], match[2], match[3].strip()
        if top not in US_HEADINGS or not _heading_like(title) or title.endswith("."):
            return None
        if sub is None:
            return (top, title) if self._matches(US, top, title) else None
        if len(title.split()) > 12 or not title[0].isupper():
            return None
        return f"{top}.{sub}", title

    def read_us_line(self, index, stripped):
        found = self.found[US]
        heading = self._us_heading(stripped)
        if self.document == US_CONTENTS:
            if heading:
                self.us_contents.add(heading[0])
            return index + 1
        if self.document == US_HIGHLIGHTS:
            return index + 1
        if heading and self._us_in_order(heading[0]):
            found.append(ParsedSection(US, heading[0], sentence_case(heading[1], self.keep_upper)))
            return index + 1
        if not found and BOXED_WARNING.match(stripped) and self.boxed_warning is None:
            title, end = stripped, index + 1
            while end < len(self.lines) and BOXED_WARNING.match(self.lines[end].strip() or "a"):
                title, end = f"{title} {self.lines[end].strip()}", end + 1
            self.boxed_warning = ParsedSection(US, "", sentence_case(title, self.keep_upper))
            return end
        if found:
            found[-1].lines.append(self.lines[index])
        elif self.boxed_warning is not None:
            self.boxed_warning.lines.append(self.lines[index])
        return index + 1

    def _us_in_order(self, number):
        """Sections 1-17 in order; a subsection under the section it numbers, in order."""
        found = self.found[US]
        if not found:
            return "." not in number
        key, last = section_sort_key(number), section_sort_key(found[-1].section)
        if "." in number:
            parent = number.split(".")[0]
            return key > last and last[0] == key[0] and any(s.section == parent for s in found)
        return key[0] > last[0]

    # Warnings -----------------------------------------------------------------------------

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
        if self.found[US] and not self.found[Document.SMPC]:
            warnings += self.us_warnings()
        else:
            warnings += self.eu_warnings()
        numbers = {(section.document, section.section) for section in sections}
        for section in sections:
            parent = section.is_parent or any(
                (section.document, f"{section.section}.{n}") in numbers for n in range(1, 30)
            )
            if not section.text and not parent:
                warnings.append(f"{section.label} {section.title} has no text.")
        return warnings

    def eu_warnings(self):
        warnings = []
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
        return warnings

    def us_warnings(self):
        """A section the label's contents list but its text lacks was not found; sections
        absent from both are ones the label leaves out as not applicable: named all the same."""
        found = {section.section for section in self.found[US]}
        warnings = [
            f"USPI {number} ({standard_title(US, number) or 'subsection'}) was not found."
            for number in sorted(self.us_contents - found, key=section_sort_key)
        ]
        absent = [n for n in US_HEADINGS if n not in found and n not in self.us_contents]
        if absent:
            named = ", ".join(f"{n} ({standard_title(US, n)})" for n in absent)
            warnings.append(
                f"USPI {named} {'is' if len(absent) == 1 else 'are'} not in the label: a label "
                "leaves out the sections that do not apply."
            )
        if self.boxed_warning is None and "WARNING" in "\n".join(self.lines[:80]).upper():
            warnings.append("The label seems to have a boxed warning that was not recognised.")
        return warnings


US = Document.US_PRESCRIBING_INFORMATION


def strip_page_furniture(lines):
    """Drop what PDF pages print around the text: page numbers (numbers on lines of their own
    that count up through the document), the "Medicinal product no longer authorised" watermark, and
    running headers or footers (a line repeated next to page breaks)."""
    numbers = [
        (index, int(match[1]))
        for index, line in enumerate(lines)
        if (match := PAGE_NUMBER.match(line.strip()))
    ]
    pages = _page_numbers(numbers, lines)
    breaks = pages | {i for i, line in enumerate(lines) if "\f" in line} | {-1, len(lines)}
    kept = []
    for index, line in enumerate(lines):
        unmarked = WATERMARK.sub("", line)
        if index not in pages and (unmarked.strip() or not line.strip()):
            kept.append((index, unmarked))

    def near_break(index):
        return any(index + step in breaks for step in range(-3, 4))

    counts = {}
    for index, line in kept:
        if line.strip():
            counts.setdefault(line.strip(), []).append(index)
    running = {
        line
        for line, where in counts.items()
        if len(where) >= 3
        and all(near_break(index) for index in where)
        and not NUMBERED.match(line)
        and not LETTERED.match(line)
    }
    return [line.replace("\f", "") for index, line in kept if line.strip() not in running]


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


def _page_numbers(numbers, lines):
    """The line indexes of the page numbers among ``numbers`` [(index, value)]: the longest
    run counting up by one through the document, with text between each number and the next
    (a table's numbered cells stand line after line; where two lines could continue the run,
    the later one does)."""
    text_before = [0]  # text_before[i]: lines of text (not blank, not a number) before line i
    for line in lines:
        stripped = line.strip()
        text_before.append(text_before[-1] + bool(stripped and not PAGE_NUMBER.match(stripped)))
    best = {}  # value -> (length, index) of the longest run ending in that value so far
    previous = {}
    for index, value in numbers:
        length, before = best.get(value - 1, (0, None))
        if before is not None and text_before[index] == text_before[before + 1]:
            length, before = 0, None  # nothing but numbers between: a table's cells
        if length + 1 >= best.get(value, (0, None))[0]:
            best[value] = (length + 1, index)
            previous[index] = before
    if not best:
        return set()
    length, index = max(best.values())
    if length < 2:
        return set()
    pages = set()
    while index is not None:
        pages.add(index)
        index = previous[index]
    return pages
