"""Passwords that do not give the site away: none made of the site's own words.

``SiteWordsValidator`` (in ``AUTH_PASSWORD_VALIDATORS``) refuses a password that contains
a word anyone who knows the site would try first: the names and slugs of the products it
holds and of their active substances, "curator", "reviewer", "rmp" and the site's name.
The comparison ignores case, spaces and punctuation, and reads the usual digit-for-letter
swaps back as letters, so "L3mtrada-2024!" counts as "lemtrada2024".
"""

import re

from django.core.exceptions import ValidationError

from products.models import Product, Substance

SITE_NAME = "RMP Browser"
FIXED_WORDS = ("curator", "reviewer", "rmp")
SHORTEST_NAME = 4  # a word of a product name shorter than this is too common to refuse
_LEET = str.maketrans(
    {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


def _letters(text):
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _spellings(password):
    """The password as typed and with digits read as letters, both reduced to a-z0-9."""
    plain = _letters(password)
    return {plain, _letters(password.casefold().translate(_LEET))}


def site_words():
    """The site's own words, lower case, letters and digits only."""
    words = {*FIXED_WORDS, _letters(SITE_NAME)}
    names = list(Product.objects.values_list("name", "slug"))
    names += [(name, "") for name in Substance.objects.values_list("name", flat=True)]
    for name, slug in names:
        for text in (name, slug):
            words.add(_letters(text))
            words.update(_letters(part) for part in re.split(r"[\s/,()_-]+", text))
    return {word for word in words if len(word) >= SHORTEST_NAME or word in FIXED_WORDS}


class SiteWordsValidator:
    """Refuses passwords that contain the site's own words (products, roles, its name)."""

    def validate(self, password, user=None):
        spellings = _spellings(password)
        found = sorted(
            word for word in site_words() if any(word in spelling for spelling in spellings)
        )
        if found:
            raise ValidationError(
                "This password contains “%(word)s”, a word of this site that anyone would try "
                "first. Choose a password without product names, role names or the site's name.",
                code="password_site_word",
                params={"word": found[0]},
            )

    def get_help_text(self):
        return (
            "Your password cannot contain the site's own words: product or substance names, "
            "“curator”, “reviewer”, “rmp” or the site's name."
        )
