"""Writing synthetic products to the database, in batches.

``generate(count, seed=...)`` adds ``count`` synthetic products, each with a current published
plan version (one in five also with the older version it superseded), product information,
concerns, measures, studies and milestones, as ``build`` describes them.

- Synthetic and real data never mix: every product written here has ``is_synthetic`` set, and
  it links only to substances and companies that no real product uses. A database holding real
  products is refused unless ``allow_real_data``.
- Runs add up: numbering continues after the highest ``synthetic-NNNNN`` slug, and a product
  depends only on the seed and its number, so ten runs of 1,500 products with one seed write
  what one run of 15,000 writes.
- One transaction for the whole run: a run that fails writes nothing, and on SQLite one
  commit is much faster than one per batch. Products are built and written in batches (250 by
  default), so memory stays bounded however many products are asked for.
- Everything is written with ``bulk_create``: the queries per batch do not grow with the rows
  (bulk inserts are split only where the database limits query parameters). Curated
  models through ``audit.context.bulk_create_audited`` (one historical row each, with the
  run's reason), many-to-many links through their through-models, with the snapshot rows
  their history keeps (``AuditedHistory(m2m_fields=...)``) attached to the objects'
  creation records, as if the links had been there from the start.
"""

import time
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower

from audit.context import bulk_create_audited, recorded_change
from products.models import Company, Product, ProductInformationSection, Substance
from risks.models import (
    AdditionalMeasure,
    Milestone,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)
from risks.published import rebuild_products

from .build import build_product
from .names import SLUG_PREFIX, slug

REASON = "Generated synthetic data for benchmarking (seed {seed})."
BATCH_SIZE = 250


class SyntheticDataError(Exception):
    """Synthetic data cannot be added to this database; str() says why."""


@dataclass
class Summary:
    seed: int
    first: int
    last: int
    counts: Counter
    seconds: float

    def __str__(self):
        count = self.counts[Product]
        if not count:
            return "Generated no synthetic products."
        c = self.counts
        return (
            f"Generated {count} synthetic product{'s' if count != 1 else ''} "
            f"({slug(self.first)} to {slug(self.last)}, seed {self.seed}): "
            f"{c[RiskManagementPlan]} plan versions, {c[SafetyConcern]} safety concerns, "
            f"{c[RoutineMeasure]} routine and {c[AdditionalMeasure]} additional measures, "
            f"{c[Study]} studies, {c[Milestone]} milestones, "
            f"{c[ProductInformationSection]} product information sections, "
            f"in {self.seconds:.1f} s."
        )


def generate(count, *, seed, allow_real_data=False, batch_size=BATCH_SIZE, progress=None):
    """Add ``count`` synthetic products built from ``seed``; return a Summary.

    Raises SyntheticDataError, having written nothing, if the database holds real products
    and ``allow_real_data`` is false. ``progress(done, count)`` is called after each batch.
    Run it with DEBUG off, as the command does: Django's log of queries would keep the SQL
    of thousands of bulk inserts.
    """
    started = time.perf_counter()
    with transaction.atomic(), recorded_change(REASON.format(seed=seed)):
        real = Product.objects.filter(is_synthetic=False).count()
        if real and not allow_real_data:
            raise SyntheticDataError(
                f"This database holds {real} real product{'s' if real != 1 else ''}; synthetic "
                "data is meant for a database of its own. Use --allow-real-data to add "
                "synthetic products beside them anyway."
            )
        first = next_number()
        writer = _Writer(seed)
        for start in range(first, first + count, batch_size):
            stop = min(start + batch_size, first + count)
            writer.write([build_product(seed, number) for number in range(start, stop)])
            if progress:
                progress(stop - first, count)
        # The public lists read the read model built at publication: build the new products'.
        written = [slug(number) for number in range(first, first + count)]
        for start in range(0, count, 1000):
            rebuild_products(
                Product.objects.filter(slug__in=written[start : start + 1000]).values_list(
                    "pk", flat=True
                )
            )
        _refresh_planner_statistics()
    return Summary(seed, first, first + count - 1, writer.counts, time.perf_counter() - started)


def _refresh_planner_statistics():
    """ANALYZE on PostgreSQL, as after any bulk load: until autovacuum gets to it (and never
    within this transaction) the planner would take the new tables for nearly empty, and
    nested loops over sequential scans turn reads of the generated data quadratic."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def next_number():
    """The number after the highest ``synthetic-NNNNN`` slug in the database."""
    slugs = Product.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True)
    numbers = [int(s[len(SLUG_PREFIX) :]) for s in slugs if s[len(SLUG_PREFIX) :].isdigit()]
    return max(numbers, default=0) + 1


class _Writer:
    """Writes batches of built products; remembers the substances and companies it wrote."""

    def __init__(self, seed):
        self.seed = seed
        self.counts = Counter()
        self.substances = {}  # name -> pk
        self.companies = {}

    def write(self, specs):
        self._pool(Substance, self.substances, {n for spec in specs for n in spec.substances})
        self._pool(Company, self.companies, {spec.company for spec in specs})
        products = self._create(Product, [self._product(spec) for spec in specs])
        self._link(
            Product,
            "substances",
            [
                (product.pk, self.substances[name])
                for product, spec in zip(products, specs, strict=True)
                for name in spec.substances
            ],
        )
        self._create(
            ProductInformationSection,
            [
                ProductInformationSection(
                    product_id=product.pk,
                    document=section.document,
                    section=section.section,
                    title=section.title,
                    text=section.text,
                    position=position,
                )
                for product, spec in zip(products, specs, strict=True)
                for position, section in enumerate(spec.sections)
            ],
        )
        # Older versions first, so that the current ones can name the version they copied.
        older = [
            (spec.plans[0], self._plan(spec.plans[0], product))
            for product, spec in zip(products, specs, strict=True)
            if len(spec.plans) > 1
        ]
        self._create(RiskManagementPlan, [plan for _, plan in older])
        copied = {plan.product_id: plan.pk for _, plan in older}
        current = [
            (spec.plans[-1], self._plan(spec.plans[-1], product, copied.get(product.pk)))
            for product, spec in zip(products, specs, strict=True)
        ]
        self._create(RiskManagementPlan, [plan for _, plan in current])
        self._parts(older + current)

    def _product(self, spec):
        return Product(
            name=spec.name,
            slug=spec.slug,
            region=spec.region,
            authorisation_status=spec.authorisation_status,
            procedure_number=spec.procedure_number,
            authorisation_numbers=spec.authorisation_numbers,
            marketing_authorisation_holder_id=self.companies[spec.company],
            indication=spec.indication,
            route=spec.route,
            pharmaceutical_form=spec.pharmaceutical_form,
            is_synthetic=True,
        )

    def _plan(self, spec, product, copied_from=None):
        return RiskManagementPlan(
            product_id=product.pk,
            version=spec.version,
            date=spec.date,
            status=spec.status,
            source_document=f"Synthetic data: manage.py generate_synthetic_data --seed {self.seed}",
            copied_from_id=copied_from,
            submitted_at=spec.submitted_at,
            published_at=spec.published_at,
            superseded_at=spec.superseded_at,
        )

    def _parts(self, plans):
        """Concerns, measures, references, studies and milestones of [(spec, plan), ...]."""
        concerns = [
            [
                SafetyConcern(
                    plan_id=plan.pk,
                    category=concern.category,
                    name=concern.name,
                    position=position,
                    evidence=concern.evidence,
                    risk_factors=concern.risk_factors,
                    lineage=concern.lineage,
                )
                for position, concern in enumerate(spec.concerns)
            ]
            for spec, plan in plans
        ]
        self._create(SafetyConcern, [concern for group in concerns for concern in group])

        routine = [
            (
                RoutineMeasure(
                    safety_concern_id=concern.pk, kind=item.kind, text=item.text, position=position
                ),
                item.references,
            )
            for (spec, _), group in zip(plans, concerns, strict=True)
            for concern_spec, concern in zip(spec.concerns, group, strict=True)
            for position, item in enumerate(concern_spec.routine)
        ]
        self._create(RoutineMeasure, [measure for measure, _ in routine])
        self._create(
            SectionReference,
            [
                SectionReference(
                    routine_measure_id=measure.pk,
                    document=document,
                    section=section,
                    position=position,
                )
                for measure, references in routine
                for position, (document, section) in enumerate(references)
            ],
        )

        additional = [
            (
                AdditionalMeasure(
                    plan_id=plan.pk,
                    kind=item.kind,
                    name=item.name,
                    description=item.description,
                    lineage=item.lineage,
                ),
                [group[i] for i in item.concerns],
            )
            for (spec, plan), group in zip(plans, concerns, strict=True)
            for item in spec.measures
        ]
        self._create(AdditionalMeasure, [measure for measure, _ in additional])
        self._link(
            AdditionalMeasure,
            "safety_concerns",
            [(measure.pk, concern.pk) for measure, linked in additional for concern in linked],
        )

        studies = [
            (
                Study(
                    plan_id=plan.pk,
                    code=item.code,
                    short_name=item.short_name,
                    title=item.title,
                    category=item.category,
                    design=item.design,
                    purpose=item.purpose,
                    status=item.status,
                    position=position,
                    lineage=item.lineage,
                ),
                item,
                [group[i] for i in item.concerns],
            )
            for (spec, plan), group in zip(plans, concerns, strict=True)
            for position, item in enumerate(spec.studies)
        ]
        self._create(Study, [study for study, _, _ in studies])
        self._link(
            Study,
            "safety_concerns",
            [(study.pk, concern.pk) for study, _, linked in studies for concern in linked],
        )
        milestones = []
        for study, item, _ in studies:
            for position, entry in enumerate(item.milestones):
                milestone = Milestone(
                    study_id=study.pk,
                    description=entry.description,
                    reported_on=entry.reported_on,
                    position=position,
                )
                milestone.set_due(entry.due)
                milestones.append(milestone)
        self._create(Milestone, milestones)

    def _create(self, model, objects):
        objects = list(objects)
        if objects:
            bulk_create_audited(model, objects)
            if objects[0].pk is None:
                raise SyntheticDataError(
                    "This database does not return the ids of rows inserted in bulk; "
                    "synthetic data needs PostgreSQL or SQLite 3.35 or later."
                )
        self.counts[model] += len(objects)
        return objects

    def _link(self, model, name, pairs):
        """Link [(object pk, target pk), ...] through ``model.name``, and record the links
        in the snapshot of each object's creation record (its "+" historical row)."""
        if not pairs:
            return
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        rows = through.objects.bulk_create([through(**{source: a, target: b}) for a, b in pairs])
        created = dict(
            model.history.filter(id__in={a for a, _ in pairs}, history_type="+").values_list(
                "id", "history_id"
            )
        )
        snapshot = getattr(model.history.model, name).model
        snapshot.objects.bulk_create(
            [
                snapshot(history_id=created[a], id=row.pk, **{source: a, target: b})
                for row, (a, b) in zip(rows, pairs, strict=True)
            ]
        )

    def _pool(self, model, known, names):
        """Find or create the substances or companies ``names``, into ``known`` {name: pk}.

        An existing one is reused unless a real product uses it; then a " (synthetic)" twin
        is used instead, so that synthetic products never show up on real data's pages.
        """
        names = sorted(name for name in names if name not in known)
        if not names:
            return
        related = "substances" if model is Substance else "marketing_authorisation_holder"
        users = Product.objects.filter(**{related: OuterRef("pk")})
        twins = {name: f"{name} (synthetic)" for name in names}
        found = {
            key: (pk, usable)
            for key, pk, usable in model.objects.annotate(
                key=Lower("name"),
                usable=~Exists(users.filter(is_synthetic=False)),
            )
            .filter(key__in=[n.lower() for n in [*names, *twins.values()]])
            .values_list("key", "pk", "usable")
        }
        new = []
        for name in names:
            for candidate in (name, twins[name]):
                pk, usable = found.get(candidate.lower(), (None, False))
                if pk is None:
                    new.append((name, model(name=candidate)))
                    break
                if usable:
                    known[name] = pk
                    break
            else:
                raise SyntheticDataError(
                    f"“{name}” and “{twins[name]}” are both in use by real data: "
                    "rename one, or generate into a database of its own."
                )
        self._create(model, [item for _, item in new])
        known.update((name, item.pk) for name, item in new)
