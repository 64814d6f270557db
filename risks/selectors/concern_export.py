"""The CSV and JSON export of the safety concerns across products, fast and light.

Rows leave in the order of the /risks/ page (groups by name, or most products first; in a
group by product, category, position). The matching concerns are read once as plain tuples
of six columns and grouped in memory; their references, additional measures and studies are
then read chunk by chunk, three queries per chunk, so no model instance is made and memory
holds one chunk of details at a time.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse

from products.documents import Document

from ..models import SafetyConcern
from ..normalise import concern_key
from .concerns import group_concerns

CHUNK = 2000

# Concern names recur across products (and grouping keys are costly to make): one per name.
_key = functools.lru_cache(maxsize=20_000)(concern_key)


@dataclass(frozen=True, slots=True)
class _Match:
    pk: int
    name: str
    category: str
    product_name: str
    product_slug: str
    region: str


@dataclass(frozen=True, slots=True)
class ExportRow:
    group: str
    product: str
    product_slug: str
    region: str
    category: str
    name: str
    url: str
    section_references: list
    additional_measures: list
    studies: list


def export_rows(concerns, sort=""):
    """ExportRows of ``concerns`` (a queryset of current concerns), in page order."""
    ordered = _in_page_order(_matches(concerns), sort)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        ids = [match.pk for _, match in chunk]
        labels, measures, studies = _section_labels(ids), _measure_names(ids), _study_names(ids)
        for group, match in chunk:
            yield ExportRow(
                group=group,
                product=match.product_name,
                product_slug=match.product_slug,
                region=match.region,
                category=match.category,
                name=match.name,
                url=f"{_product_url(match.product_slug)}#concern-{match.pk}",
                section_references=labels.get(match.pk, []),
                additional_measures=measures.get(match.pk, []),
                studies=studies.get(match.pk, []),
            )


def _matches(concerns):
    columns = ("pk", "name", "category", "plan__product__name", "plan__product__slug")
    rows = concerns.order_by().values_list(*columns, "plan__product__region")
    return [_Match(*row) for row in rows.iterator(chunk_size=CHUNK)]


def _in_page_order(matches, sort):
    """[(group name, match)], in the order of the /risks/ page."""
    groups = group_concerns(
        matches, sort, product_of=lambda match: (match.product_name, match.product_slug), key=_key
    )
    return [(group.name, match) for group in groups for match in group.concerns]


@functools.lru_cache(maxsize=50_000)
def _product_url(slug):
    return reverse("products:detail", args=[slug])


def _details(ids, *columns):
    """Rows of (concern id, *columns) for the concerns ``ids``, in the given order."""
    return SafetyConcern.objects.filter(pk__in=ids).values_list("pk", *columns)


def _section_labels(ids):
    """{concern id: ["SmPC 4.4", ...]}: distinct, in measure and reference order."""
    prefix = "routine_measures__section_references__"
    rows = _details(ids, f"{prefix}document", f"{prefix}section").order_by(
        "routine_measures__position",
        "routine_measures__id",
        f"{prefix}position",
        f"{prefix}id",
    )
    labels = defaultdict(dict)
    for concern_id, document, section in rows:
        if document is None:  # a concern without references (a left join)
            continue
        labels[concern_id][f"{Document(document).abbreviation} {section}"] = None
    return {concern_id: list(found) for concern_id, found in labels.items()}


def _measure_names(ids):
    rows = _details(ids, "additional_measures__name").order_by(
        "additional_measures__name", "additional_measures__id"
    )
    names = defaultdict(list)
    for concern_id, name in rows:
        if name is not None:
            names[concern_id].append(name)
    return names


def _study_names(ids):
    rows = _details(ids, "studies__code", "studies__short_name", "studies__title").order_by(
        "studies__position", "studies__id"
    )
    names = defaultdict(list)
    for concern_id, code, short_name, title in rows:
        if title is not None:
            names[concern_id].append(code or short_name or title)
    return names
