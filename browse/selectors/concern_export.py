"""The CSV and JSON export of the safety concerns across products, streamed.

Rows leave in the order of the /risks/ page (groups by name, or most products first; in a
group by product, category, id). The groups are counted and ordered by the database
(``summarise_concerns``); the concerns are then read group by group, as plain
tuples, a few groups (up to a chunk of concerns, ``CHUNK`` or ``SQLITE_CHUNK``) per query,
and their references, additional measures and studies three queries per chunk, which
select the chunk's concern ids (one array parameter on PostgreSQL). The CSV's fuller rows
(``detail=True``) also carry each concern's evidence, risk factors, plan version and product
status (read in the same query) and its routine measures (a fourth query per chunk). No model
instance is made and memory holds one chunk at a time, however many concerns match.
"""

import functools
import itertools
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, F, Func, Q

from common.addresses import AddressPattern
from products.documents import Document
from products.models import AuthorisationStatus
from risks.models import (
    AdditionalMeasure,
    RoutineMeasure,
    RoutineMeasureKind,
    SectionReference,
    Study,
    concern_slug,
)

from .concerns import ENTRY_ORDER, summarise_concerns

CHUNK = 2048
# SQLite keeps up to 128 prepared statements per connection, each as large as its IN list:
# shorter lists keep the export's memory flat there (PostgreSQL is faster with longer ones).
SQLITE_CHUNK = 512
COLUMNS = (  # of the read model's rows (risks.published.PublishedConcern)
    "group_key",
    "concern_id",
    "name",
    "category",
    "product_name",
    "product_slug",
    "region",
    "name_key",
)
DETAIL_COLUMNS = (  # the CSV's, through the concern, its plan and its product
    "concern__evidence",
    "concern__risk_factors",
    "concern__plan__version",
    "product__authorisation_status",
)
_STATUS_LABELS = dict(AuthorisationStatus.choices)


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
    evidence: str = ""
    risk_factors: str = ""
    routine_measures: list = ()
    plan_version: str = ""
    authorisation_status: str = ""


def export_rows(concerns, sort="", *, groups=None, detail=False):
    """ExportRows of ``concerns`` (read-model rows of current concerns), in page order.

    ``groups``: the page's groups (``summarise_concerns``), when the caller has them already.
    ``detail``: fill the evidence, risk factors, routine measures, plan version and product
    status too (the CSV's columns; JSON keeps its fields).
    """
    columns = COLUMNS + DETAIL_COLUMNS if detail else COLUMNS
    if groups is None:
        groups = summarise_concerns(concerns, sort).groups
    size = chunk_size()
    for batch in _batches(groups, size):
        names = {group.key: group.name for group in batch}
        rank = {group.key: index for index, group in enumerate(batch)}
        matches = (
            concerns.filter(group_key__in=_padded(list(names), size))
            .order_by("group_key", *ENTRY_ORDER)
            .values_list(*columns)
            .iterator(chunk_size=size)
        )
        # A batch of several groups fits one chunk (reordered here); a bigger group streams.
        for chunk in _chunks(matches, size):
            ordered = sorted(chunk, key=lambda match: rank[match[0]])
            yield from _rows(ordered, names, [match[1] for match in ordered], size, detail)


def chunk_size():
    """How many concerns the export reads and details at a time on this database."""
    return min(CHUNK, SQLITE_CHUNK) if connection.vendor == "sqlite" else CHUNK


def _among(column, ids, limit):
    """The condition "``column`` is one of ``ids``" for a detail query.

    On PostgreSQL the ids go as one array parameter: an ``IN`` list of 2,048 parameters
    costs more to prepare and bind than the query takes. Elsewhere ``IN``, padded.
    """
    if connection.vendor == "postgresql":
        return _AnyOf(F(column), ids)
    return Q(**{f"{column}__in": _padded(ids, limit)})


class _AnyOf(Func):
    """``column = ANY(%s)``, the values bound as one array (PostgreSQL)."""

    output_field = BooleanField()

    def __init__(self, column, values):
        super().__init__(column)
        self.values = list(values)

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(%s)", (*params, self.values)


def _padded(values, limit):
    """``values`` with the last repeated up to a power of two (at most ``limit`` long).

    Each length of an ``IN (...)`` list is a distinct statement, which the database driver
    prepares and keeps (SQLite's statement cache holds 128, each large with a long list): a
    few lengths keep that memory flat however many chunks an export has.
    """
    size = 1
    while size < len(values):
        size *= 2
    return values + values[-1:] * (min(size, limit) - len(values))


def _chunks(rows, size):
    """Lists of up to ``size`` of ``rows`` (itertools.batched, from Python 3.12)."""
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _batches(groups, limit):
    """Consecutive groups, each batch holding up to ``limit`` concerns (or one bigger group)."""
    batch, size = [], 0
    for group in groups:
        if batch and size + group.concern_count > limit:
            yield batch
            batch, size = [], 0
        batch.append(group)
        size += group.concern_count
    if batch:
        yield batch


def _rows(chunk, group_names, ids, size, detail=False):
    """ExportRows of ``chunk`` (COLUMNS tuples, or COLUMNS + DETAIL_COLUMNS with ``detail``),
    whose concern ids are ``ids``."""
    labels = _section_labels(_among("routine_measure__safety_concern_id", ids, size))
    measures = _measure_names(_among("safetyconcern_id", ids, size))
    studies = _study_names(_among("safetyconcern_id", ids, size))
    routine = _routine_texts(_among("safety_concern_id", ids, size)) if detail else {}
    for key, pk, name, category, product_name, product_slug, region, name_key, *more in chunk:
        details = {}
        if detail:  # the CSV's columns: the rows carry four more values
            evidence, risk_factors, version, status = more
            details = {
                "evidence": evidence,
                "risk_factors": risk_factors,
                "routine_measures": routine.get(pk, []),
                "plan_version": version,
                "authorisation_status": _STATUS_LABELS.get(status, status),
            }
        yield ExportRow(
            group=group_names[key],
            product=product_name,
            product_slug=product_slug,
            region=region,
            category=category,
            name=name,
            url=_concern_url(product_slug, name_key),
            section_references=labels.get(pk, []),
            additional_measures=measures.get(pk, []),
            studies=studies.get(pk, []),
            **details,
        )


def _concern_url(slug, group_key):
    """The concern's permanent page: slugs are URL-safe, so one reverse() serves them all."""
    return _concern_url_pattern()(slug=slug, concern=concern_slug(group_key))


@functools.cache
def _concern_url_pattern():
    return AddressPattern("browse:concern", "slug", "concern")


_ABBREVIATIONS = {document.value: document.abbreviation for document in Document}


def _section_labels(among):
    """{concern id: ["SmPC 4.4", ...]}: distinct, in measure and reference order."""
    rows = (
        SectionReference.objects.filter(among)
        .order_by("routine_measure__position", "routine_measure_id", "position", "pk")
        .values_list("routine_measure__safety_concern_id", "document", "section")
    )
    labels = defaultdict(dict)
    for concern_id, document, section in rows:
        labels[concern_id][f"{_ABBREVIATIONS[document]} {section}"] = None
    return {concern_id: list(found) for concern_id, found in labels.items()}


def _routine_texts(among):
    """{concern id: ["Product information wording: …", ...]}, in the plan's order."""
    rows = (
        RoutineMeasure.objects.filter(among)
        .order_by("position", "pk")
        .values_list("safety_concern_id", "kind", "text")
    )
    kinds = dict(RoutineMeasureKind.choices)
    texts = defaultdict(list)
    for concern_id, kind, text in rows:
        texts[concern_id].append(f"{kinds.get(kind, kind)}: {text}" if text else kinds.get(kind))
    return texts


def _measure_names(among):
    rows = (
        AdditionalMeasure.safety_concerns.through.objects.filter(among)
        .order_by("additionalmeasure__name", "additionalmeasure_id")
        .values_list("safetyconcern_id", "additionalmeasure__name")
    )
    names = defaultdict(list)
    for concern_id, name in rows:
        names[concern_id].append(name)
    return names


def _study_names(among):
    rows = (
        Study.safety_concerns.through.objects.filter(among)
        .order_by("study__position", "study_id")
        .values_list("safetyconcern_id", "study__code", "study__short_name", "study__title")
    )
    names = defaultdict(list)
    for concern_id, code, short_name, title in rows:
        names[concern_id].append(code or short_name or title)
    return names
