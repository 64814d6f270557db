"""The full-text index of the published data on SQLite: FTS5 tables kept by triggers.

PostgreSQL searches the stored ``tsvector`` column each searched model declares
(``products.search_fields.SearchVectorGeneratedField``, GIN-indexed) and filters the rows
to the published ones in the query. SQLite has no ``tsvector``; it has FTS5. Each searched
model gets an FTS5 table ``<table>_fts`` whose ``rowid`` is the row's primary key, with two
columns made from the fields the model's vector weighs:

- ``head``: the weight "A" fields (names, titles, study codes), joined by spaces;
- ``body``: the weight "B" fields (indication, evidence, text), joined by blank lines.

Search ranks with ``bm25`` weighing them 1.0 and 0.4, PostgreSQL's ``ts_rank`` weights of
"A" and "B", and tokenizes with ``porter unicode61 remove_diacritics 2``: Porter's English
stemmer, the algorithm behind PostgreSQL's ``english`` configuration (``reactions`` finds
"reaction", ``hepatotoxicity`` "hepatotoxic").

The tables hold the **published** data only, so a search reads nothing else and a draft's
text is never in them: a product while it is public (a published plan, or no plan at all),
its product information sections likewise, and the concerns, routine and additional measures
and studies of published plan versions; active substances (catalogue names, which search
joins to public products) all. Triggers on the tables of the models keep them in step within
the transaction of each write, whatever makes it (the workflow's publication, the admin, an
import, the seed loader, the synthetic data generator, a restore of the test seed):

- a row of a searched model inserted, deleted, or a column changed that it is indexed by or
  that links it to its plan or product: its index row is deleted and, if the row is public,
  written again;
- a plan version inserted, deleted, or its status or product changed (publication,
  supersession, a new draft hiding a product that had no plan): every index row of the
  product is written again from the tables.

``install`` creates the tables and triggers and fills them (a migration runs it; run it again
from a new migration when this module changes what is indexed); ``rebuild`` refills the
tables from the data (``manage.py rebuild_search_index``). Both do nothing on PostgreSQL.
"""

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from products.models import Product, ProductInformationSection, Substance

from .models import (
    AdditionalMeasure,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    Study,
)

TOKENIZE = "porter unicode61 remove_diacritics 2"
# bm25 weights of the head and body columns: ts_rank's default weights of "A" and "B".
HEAD_WEIGHT, BODY_WEIGHT = 1.0, 0.4


def _q(name):
    return '"{}"'.format(name.replace('"', '""'))


def _table(model):
    return model._meta.db_table


PLAN = _q(_table(RiskManagementPlan))
CONCERN = _q(_table(SafetyConcern))
PUBLISHED = f"'{PlanStatus.PUBLISHED.value}'"


def _public_product(product_id):
    """SQL: whether the product ``product_id`` is public (risks.models.public_products)."""
    return (
        f"(EXISTS (SELECT 1 FROM {PLAN} WHERE product_id = {product_id} "
        f"AND status = {PUBLISHED}) "
        f"OR NOT EXISTS (SELECT 1 FROM {PLAN} WHERE product_id = {product_id}))"
    )


def _published_plan(plan_id):
    return f"EXISTS (SELECT 1 FROM {PLAN} WHERE id = {plan_id} AND status = {PUBLISHED})"


@dataclass(frozen=True)
class Indexed:
    """A searched model: which of its rows are public, and which belong to a product."""

    model: type
    public: str  # SQL condition on the row "r"
    of_product: str | None  # SQL condition on "r" with the placeholder {product}
    links: tuple = ()  # the row's columns its publicity depends on

    @property
    def watched_columns(self):
        """The columns whose change rewrites the row's index row: those indexed, and links."""
        fields = [f for weight in ("A", "B") for f in self.fields(weight)]
        return [self.model._meta.get_field(f).column for f in fields] + list(self.links)

    @property
    def table(self):
        return _table(self.model)

    @property
    def fts_table(self):
        return f"{self.table}_fts"

    def fields(self, weight):
        return self.model._meta.get_field("search_vector").weights.get(weight, ())

    def column_sql(self, weight, separator):
        fields = [
            f"COALESCE(r.{_q(self.model._meta.get_field(f).column)}, '')"
            for f in self.fields(weight)
        ]
        if not fields:
            return "''"
        return f" || '{separator}' || ".join(fields)

    def select_sql(self, condition):
        """SELECT the index rows (rowid, head, body) of the public rows meeting ``condition``."""
        return (
            f"SELECT r.id, {self.column_sql('A', ' ')}, {self.column_sql('B', chr(10) * 2)} "
            f"FROM {_q(self.table)} r WHERE ({condition}) AND {self.public}"
        )

    def write_sql(self, condition):
        return f"INSERT INTO {_q(self.fts_table)} (rowid, head, body) {self.select_sql(condition)}"

    def product_sql(self, product):
        """Statements writing again the index rows of product ``product`` (an SQL value)."""
        belongs = self.of_product.format(product=product)
        return [
            f"DELETE FROM {_q(self.fts_table)} WHERE rowid IN "
            f"(SELECT r.id FROM {_q(self.table)} r WHERE {belongs})",
            self.write_sql(belongs),
        ]


INDEXED = [
    Indexed(Product, _public_product("r.id"), "r.id = {product}"),
    Indexed(Substance, "1", None),
    Indexed(
        ProductInformationSection,
        _public_product("r.product_id"),
        "r.product_id = {product}",
        ("product_id",),
    ),
    Indexed(
        SafetyConcern,
        _published_plan("r.plan_id"),
        f"r.plan_id IN (SELECT id FROM {PLAN} WHERE product_id = {{product}})",
        ("plan_id",),
    ),
    Indexed(
        RoutineMeasure,
        f"EXISTS (SELECT 1 FROM {CONCERN} c JOIN {PLAN} p ON p.id = c.plan_id "
        f"WHERE c.id = r.safety_concern_id AND p.status = {PUBLISHED})",
        f"r.safety_concern_id IN (SELECT c.id FROM {CONCERN} c JOIN {PLAN} p "
        f"ON p.id = c.plan_id WHERE p.product_id = {{product}})",
        ("safety_concern_id",),
    ),
    Indexed(
        AdditionalMeasure,
        _published_plan("r.plan_id"),
        f"r.plan_id IN (SELECT id FROM {PLAN} WHERE product_id = {{product}})",
        ("plan_id",),
    ),
    Indexed(
        Study,
        _published_plan("r.plan_id"),
        f"r.plan_id IN (SELECT id FROM {PLAN} WHERE product_id = {{product}})",
        ("plan_id",),
    ),
]
BY_MODEL = {indexed.model: indexed for indexed in INDEXED}


def fts_table(model):
    """The FTS5 table of a searched model (SQLite)."""
    return BY_MODEL[model].fts_table


def _trigger_names():
    names = []
    for indexed in INDEXED:
        names += [f"{indexed.fts_table}_{event}" for event in ("insert", "update", "delete")]
    names += [
        f"{_table(RiskManagementPlan)}_fts_{event}" for event in ("insert", "update", "delete")
    ]
    return names


def _trigger_sql():
    statements = []
    for indexed in INDEXED:
        table, fts = _q(indexed.table), _q(indexed.fts_table)
        name = indexed.fts_table
        statements += [
            # (Deleting first: a row written with the id of a row deleted without its
            # trigger, as a raw restore may, replaces its index row rather than failing.)
            f"CREATE TRIGGER {_q(name + '_insert')} AFTER INSERT ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = NEW.id; "
            f"{indexed.write_sql('r.id = NEW.id')}; END",
            f"CREATE TRIGGER {_q(name + '_update')} AFTER UPDATE OF "
            f"{', '.join(map(_q, indexed.watched_columns))} ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = OLD.id; "
            f"{indexed.write_sql('r.id = NEW.id')}; END",
            f"CREATE TRIGGER {_q(name + '_delete')} AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = OLD.id; END",
        ]
    per_product = [indexed for indexed in INDEXED if indexed.of_product]

    def reindex(product):
        return " ".join(f"{sql};" for each in per_product for sql in each.product_sql(product))

    name = f"{_table(RiskManagementPlan)}_fts"
    statements += [
        f"CREATE TRIGGER {_q(name + '_insert')} AFTER INSERT ON {PLAN} BEGIN "
        f"{reindex('NEW.product_id')} END",
        f"CREATE TRIGGER {_q(name + '_update')} AFTER UPDATE OF status, product_id ON {PLAN} "
        f"BEGIN {reindex('OLD.product_id')} {reindex('NEW.product_id')} END",
        f"CREATE TRIGGER {_q(name + '_delete')} AFTER DELETE ON {PLAN} BEGIN "
        f"{reindex('OLD.product_id')} END",
    ]
    return statements


def install(using=DEFAULT_DB_ALIAS):
    """Create (or create again) the FTS5 tables and their triggers, and fill the tables."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        uninstall(using)
        for indexed in INDEXED:
            cursor.execute(
                f"CREATE VIRTUAL TABLE {_q(indexed.fts_table)} USING fts5(head, body, "
                f"tokenize = '{TOKENIZE}')"
            )
        for statement in _trigger_sql():
            cursor.execute(statement)
        _fill(cursor)


def uninstall(using=DEFAULT_DB_ALIAS):
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in _trigger_names():
            cursor.execute(f"DROP TRIGGER IF EXISTS {_q(name)}")
        for indexed in INDEXED:
            cursor.execute(f"DROP TABLE IF EXISTS {_q(indexed.fts_table)}")


def rebuild(using=DEFAULT_DB_ALIAS):
    """Empty the FTS5 tables and fill them again from the published data; the row counts."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return {}
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _fill(cursor)
        counts = {}
        for indexed in INDEXED:
            cursor.execute(f"SELECT count(*) FROM {_q(indexed.fts_table)}")
            counts[indexed.model] = cursor.fetchone()[0]
            cursor.execute(
                f"INSERT INTO {_q(indexed.fts_table)} ({_q(indexed.fts_table)}) VALUES ('optimize')"
            )
        return counts


def _fill(cursor):
    for indexed in INDEXED:
        cursor.execute(f"DELETE FROM {_q(indexed.fts_table)}")
        cursor.execute(indexed.write_sql("1"))


def indexed_ids(model, using=DEFAULT_DB_ALIAS):
    """The primary keys the index holds for ``model`` (SQLite; for checks and tests)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {_q(fts_table(model))} ORDER BY rowid")
        return [row[0] for row in cursor.fetchall()]
