"""Section references in the prose of routine measures: "Labelled in sections 4.2 and 4.4 of SmPC".

Recognises a document named before its numbers ("SmPC sections 4.4, 4.6 and 5.3", "PL Section 2
and Section 4", "SmPC 4.8; PL 4", "Annex II D") or after them ("sections 4.2, 4.3 and 4.8 of
SmPC", "Section 2 of the PL"). Numbers that follow no document and no "section" word (doses,
patient counts) are not references.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from products.documents import Document

_DOCUMENTS = [
    (r"summary\s+of\s+product\s+characteristics|SmPCs?|SPC", Document.SMPC),
    (
        r"(?:patient\s+)?package\s+leaflet|patient\s+information\s+leaflet|PIL|PL",
        Document.PACKAGE_LEAFLET,
    ),
    (r"annex\s+II(?![I])", Document.ANNEX_II),
    (r"USPI|(?:US\s+)?prescribing\s+information", Document.US_PRESCRIBING_INFORMATION),
]
_TOKEN = re.compile(
    "|".join(
        f"(?P<doc{index}>\\b(?:{pattern})\\b)" for index, (pattern, _) in enumerate(_DOCUMENTS)
    )
    + r"|(?P<section>\bsections?\b|§)"
    + r"|(?P<number>\b\d{1,2}(?:\.\d{1,2}){0,2}\b(?!\.\d)(?![-–]\d)"
    + r"(?!\s*(?:%|mg|ml|months?|years?|days?|weeks?|hours?)\b))"
    + r"|(?P<letter>\b[A-E]\b)"
    + r"|(?P<joiner>,|&|\band\b|\bor\b)"
    + r"|(?P<of>\bof\b|\bin\b)"
    + r"|(?P<the>\bthe\b)"
    + r"|(?P<word>[^\W\d_]+|[;:.()/])",
    re.IGNORECASE,
)


@dataclass
class FoundReferences:
    references: list = field(default_factory=list)  # [(Document, section)] in order, no repeats
    guesses: list = field(default_factory=list)  # human-readable notes on guessed documents

    @property
    def labels(self):
        return [f"{document.abbreviation} {section}" for document, section in self.references]


def uncited_sections(text, references):
    """The sections the text names that ``references`` [(document, section)] do not cite.

    A measure saying "see SmPC section 4.4" that cites SmPC 4.2 only: [(SMPC, "4.4")].
    """
    cited = {(Document(document), section) for document, section in references}
    return [reference for reference in find_references(text).references if reference not in cited]


def find_references(text) -> FoundReferences:
    found = FoundReferences()
    state = _State(found)
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind.startswith("doc"):
            state.document(_DOCUMENTS[int(kind[3:])][1], match.group())
        else:
            getattr(state, kind)(match.group())
    state.close()
    return found


class _State:
    """Collects one group of section numbers at a time and decides which document it cites."""

    def __init__(self, found):
        self.found = found
        self.numbers = []
        self.prefix = None  # document named just before the group
        self.open = False  # the next number belongs to a group
        self.after_of = False  # "... 4.8 of (the)" waits for a document
        self.last_document = None

    def document(self, document, _text):
        if self.numbers and self.after_of:
            self._emit(document)
        else:
            self.close()
        self.prefix = document
        self.last_document = document
        self.open = True

    def section(self, _text):
        if self.numbers and not self.open and not self.after_of:
            self.close()
        self.open = True
        self.after_of = False

    def number(self, text):
        if not self.open:
            return
        self.numbers.append(text)
        self.open = False
        self.after_of = False

    def letter(self, text):
        if self.open and self.prefix is Document.ANNEX_II:
            self.number(text.upper())
        else:
            self.word(text)

    def joiner(self, _text):
        if self.numbers:
            self.open = True
        elif self.prefix is None:
            self.open = False

    def of(self, _text):
        if self.numbers and not self.open:
            self.after_of = True
            self.open = False
        else:
            self.word(_text)

    def the(self, _text):
        if not (self.numbers and self.after_of):
            self.word(_text)

    def word(self, _text):
        if self.numbers:
            self.close()
        self.prefix = None
        self.open = False
        self.after_of = False

    def close(self):
        if self.numbers:
            document = self.prefix or self.last_document
            if document is None:
                document = Document.SMPC
                self.found.guesses.append(
                    f"sections {', '.join(self.numbers)} name no document; read as SmPC"
                )
            self._emit(document)
        self.prefix = None
        self.open = False
        self.after_of = False

    def _emit(self, document):
        for section in self.numbers:
            try:
                document.validate_section(section)
            except ValidationError as error:
                self.found.guesses.append(
                    f"{error.messages[0].rstrip('.')}; not stored as a reference"
                )
                continue
            if (document, section) not in self.found.references:
                self.found.references.append((document, section))
        self.last_document = document
        self.numbers = []
        self.prefix = None
        self.open = False
        self.after_of = False
