"""Reads of the curated risk terms for the public: only terms that group published concerns.

A term is public through the concerns of current published plans linked to it (the read
model's ``group_key`` ``term:<slug>``): a term linked only to drafts, or to nothing, is not
shown, so that a draft's term never leaks.
"""

import re

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat

from risks.models import RiskTerm
from risks.normalise import spelling_variants
from risks.published import PublishedConcern

TERMS_SHOWN = 5
MAX_WORDS = 12


def _words(text):
    """The words a search names (not those it leaves out with "-", nor "or")."""
    words = []
    for token in re.findall(r'-?"[^"]*"|-?[^\s"]+', text or ""):
        if token.startswith("-"):
            continue
        words += [w for w in re.findall(r"\w+", token) if len(w) >= 2 and w.casefold() != "or"]
    return words[:MAX_WORDS]


def terms_matching(text, limit=TERMS_SHOWN):
    """Risk terms whose preferred name or synonyms hold every word of ``text`` (either
    spelling), with ``product_count``: the products whose current plan lists the term. Only
    terms with such products; at most ``limit``, by name (one query)."""
    words = _words(text)
    if not words:
        return []
    matching = Q()
    for word in words:
        any_name = Q()
        for variant in spelling_variants(word):
            any_name |= Q(preferred_name__icontains=variant) | Q(synonyms__icontains=variant)
        matching &= any_name
    products = (
        PublishedConcern.objects.filter(group_key=Concat(Value("term:"), OuterRef("slug")))
        .order_by()
        .values("group_key")
        .annotate(n=Count("product", distinct=True))
        .values("n")
    )
    return list(
        RiskTerm.objects.filter(matching)
        .annotate(product_count=Subquery(products, output_field=IntegerField()))
        .filter(product_count__gt=0)
        .order_by("preferred_name")[:limit]
    )
