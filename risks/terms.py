"""Suggesting a curated risk term (``RiskTerm``) for a safety concern from its name.

A suggestion is only that: it fills ``SafetyConcern.suggested_term``, shown to the curator
in the admin beside the concern's confirmed ``term``, which only a curator sets. The public
pages group by confirmed terms only.

The suggestion, in order:

1. **Same grouping key.** The concern's name and one of the term's names (its preferred name
   or a synonym) have the same ``risks.normalise.concern_key``: spelling, plural, case,
   accents and a bracketed abbreviation aside, they are the same name.
2. **Similar words.** Otherwise each name is read as a set of words: the words of its key,
   and the expansions of the abbreviations it carries ("SJS/TEN", "(VOD)") or that are the
   initials of a term's name ("VOD" for "veno-occlusive disease"). The score of a term's
   name is the share of its words the concern's name has (the words of a short term found
   in a longer concern name: "Hemorrhage" in "Hemorrhage, including cerebral ... hemorrhage"),
   weighed with the share of the concern's words the term has, so that a term that covers
   the concern's name best wins. A word matches another when they are equal or share a
   stem of at least 6 letters ("myelosuppressive" and "myelosuppression"). Below
   ``THRESHOLD`` there is no suggestion. Words that say little on their own ("use",
   "patients", "including", "and") are left out.
"""

import re
from dataclasses import dataclass

from django.db.models.signals import post_save

from .models import RiskTerm, SafetyConcern
from .normalise import ABBREVIATIONS, _abbreviation_lookup, concern_key
from .published import rebuild_products

THRESHOLD = 0.5
STEM = 6
STOP_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "during",
    "for",
    "i",
    "ie",
    "in",
    "including",
    "its",
    "of",
    "on",
    "or",
    "other",
    "particularly",
    "patient",
    "patients",
    "than",
    "the",
    "to",
    "use",
    "with",
}
_ABBREVIATION = re.compile(r"\b[A-Z][A-Z0-9]{1,}s?\b")


def _words(text):
    return [word for word in concern_key(text).split() if word not in STOP_WORDS]


def _expansions(name):
    """Words of the expansions of the abbreviations written in ``name`` ("SJS/TEN", "(PML)")."""
    words = []
    for abbreviation in _ABBREVIATION.findall(name):
        expansion = ABBREVIATIONS.get(_abbreviation_lookup(abbreviation))
        if expansion:
            words += _words(expansion)
    for group in re.findall(r"\b[A-Z]{2,}(?:\s*/\s*[A-Z]{2,})+\b", name):
        expansion = ABBREVIATIONS.get(_abbreviation_lookup(group))
        if expansion:
            words += _words(expansion)
    return words


def _initials(words):
    return "".join(word[0] for word in words if word)


def _matches(word, other):
    if word == other:
        return True
    size = min(len(word), len(other))
    return size >= STEM and word[:STEM] == other[:STEM] and abs(len(word) - len(other)) <= 4


@dataclass(frozen=True)
class _Name:
    key: str
    words: frozenset
    initials: str
    abbreviations: frozenset

    @classmethod
    def of(cls, text):
        words = _words(text)
        expanded = words + _expansions(text)
        abbreviations = {a.rstrip("s").casefold() for a in _ABBREVIATION.findall(text)}
        return cls(
            concern_key(text), frozenset(expanded), _initials(words), frozenset(abbreviations)
        )


def _share(words, others):
    if not words:
        return 0.0
    return sum(1 for word in words if any(_matches(word, other) for other in others)) / len(words)


def similarity(concern_name, term_name):
    """How alike a concern's name and a term's name are, from 0 to 1 (rules above)."""
    return _similarity(_Name.of(concern_name), _Name.of(term_name))


def _similarity(concern, term):
    if concern.key and concern.key == term.key:
        return 1.0
    if len(term.initials) >= 2 and term.initials in concern.abbreviations:
        return 0.9  # "VOD" in the concern for the term "veno-occlusive disease"
    if len(concern.initials) >= 2 and concern.initials in term.abbreviations:
        return 0.9
    covered = _share(term.words, concern.words)  # of the term's words in the concern
    covering = _share(concern.words, term.words)  # of the concern's words in the term
    return 0.75 * covered + 0.25 * covering if covered else 0.0


class TermIndex:
    """The vocabulary of terms, read once, to suggest a term for many concern names."""

    def __init__(self, terms):
        self.terms = list(terms)
        self.by_slug = {term.slug: term for term in self.terms}
        self.by_pk = {term.pk: term for term in self.terms}
        self.by_key = {}
        self.names = []  # [(term, _Name)], read once for every suggestion
        for term in self.terms:
            for name in term.names:
                self.by_key.setdefault(concern_key(name), term)
                self.names.append((term, _Name.of(name)))

    @classmethod
    def load(cls):
        return cls(RiskTerm.objects.all())

    def suggest(self, name):
        """The term suggested for a concern called ``name``, or None."""
        key = concern_key(name)
        if key in self.by_key:
            return self.by_key[key]
        concern = _Name.of(name)
        best, best_score = None, THRESHOLD
        for term, term_name in self.names:
            score = _similarity(concern, term_name)
            if score > best_score or (score == best_score and best is None):
                best, best_score = term, score
        return best


def suggest_term(name, terms=None):
    """The term suggested for a concern called ``name`` among ``terms`` (all if None)."""
    index = TermIndex.load() if terms is None else TermIndex(terms)
    return index.suggest(name)


def _on_term(sender, instance, **kwargs):
    """A term renamed (or its address changed) renames its group on the public lists."""
    if kwargs.get("raw"):
        return
    product_ids = (
        SafetyConcern.objects.current()
        .filter(term=instance)
        .values_list("plan__product", flat=True)
        .distinct()
        .order_by()
    )
    rebuild_products(list(product_ids))


def connect():
    """Connect the receiver that keeps the read model's group names in step (``ready``)."""
    post_save.connect(_on_term, sender=RiskTerm, dispatch_uid="risks.terms.term.save")
