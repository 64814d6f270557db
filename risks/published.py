"""The read model of the public lists: published data, flat and indexed, built at publication.

Published data changes only when a version is published or withdrawn (``risks.workflow``)
or when a public product's own fields change. Then, inside the same transaction,
``rebuild_for_product`` rewrites that product's rows here:

- ``PublishedProduct``: one row per public product (a published plan, or no plan at all) with
  what the products list shows and filters on: region, status, current version, concern and
  study counts, and a flag per concern category, additional-measure kind and study category;
- ``PublishedProductCount``: the public products counted per combination of those filter
  fields, and ``PublishedSubstance``: the public products counted per active substance, so
  that the products list's facets and count are sums over a table the size of the
  combinations that occur (hundreds), and its substance facet starts from the most frequent
  substances, whatever the number of products;
- ``PublishedConcern``: one row per concern of a current published plan with its product's
  name, slug and region, its category and grouping key, and its text (name, evidence, risk
  factors) in lower case for the text filter;
- ``PublishedStudy``: one row per study of a current published plan with its next due date
  (the earliest unreported dated milestone), its category, status, design and position, and
  its product's name and slug. A study is overdue on a day when that date is before the day:
  an indexed comparison, whatever the date.

Drafts and versions in review never reach these tables. The public list pages
(``browse/selectors``) read them with indexed lookups; ``manage.py rebuild_published``
rewrites them all (after a migration, a bulk load or a restore). Writes that bypass the
workflow (the seed loader, a published product change, tests' factories) keep them in step through
the signal receivers below, which rebuild only a public product's rows.
"""

from django.db import connections, models, transaction
from django.db.models import Case, Count, F, Min, Q, Value, When
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils import timezone

from products.models import Product, Substance

from . import publications
from .models import (
    AdditionalMeasure,
    AdditionalMeasureKind,
    ConcernCategory,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    Study,
    StudyCategory,
    public_products,
    term_group_key,
)

CATEGORY_RANK = {category.value: rank for rank, category in enumerate(ConcernCategory)}
CONCERN_FLAGS = {value: f"concern_{value}" for value in ConcernCategory.values}
CONCERN_COUNTS = {value: f"{value}_count" for value in ConcernCategory.values}
MEASURE_FLAGS = {value: f"measure_{value}" for value in AdditionalMeasureKind.values}
STUDY_FLAGS = {value: f"study_{value}" for value in StudyCategory.values}
BATCH = 500  # products rebuilt per round of queries


class ProductFacets(models.Model):
    """What the products list filters and counts on: region, status, and a flag per concern
    category, additional-measure kind and study category of the current published plan."""

    region = models.CharField(max_length=2)
    authorisation_status = models.CharField(max_length=30)
    concern_identified = models.BooleanField(default=False)
    concern_potential = models.BooleanField(default=False)
    concern_missing = models.BooleanField(default=False)
    measure_educational_material = models.BooleanField(default=False)
    measure_patient_card = models.BooleanField(default=False)
    measure_controlled_access = models.BooleanField(default=False)
    measure_pregnancy_prevention = models.BooleanField(default=False)
    measure_dhpc = models.BooleanField(default=False)
    measure_other = models.BooleanField(default=False)
    study_1 = models.BooleanField(default=False)
    study_2 = models.BooleanField(default=False)
    study_3 = models.BooleanField(default=False)

    class Meta:
        abstract = True


FACET_FIELDS = [
    "region",
    "authorisation_status",
    *CONCERN_FLAGS.values(),
    *MEASURE_FLAGS.values(),
    *STUDY_FLAGS.values(),
]


class PublishedProduct(ProductFacets):
    product = models.OneToOneField(
        Product, on_delete=models.CASCADE, primary_key=True, related_name="published"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    plan = models.OneToOneField(
        RiskManagementPlan, on_delete=models.CASCADE, null=True, related_name="+"
    )
    plan_version = models.CharField(max_length=30, blank=True)
    concern_count = models.PositiveIntegerField(default=0)
    study_count = models.PositiveIntegerField(default=0)
    overdue_studies = models.PositiveIntegerField(
        default=0, help_text="Studies overdue on the day of PublishedStudyDay (recounted daily)."
    )
    identified_count = models.PositiveIntegerField(default=0)
    potential_count = models.PositiveIntegerField(default=0)
    missing_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["region", "authorisation_status"], name="pubproduct_region_idx"),
            # the studies list's product facet: the products with most (overdue) studies
            models.Index(fields=["-study_count", "name", "slug"], name="pubproduct_studies_idx"),
            models.Index(
                fields=["-overdue_studies", "name", "slug"], name="pubproduct_overdue_idx"
            ),
        ]

    def __str__(self):
        return self.name


class PublishedProductCount(ProductFacets):
    """The public products counted per combination of the filter fields that occurs.

    The products list without a text or substance filter sums these rows for its count and
    each facet: a few hundred rows (621 for 15,000 synthetic products), not the products.
    """

    products = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.region}, {self.authorisation_status}: {self.products}"


class PublishedSubstance(models.Model):
    """The public products counted per active substance: the order in which the products
    list's substance facet looks for the substances most frequent among its products."""

    substance = models.OneToOneField(
        Substance, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    name = models.CharField(max_length=200)
    products = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["-products", "name"], name="pubsubstance_rank_idx")]

    def __str__(self):
        return f"{self.name}: {self.products}"


class PublishedConcern(models.Model):
    concern = models.OneToOneField(
        SafetyConcern, on_delete=models.CASCADE, primary_key=True, related_name="published"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    group_key = models.CharField(
        max_length=400,
        help_text="The confirmed term's key (term:<slug>), else the name's key (concern_key).",
    )
    group_name = models.CharField(
        max_length=300, blank=True, help_text="The confirmed term's preferred name, if any."
    )
    name_key = models.CharField(
        max_length=400,
        default="",
        help_text="The name's own key (SafetyConcern.group_key): the concern page's address.",
    )
    name = models.CharField(max_length=300)
    category = models.CharField(max_length=20)
    category_rank = models.PositiveSmallIntegerField()
    region = models.CharField(max_length=2)
    product_name = models.CharField(max_length=200)
    product_sort = models.CharField(max_length=200, help_text="The product's name in lower case.")
    product_slug = models.SlugField(max_length=100)
    text = models.TextField(help_text="Name, evidence and risk factors in lower case.")
    first_in_group = models.BooleanField(
        default=False, help_text="The product's first concern in this group (counts products)."
    )
    first_in_category = models.BooleanField(
        default=False, help_text="The product's first concern in this group and category."
    )

    class Meta:
        indexes = [
            # A group's concerns in page order: by product, category, id.
            models.Index(
                fields=["group_key", "product_sort", "product_slug", "category_rank", "concern"],
                name="pubconcern_group_order_idx",
            ),
            # No index on the category: a third of the rows each, it only ever helped the
            # planners choose badly for a text filter (PostgreSQL intersected its bitmap of
            # a third of the table with the text index's; SQLite read along it).
        ]

    def __str__(self):
        return self.name


class PublishedConcernCount(models.Model):
    """The current concerns counted per group, name, category and region.

    What /risks/ shows without a text, substance or product filter: its groups, their
    names and counts, and its category and region facets, read from a table the size of the
    vocabulary of concern names, whatever the number of products. ``products`` counts the
    products listing the group (their first concern in it), ``products_in_category`` those
    listing it in this category.
    """

    group_key = models.CharField(max_length=400)
    group_name = models.CharField(max_length=300, blank=True)
    name = models.CharField(max_length=300)
    category = models.CharField(max_length=20)
    region = models.CharField(max_length=2)
    concerns = models.PositiveIntegerField()
    products = models.PositiveIntegerField()
    products_in_category = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["group_key"], name="pubconcerncount_group_idx"),
            models.Index(fields=["category", "region"], name="pubconcerncount_category_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.category}, {self.region}): {self.concerns}"


class PublishedStudy(models.Model):
    study = models.OneToOneField(
        Study, on_delete=models.CASCADE, primary_key=True, related_name="published"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    next_due = models.DateField(
        null=True, help_text="The earliest normalised due date of an unreported milestone."
    )
    # What the studies list filters, counts and sorts on, so that its facets and its page
    # order read this table alone (along its indexes), with no join.
    category = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=30, blank=True)
    design = models.CharField(max_length=30, blank=True)
    position = models.PositiveIntegerField(default=0)
    product_name = models.CharField(max_length=200, blank=True)
    product_slug = models.SlugField(max_length=100, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_due"], name="pubstudy_next_due_idx"),
            # The page order ("due", the default) and the facets of the overdue studies:
            # a range of next_due covers every column they read.
            models.Index(
                fields=["next_due", "product_name", "position", "study"],
                name="pubstudy_due_order_idx",
            ),
            models.Index(
                fields=["next_due", "category", "status", "design", "product_name", "product_slug"],
                name="pubstudy_due_facets_idx",
            ),
            models.Index(
                fields=["product_name", "position", "study"], name="pubstudy_product_order_idx"
            ),
        ]

    def __str__(self):
        return f"study {self.study_id}: next due {self.next_due}"


class PublishedStudyCount(models.Model):
    """The current studies counted per category, status, design and overdue state.

    What /studies/ shows without a text, date or product filter: its count and its facets,
    read from a table of a few dozen rows, whatever the number of studies. Overdue means a
    next due date before the day ``PublishedStudyDay`` holds: the counts (and the products'
    ``overdue_studies``) are recounted at each publication and on the first read of a new
    day (``count_overdue_on``)."""

    category = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=30, blank=True)
    design = models.CharField(max_length=30, blank=True)
    overdue = models.BooleanField()
    studies = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.category}, {self.status}, {self.design}, {self.overdue}: {self.studies}"


class PublishedStudyDay(models.Model):
    """The day the overdue counts are of (one row, or none before the first count)."""

    day = models.DateField()

    def __str__(self):
        return f"overdue counts of {self.day}"


# Building


def rebuild_for_product(product):
    """Rewrite the read model's rows of one product (a Product or its id) from the database."""
    rebuild_products([getattr(product, "pk", product)], current_summaries=True)


@transaction.atomic
def rebuild_products(product_ids, *, current_summaries=False):
    """Rewrite the read model's rows of the products ``product_ids``, in one transaction.

    ``current_summaries``: also compare each current version with its previous one again
    (``publications.record``), as a publication does."""
    product_ids = list(product_ids)
    for start in range(0, len(product_ids), BATCH):
        _rebuild_batch(product_ids[start : start + BATCH])
        publications.record(product_ids[start : start + BATCH], current_too=current_summaries)
    _recount_products()
    _recount_studies(timezone.localdate(), product_ids)
    analyse_if_grown()


@transaction.atomic
def rebuild_all():
    """Rewrite the whole read model; returns the number of public products."""
    for model in (
        PublishedConcernCount,
        PublishedConcern,
        PublishedStudy,
        PublishedProduct,
        PublishedProductCount,
        PublishedSubstance,
        PublishedStudyCount,
    ):
        model.objects.all().delete()
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        _rebuild_batch(ids[start : start + BATCH], fresh=True, recount=False)
        publications.record(ids[start : start + BATCH])
    _recount(None)
    _recount_products()
    _recount_studies(timezone.localdate())
    analyse()
    return PublishedProduct.objects.count()


def _recount(group_keys):
    """Rewrite the counts of the groups ``group_keys`` (every group if None) from the rows."""
    counts = PublishedConcernCount.objects.all()
    rows = PublishedConcern.objects.all()
    if group_keys is not None:
        group_keys = list(group_keys)
        if not group_keys:
            return
        counts = counts.filter(group_key__in=group_keys)
        rows = rows.filter(group_key__in=group_keys)
    counts.delete()
    PublishedConcernCount.objects.bulk_create(
        (
            PublishedConcernCount(
                group_key=key,
                group_name=group_name,
                name=name,
                category=category,
                region=region,
                concerns=concerns,
                products=products,
                products_in_category=in_category,
            )
            for key, group_name, name, category, region, concerns, products, in_category in (
                rows.values_list("group_key", "group_name", "name", "category", "region")
            )
            .annotate(
                n=Count("pk"),
                p=Count("pk", filter=Q(first_in_group=True)),
                c=Count("pk", filter=Q(first_in_category=True)),
            )
            .order_by()
            .iterator(chunk_size=2000)
        ),
        batch_size=1000,
    )


def _recount_products():
    """Rewrite the products' counts per combination of filter fields and per substance.

    Two INSERT ... SELECT statements over the read model's products (a publication changes
    one product, but a count per combination sums every product that has it)."""
    counts, products = PublishedProductCount._meta, PublishedProduct._meta
    substances, links = PublishedSubstance._meta, Product.substances.through._meta
    columns = ", ".join(
        connections["default"].ops.quote_name(products.get_field(name).column)
        for name in FACET_FIELDS
    )
    PublishedProductCount.objects.all().delete()
    PublishedSubstance.objects.all().delete()
    substance_table = Substance._meta.db_table
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {counts.db_table} ({columns}, products) "
            f"SELECT {columns}, COUNT(*) FROM {products.db_table} GROUP BY {columns}"
        )
        cursor.execute(
            f"INSERT INTO {substances.db_table} (substance_id, name, products) "
            f"SELECT s.id, s.name, COUNT(*) FROM {links.db_table} l "
            f"JOIN {products.db_table} p ON p.product_id = l.product_id "
            f"JOIN {substance_table} s ON s.id = l.substance_id GROUP BY s.id, s.name"
        )


def count_overdue_on(today):
    """Make the overdue counts (``PublishedStudyCount``, the products' ``overdue_studies``)
    those of ``today``: nothing to do but read the day they are of, except on the first read
    of a new day, which recounts them (one transaction; a concurrent first read waits, then
    finds them done)."""
    if PublishedStudyDay.objects.filter(day=today).exists():
        return
    with transaction.atomic():
        day = PublishedStudyDay.objects.select_for_update().first()
        if day is None or day.day != today:
            _recount_studies(today)


def _recount_studies(today, product_ids=None):
    """Count the studies overdue on ``today``: per product (those of ``product_ids`` when the
    counts are of ``today`` already, else every product) and per category, status, design
    and overdue state; then record the day."""
    overdue = Q(next_due__lt=today)
    if not PublishedStudyDay.objects.filter(day=today).exists():
        product_ids = None  # another day's counts (or none yet): every product's
    products, studies = PublishedProduct.objects.all(), PublishedStudy.objects.filter(overdue)
    if product_ids is not None:
        products = products.filter(pk__in=product_ids)
        studies = studies.filter(product__in=product_ids)
    counts = dict(studies.values_list("product").annotate(n=Count("pk")).order_by())
    # only the products whose count changed are written: a day moves a few studies past
    # their due date, where rewriting every product's row left as many dead versions
    changed = [
        PublishedProduct(pk=pk, overdue_studies=counts.get(pk, 0))
        for pk, before in products.values_list("pk", "overdue_studies").iterator(chunk_size=5000)
        if counts.get(pk, 0) != before
    ]
    PublishedProduct.objects.bulk_update(changed, ["overdue_studies"], batch_size=100)
    PublishedStudyCount.objects.all().delete()
    PublishedStudyCount.objects.bulk_create(
        PublishedStudyCount(
            category=category, status=status, design=design, overdue=is_overdue, studies=n
        )
        for category, status, design, is_overdue, n in PublishedStudy.objects.values_list(
            "category", "status", "design"
        )
        .annotate(
            is_overdue=Case(When(overdue, then=Value(True)), default=Value(False)),
            n=Count("pk"),
        )
        .order_by()
    )
    PublishedStudyDay.objects.update_or_create(pk=1, defaults={"day": today})


def _rebuild_batch(ids, fresh=False, recount=True):
    old_keys = set()
    if not fresh:
        old = PublishedConcern.objects.filter(product__in=ids)
        old_keys = set(old.values_list("group_key", flat=True).distinct().order_by())
        for model in (PublishedConcern, PublishedStudy, PublishedProduct):
            model.objects.filter(product__in=ids).delete()
    products = list(
        public_products(Product.objects.filter(pk__in=ids)).values_list(
            "pk", "name", "slug", "region", "authorisation_status"
        )
    )
    plans = {
        plan.product_id: plan
        for plan in RiskManagementPlan.objects.current().filter(product__in=ids)
    }
    plan_ids = [plan.pk for plan in plans.values()]
    flags = {plan_id: {} for plan_id in plan_ids}
    counts = {plan_id: {"concern_count": 0, "study_count": 0} for plan_id in plan_ids}
    for plan_id, category, n in (
        SafetyConcern.objects.filter(plan__in=plan_ids)
        .values_list("plan", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        flags[plan_id][CONCERN_FLAGS[category]] = True
        counts[plan_id][CONCERN_COUNTS[category]] = n
        counts[plan_id]["concern_count"] += n
    for plan_id, kind in (
        AdditionalMeasure.objects.filter(plan__in=plan_ids)
        .values_list("plan", "kind")
        .distinct()
        .order_by()
    ):
        flags[plan_id][MEASURE_FLAGS[kind]] = True
    for plan_id, category, n in (
        Study.objects.filter(plan__in=plan_ids)
        .values_list("plan", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        flags[plan_id][STUDY_FLAGS[category]] = True
        counts[plan_id]["study_count"] += n
    rows, by_product = [], {}
    for pk, name, slug, region, status in products:
        plan = plans.get(pk)
        by_product[pk] = (name, slug, region)
        rows.append(
            PublishedProduct(
                product_id=pk,
                name=name,
                slug=slug,
                region=region,
                authorisation_status=status,
                plan=plan,
                plan_version=plan.version if plan else "",
                **(counts[plan.pk] if plan else {}),
                **(flags[plan.pk] if plan else {}),
            )
        )
    PublishedProduct.objects.bulk_create(rows)
    concerns = (
        SafetyConcern.objects.filter(plan__in=plan_ids)
        .values_list(
            "pk", "plan__product", "group_key", "name", "category", "evidence", "risk_factors"
        )
        .annotate(term_slug=F("term__slug"), term_name=F("term__preferred_name"))
        .order_by()
    )
    firsts, rows = set(), []
    for row in concerns.order_by("pk"):
        pk, product_id, group_key, name, category, evidence, risk_factors, term_slug, term = row
        if product_id not in by_product:
            continue
        # a confirmed term groups the concern; else its name's key does
        key = term_group_key(term_slug) if term_slug else group_key
        in_group, in_category = (product_id, key), (product_id, key, category)
        rows.append(
            PublishedConcern(
                concern_id=pk,
                product_id=product_id,
                group_key=key,
                group_name=term or "",
                name_key=group_key,
                name=name,
                category=category,
                category_rank=CATEGORY_RANK[category],
                region=by_product[product_id][2],
                product_name=by_product[product_id][0],
                product_sort=by_product[product_id][0].lower(),
                product_slug=by_product[product_id][1],
                text="\n".join([name, evidence, risk_factors]).lower(),
                first_in_group=in_group not in firsts,
                first_in_category=in_category not in firsts,
            )
        )
        firsts.update([in_group, in_category])
    PublishedConcern.objects.bulk_create(rows, batch_size=1000)
    if recount:
        _recount(old_keys | {row.group_key for row in rows})
    unreported = Q(milestones__reported_on__isnull=True)
    studies = (
        Study.objects.filter(plan__in=plan_ids)
        .values_list("pk", "plan__product", "category", "status", "design", "position")
        .annotate(next_due=Min("milestones__due_date", filter=unreported))
        .order_by()
    )
    PublishedStudy.objects.bulk_create(
        (
            PublishedStudy(
                study_id=pk,
                product_id=product_id,
                next_due=next_due,
                category=category,
                status=status,
                design=design,
                position=position,
                product_name=by_product[product_id][0],
                product_slug=by_product[product_id][1],
            )
            for pk, product_id, category, status, design, position, next_due in studies
            if product_id in by_product
        ),
        batch_size=1000,
    )


# The text index of the concerns' text (the /risks/ text filter)
#
# The filter finds rows whose ``text`` contains every word typed (any part of a word:
# "hepat" finds "hepatotoxicity"). A trigram index answers "contains" without reading the
# text: on PostgreSQL a GIN index with pg_trgm's operator class under the LIKE the filter
# runs; on SQLite an FTS5 table with the trigram tokenizer over the rows' ``text`` (external
# content: the index only, not a second copy of the text), kept in step by triggers within
# each write's transaction. A trigram index needs three characters: a word of two is matched
# by LIKE on the rows the longer words (or the other filters) leave.

TEXT_INDEX = "risks_publishedconcern_text"
TRIGRAM = 3  # the shortest word the text index answers


def _concern_table():
    return PublishedConcern._meta.db_table


def install_text_index(using="default"):
    """Create the text index of ``PublishedConcern.text`` (and fill it from the rows)."""
    connection = connections[using]
    table = _concern_table()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS pubconcern_text_trgm_idx ON "{table}" '
                "USING gin (text gin_trgm_ops)"
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                f'CREATE VIRTUAL TABLE IF NOT EXISTS "{TEXT_INDEX}" USING fts5(text, '
                f"content='{table}', content_rowid='concern_id', tokenize='trigram')"
            )
            for event, body in (
                ("INSERT", "INSERT INTO {fts}(rowid, text) VALUES (new.concern_id, new.text);"),
                (
                    "DELETE",
                    "INSERT INTO {fts}({fts}, rowid, text) "
                    "VALUES ('delete', old.concern_id, old.text);",
                ),
                (
                    "UPDATE",
                    "INSERT INTO {fts}({fts}, rowid, text) "
                    "VALUES ('delete', old.concern_id, old.text); "
                    "INSERT INTO {fts}(rowid, text) VALUES (new.concern_id, new.text);",
                ),
            ):
                cursor.execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{TEXT_INDEX}_{event.lower()}" '
                    f'AFTER {event} ON "{table}" BEGIN '
                    + body.format(fts=f'"{TEXT_INDEX}"')
                    + " END"
                )
            cursor.execute(f'INSERT INTO "{TEXT_INDEX}"("{TEXT_INDEX}") VALUES (\'rebuild\')')
            analyse(using)


def analyse(using="default"):
    """Planner statistics of the concern rows on SQLite (PostgreSQL gathers its own).

    Without them SQLite may read a text filter's rows along another index (a product's, a
    group's) rather than the few rows the text index names."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{_concern_table()}"')


def analyse_if_grown(using="default"):
    """``analyse`` when the number of concern rows is no longer within a quarter of the one
    the statistics hold (or there are none): publications add rows one product at a time,
    and statistics of a far smaller table would mislead the planner as a missing one does."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    table = _concern_table()
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        (rows,) = cursor.fetchone()
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        stat = None
        if cursor.fetchone():  # the database has statistics of some table
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
            stat = cursor.fetchone()
    known = int(stat[0].split()[0]) if stat and stat[0] else None
    if known is None or not 0.8 * known <= rows <= 1.25 * known:
        analyse(using)


def uninstall_text_index(using="default"):
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS pubconcern_text_trgm_idx")
        elif connection.vendor == "sqlite":
            for event in ("insert", "delete", "update"):
                cursor.execute(f'DROP TRIGGER IF EXISTS "{TEXT_INDEX}_{event}"')
            cursor.execute(f'DROP TABLE IF EXISTS "{TEXT_INDEX}"')


def fts_phrase(text):
    """``text`` as one FTS5 phrase (its double quotes doubled): MATCH reads no operator in it."""
    return '"{}"'.format(text.replace('"', '""'))


def containing_all(rows, words, *, few_rows=False):
    """``rows`` (``PublishedConcern`` rows) whose text contains every one of ``words``.

    ``words``: for each word typed, its spellings (any one will do), in lower case. On
    SQLite the words of three characters or more are one MATCH of the trigram index, joined
    to the rows: SQLite then reads the rows along the index and stops when a LIMIT is met.
    With ``few_rows`` (another filter leaves a few rows: a product's), the MATCH is a
    subquery instead, read once, and the few rows are looked up in it, where the join would
    read every match to find them. On PostgreSQL each word is a LIKE the trigram GIN index
    answers; shorter words a LIKE on the rows that remain.
    """
    sqlite = connections[rows.db].vendor == "sqlite"
    indexed = []
    for variants in words:
        if sqlite and all(len(v) >= TRIGRAM for v in variants):
            indexed.append(variants)
            continue
        any_variant = models.Q()
        for variant in variants:
            any_variant |= models.Q(text__contains=variant)
        rows = rows.filter(any_variant)
    if indexed:
        expression = " AND ".join(
            "(" + " OR ".join(fts_phrase(variant) for variant in variants) + ")"
            for variants in indexed
        )
        if few_rows:
            return rows.filter(
                concern_id__in=models.expressions.RawSQL(
                    f'SELECT rowid FROM "{TEXT_INDEX}" WHERE "{TEXT_INDEX}" MATCH %s', [expression]
                )
            )
        rows = rows.extra(  # fixed SQL; the words go as a parameter
            tables=[TEXT_INDEX],
            where=[
                f'"{TEXT_INDEX}" MATCH %s',
                f'"{TEXT_INDEX}".rowid = "{_concern_table()}"."concern_id"',
            ],
            params=[expression],
        )
    return rows


# Keeping in step with writes that bypass the workflow


def _plan_product(plan_id):
    """The product of a plan if the plan is published (its rows are public), else None."""
    return (
        RiskManagementPlan.objects.filter(pk=plan_id, status=PlanStatus.PUBLISHED)
        .values_list("product", flat=True)
        .first()
    )


def _rebuild_plan_product(plan_id):
    product_id = _plan_product(plan_id)
    if product_id is not None:
        rebuild_for_product(product_id)


def _on_product(sender, instance, **kwargs):  # saved (a deleted one's rows cascade)
    if kwargs.get("raw"):
        return
    rebuild_for_product(instance.pk)


def _cascaded(sender, kwargs):
    """Whether a deletion is part of a bigger one (a plan's with its product, a concern's with
    its plan): the rows then go by CASCADE, and the deletion that started it rebuilds, once
    its dependents are gone."""
    origin = kwargs.get("origin")
    if origin is None:
        return False
    model = origin.model if isinstance(origin, models.QuerySet) else type(origin)
    return not issubclass(model, sender)


def _on_plan(sender, instance, **kwargs):
    if kwargs.get("raw") or _cascaded(sender, kwargs):
        return
    # A new version (even a draft) changes whether a product without plans is public.
    if Product.objects.filter(pk=instance.product_id).exists():
        rebuild_for_product(instance.product_id)


def _on_part(sender, instance, **kwargs):
    if kwargs.get("raw") or _cascaded(sender, kwargs):
        return
    if isinstance(instance, Milestone):
        plan_id = Study.objects.filter(pk=instance.study_id).values_list("plan", flat=True).first()
    elif isinstance(instance, RoutineMeasure):
        return  # nothing of it is in the read model
    else:
        plan_id = instance.plan_id
    if plan_id is not None:
        _rebuild_plan_product(plan_id)


def _on_substances(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, Product):
        rebuild_for_product(instance.pk)


def _after_migrate(sender, **kwargs):
    """Fill an empty read model after ``migrate`` when published data exists (an upgrade)."""
    if not kwargs.get("plan") or kwargs.get("using") != "default":
        return
    empty_products = not PublishedProduct.objects.exists() and Product.objects.exists()
    empty_counts = not PublishedConcernCount.objects.exists() and PublishedConcern.objects.exists()
    if empty_products or empty_counts or publications.missing():
        rebuild_all()
    elif not PublishedProductCount.objects.exists() and PublishedProduct.objects.exists():
        _recount_products()
    if not PublishedStudyDay.objects.exists() and PublishedStudy.objects.exists():
        _recount_studies(timezone.localdate())  # else the first read of the studies would


def connect(app_config):
    """Connect the receivers that keep the read model in step (``RisksConfig.ready``)."""
    uid = "risks.published"
    post_save.connect(_on_product, sender=Product, dispatch_uid=f"{uid}.product")
    post_save.connect(_on_plan, sender=RiskManagementPlan, dispatch_uid=f"{uid}.plan.save")
    post_delete.connect(_on_plan, sender=RiskManagementPlan, dispatch_uid=f"{uid}.plan.delete")
    for model in (SafetyConcern, AdditionalMeasure, Study, Milestone):
        name = model._meta.model_name
        post_save.connect(_on_part, sender=model, dispatch_uid=f"{uid}.{name}.save")
        post_delete.connect(_on_part, sender=model, dispatch_uid=f"{uid}.{name}.delete")
    post_migrate.connect(_after_migrate, sender=app_config, dispatch_uid=f"{uid}.migrate")
    m2m_changed.connect(
        _on_substances, sender=Product.substances.through, dispatch_uid=f"{uid}.substances"
    )
