"""Invented names: products, active substances and companies, none of them real.

A brand or substance name is built from syllables (``vocabulary``): a number maps to one
combination, scrambled by a multiplier coprime with the number of combinations so that
neighbours do not look alike; numbers beyond the combinations add syllables. So every
number has its own name, and the same one on every run.
"""

import functools
import random

from . import vocabulary as words

SLUG_PREFIX = "synthetic-"
COMPANY_COUNT = 150


def slug(number):
    """ "synthetic-00042" """
    return f"{SLUG_PREFIX}{number:05d}"


def brand(number):
    """The invented brand name of product ``number``: "Hyganova"."""
    (prefix, middle, ending), extra = _combination(
        number, words.BRAND_PREFIXES, words.BRAND_MIDDLES, words.BRAND_ENDINGS, multiplier=104729
    )
    return prefix + _extra_syllables(extra, words.BRAND_MIDDLES) + middle + ending


def substance(number):
    """(name, route class) of the invented active substance ``number``: ("fovirsemide", "oral")."""
    stems = [stem for stem, _ in words.SUBSTANCE_STEMS]
    (prefix, middle, stem), extra = _combination(
        number, words.SUBSTANCE_PREFIXES, words.SUBSTANCE_MIDDLES, stems
    )
    name = prefix + _extra_syllables(extra, words.SUBSTANCE_MIDDLES) + middle + stem
    return name, dict(words.SUBSTANCE_STEMS)[stem]


@functools.cache
def companies():
    """The pool of invented marketing authorisation holders, the same for every seed."""
    rng = random.Random("synthetic-companies")
    names = [
        f"{root} {kind} {form}"
        for root in words.COMPANY_ROOTS
        for kind in words.COMPANY_KINDS
        for form in words.COMPANY_FORMS
    ]
    return tuple(rng.sample(names, COMPANY_COUNT))


def _combination(number, *alphabets, multiplier=7919):
    size = 1
    for alphabet in alphabets:
        size *= len(alphabet)
    extra, number = divmod(number, size)
    number = number * multiplier % size
    parts = []
    for alphabet in reversed(alphabets):
        number, index = divmod(number, len(alphabet))
        parts.append(alphabet[index])
    parts.reverse()
    return parts, extra


def _extra_syllables(extra, alphabet):
    syllables = ""
    while extra:
        extra, index = divmod(extra - 1, len(alphabet))
        syllables = alphabet[index] + syllables
    return syllables
