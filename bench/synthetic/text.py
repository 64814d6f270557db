"""Prose for synthetic products: section texts, evidence, labelling wording.

Every function draws from the ``rng`` it is given (the product's), so texts are
reproducible. ``fields`` fill the placeholders of the vocabulary's sentences.
"""

from products.documents import Document

from . import vocabulary as words


def lower_first(name):
    """ "Serious infections" -> "serious infections"; acronyms ("QT ...", "PML") keep case."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def join(items):
    """ "a, b and c" """
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def prose(rng, pool, target, fields):
    """Sentences of ``pool`` in paragraphs, each at most once, until ``target`` characters."""
    paragraphs, paragraph, length, size = [], [], 0, rng.randint(1, 4)
    start = rng.randint(0, len(pool) - 1)
    for sentence in pool[start:] + pool[:start]:  # a rotation: cheaper than a shuffle
        paragraph.append(sentence.format_map(fields))
        length += len(paragraph[-1]) + 1
        if length >= target:
            break
        if len(paragraph) == size:
            paragraphs.append(" ".join(paragraph))
            paragraph, size = [], rng.randint(1, 4)
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs)


def labelling_text(rng, references):
    """How a plan words a labelling measure: "SmPC sections 4.4 and 4.8; PL section 2." """
    by_document = {}
    for document, section in references:
        by_document.setdefault(document, []).append(section)
    parts = [
        (
            Document(document).abbreviation,
            "section" if len(sections) == 1 else "sections",
            join(sections),
        )
        for document, sections in by_document.items()
    ]
    style = rng.randrange(3)
    if style == 0:
        return "; ".join(f"{doc} {word} {numbers}" for doc, word, numbers in parts) + "."
    lead = "Labelled in " if style == 1 else "Information and recommendations in "
    return (
        lead
        + " and in ".join(f"{word} {numbers} of the {doc}" for doc, word, numbers in parts)
        + "."
    )


def section_text(rng, fields, document, section, concerns):
    """The text of a product information section; ``concerns``: names of the risks citing it."""
    if document == Document.US_PRESCRIBING_INFORMATION:
        document, section = Document.SMPC, words.USPI_EQUIVALENTS[section]
    low, high = words.SECTION_LENGTHS[section]
    specific = ""
    if concerns and (document, section) in SPECIFIC_TEXT:
        heading, item, separator = SPECIFIC_TEXT[(document, section)]
        items = (item(rng, fields, name) for name in concerns)
        specific = heading + separator + separator.join(items)
    text = prose(
        rng,
        words.SECTION_SENTENCES[(document, section)],
        max(low // 2, rng.randint(low, high) - len(specific)),
        fields,
    )
    return f"{text}\n\n{specific}" if specific else text


def _warning(rng, fields, name):
    fields = {**fields, "concern": lower_first(name), "factor": rng.choice(words.RISK_FACTORS)}
    sentences = rng.sample(words.WARNING_SENTENCES, rng.randint(1, 3))
    return name + "\n" + " ".join(sentence.format_map(fields) for sentence in sentences)


def _adverse_reaction(rng, fields, name):
    fields = {**fields, "concern": lower_first(name), "pct": rng.randint(1, 30)}
    sentences = rng.sample(words.EVIDENCE_SENTENCES[:2] + words.EVIDENCE_SENTENCES[7:9], 2)
    return name + "\n" + " ".join(sentence.format_map(fields) for sentence in sentences)


def _bullet(rng, fields, name):
    return f"- {lower_first(name)}"


# Sections whose text names the risks that cite them: (heading, one item per risk, separator).
SPECIFIC_TEXT = {
    (Document.SMPC, "4.4"): ("Important risks", _warning, "\n\n"),
    (Document.SMPC, "4.8"): (
        "Description of selected adverse reactions",
        _adverse_reaction,
        "\n\n",
    ),
    (Document.PACKAGE_LEAFLET, "2"): (
        "Warnings and precautions\nTalk to your doctor before you take this medicine if you have "
        "or have had:",
        _bullet,
        "\n",
    ),
    (Document.PACKAGE_LEAFLET, "4"): (
        "Serious side effects\nTell your doctor straight away if you notice any signs of:",
        _bullet,
        "\n",
    ),
}
