"""Which product a product-information document is for, and whether that is the target.

An EU SmPC names its product in section 1 ("NAME OF THE MEDICINAL PRODUCT": "Lemtrada 12 mg
concentrate for solution for infusion") and its active substance in section 2 ("Each vial
contains 12 mg alemtuzumab"). A US label names both in its title line ("LEMTRADA
(alemtuzumab) injection, for intravenous use") and in its highlights ("… needed to use
LEMTRADA safely and effectively"). ``named_product`` reads them; ``mismatch`` compares them
with the product the document is to be loaded into.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from products.documents import Document

US_SAFELY = re.compile(r"to use\s+(.+?)\s+safely and effectively", re.IGNORECASE | re.DOTALL)
US_TITLE = re.compile(r"^\s*([A-Z][A-Z0-9®™\- ]{1,60}?)\s*\(([^)]{2,120})\)", re.MULTILINE)
# The name ends where its strength or form begins: "Lemtrada 12 mg …", "Besponsa 1 mg powder".
STRENGTH = re.compile(r"\s(?=\d|\(|,|\bfilm-coated\b|\bpowder\b|\bconcentrate\b|\bsolution\b)")
WORD = re.compile(r"[^\W_]+")


@dataclass
class NamedProduct:
    """What the document says it is about; ``name`` is "" when it does not say."""

    name: str = ""
    full_name: str = ""
    substance_text: str = ""
    where: str = ""  # "SmPC section 1", "the label's title"
    substances: list = field(default_factory=list)


def named_product(parsed, text):
    """The product the document names: SmPC 1 and 2 when parsed, else a US label's title."""
    section_1 = parsed.get(Document.SMPC, "1")
    if section_1 is not None and section_1.text.strip():
        full = _first_line(section_1.text)
        section_2 = parsed.get(Document.SMPC, "2") or parsed.get(Document.SMPC, "2.2")
        return NamedProduct(
            name=_brand(full),
            full_name=full,
            substance_text=section_2.text if section_2 is not None else "",
            where="SmPC section 1",
        )
    title = US_TITLE.search(text[:20000])
    if title:
        return NamedProduct(
            name=_clean(title[1]),
            full_name=" ".join(title[0].split()),
            substance_text=title[2],
            where="the label's title",
        )
    safely = US_SAFELY.search(text[:20000])
    if safely:
        name = _clean(safely[1])
        return NamedProduct(name=name, full_name=name, where="the label's highlights")
    return NamedProduct()


def mismatch(named, product):
    """Why the document does not seem to be for ``product`` (a message), or None."""
    if not named.name:
        return (
            f"The document does not name its product (no SmPC section 1 “Name of the medicinal "
            f"product” and no US label title were found), so it cannot be checked against "
            f"{product.name}."
        )
    if not _same_name(named.name, product.name):
        return (
            f"The document names the product “{named.full_name}” in {named.where}, not "
            f"{product.name}."
        )
    substances = [substance.name for substance in product.substances.all()]
    if named.substance_text.strip() and substances:
        text = _key(named.substance_text)
        if not any(_key(name) in text for name in substances):
            return (
                f"The document names {product.name}, but its composition does not mention "
                f"{' or '.join(substances)}, the active substance of {product.name}."
            )
    return None


def _same_name(named, name):
    """ "LEMTRADA" and "Lemtrada"; "Besponsa" and "BESPONSA®"; not "Lemtrada" and "Tysabri"."""
    named, name = _key(named), _key(name)
    return bool(named and name) and (named == name or named.startswith(name + " "))


def _first_line(text):
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _brand(full):
    """ "Lemtrada 12 mg concentrate for solution for infusion" → "Lemtrada"."""
    return _clean(STRENGTH.split(full, maxsplit=1)[0])


def _clean(name):
    return " ".join(name.replace("®", " ").replace("™", " ").split()).strip(" .,:;")


def _key(text):
    text = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(WORD.findall(text))
