import importlib
import os
import shutil

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import F
from django.utils import timezone
from pytest_django.fixtures import validate_django_db

from audit.chain import forget_heads
from audit.context import recorded_change
from audit.models import DataVersion, HistoryChain
from products.models import Product
from risks.seed import load_seed, read_seed, seed_files
from rmpsite.page_cache import route_parameters

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make there are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no cached pages: data versions start again in every test."""
    for cache in caches.all():
        cache.clear()
    DataVersion.forget_recent()
    route_parameters.forget()  # which parameters each page reads, learnt by the page cache


@pytest.fixture(autouse=True)
def migrated_data_in_transactional_tests(request):
    """A transactional test starts with the groups the data migrations create, as others do.

    The flush that ends each transactional test empties every table; its post_migrate
    signal brings back the content types and permissions, not the groups, so recreate them
    here (a few dozen queries). ``serialized_rollback`` would reload every row the
    migrations left, in every test that asks for it.
    """
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    if Group.objects.filter(name__in=["Curators", "Reviewers"]).count() < 2:
        _recreate_groups()


def _is_transactional(request):
    """Whether pytest-django runs the test as a ``TransactionTestCase`` (its own rule)."""
    marker = request.node.get_closest_marker("django_db")
    transactional, reset_sequences, *_ = validate_django_db(marker) if marker else (False, False)
    return bool(
        transactional
        or reset_sequences
        or {"transactional_db", "live_server", "django_db_reset_sequences"}
        & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def test_data_change():
    """Data the tests write directly is recorded like any change, with this reason."""
    with recorded_change("Test data"):
        yield


@pytest.fixture
def seeded(db, seed_snapshot):
    """The five curated seed products, as `manage.py load_seed_data` loads them.

    The rows are those of one real ``load_seed`` per test session (``seed_snapshot``),
    copied into this test's database: a test sees what loading the seed writes, without
    each test paying for the load. A test without this fixture sees no seed data.
    Returns {slug: product} in the order of the seed files, fresh from the database.
    """
    seed_snapshot.restore()
    products = Product.objects.in_bulk(seed_snapshot.slugs, field_name="slug")
    return {slug: products[slug] for slug in seed_snapshot.slugs}


@pytest.fixture(scope="session")
def seed_snapshot(django_db_setup, django_db_blocker):
    """The rows one load of the seed products adds, taken once per session (per xdist worker)."""
    with django_db_blocker.unblock():
        return SeedSnapshot.take()


def _load(path):
    return load_seed(read_seed(path))


class SeedSnapshot:
    """The rows that loading the seed products adds to the database, to copy into a test.

    ``load_seed`` validates and writes each product, plan, concern, measure, study and
    historical row one by one (about 2,000 queries a load). ``take`` runs it once, in a
    transaction it then rolls back, and keeps the rows it added; ``restore`` writes them
    again with one INSERT per table and batch (a few dozen queries), as they were: same
    ids, same values, history included. ``restore`` runs inside the test's own transaction
    (a ``TestCase`` test: rolled back with it) or, in a transactional test, commits, and
    the flush at the end of the test empties the tables again.

    The data version (the one row that counts changes) is not copied but moved by as many
    changes as the load recorded, as loading the seed on top of a test's own data would.
    """

    def __init__(self, slugs, tables, version_moves, using):
        self.slugs = slugs  # of the seed products, in the order of the seed files
        self.tables = tables  # [(model, [column, ...], [row, ...]), ...], rows by id
        self.version_moves = version_moves
        self.using = using

    @classmethod
    def take(cls, using=DEFAULT_DB_ALIAS):
        models = _copied_models(using)
        with transaction.atomic(using=using):
            before = {model: _rows(model, using) for model in models}
            version_before = DataVersion.objects.using(using).filter(pk=1).first()
            slugs = [_load(path).product.slug for path in seed_files()]
            after = {model: _rows(model, using) for model in models}
            version_after = DataVersion.objects.using(using).get(pk=1)
            transaction.set_rollback(True, using=using)

        tables = []
        for model in models:
            old, new = before[model], after[model]
            if old == new:
                continue
            if old:
                # load_seed reuses rows that exist (a company, a substance): what it adds
                # to them is not the whole seed.
                raise RuntimeError(
                    f"The seed snapshot needs {model._meta.db_table} empty, it has "
                    f"{len(old)} rows: take it before any test commits curated data."
                )
            tables.append((model, _columns(model), [new[pk] for pk in sorted(new)]))
        moves = version_after.counter - (version_before.counter if version_before else 0)
        snapshot = cls(slugs, tables, moves, using)
        snapshot._reserve_ids()
        return snapshot

    def restore(self):
        """Write the seed rows into the database as they were; add nothing else."""
        connection = connections[self.using]
        quote = connection.ops.quote_name
        max_params = connection.features.max_query_params or 10_000
        with transaction.atomic(using=self.using), connection.cursor() as cursor:
            for model, columns, rows in self.tables:
                insert = (
                    f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
                    "VALUES "
                )
                one_row = f"({', '.join(['%s'] * len(columns))})"
                batch = max(1, max_params // len(columns))
                for start in range(0, len(rows), batch):
                    chunk = rows[start : start + batch]
                    cursor.execute(
                        insert + ", ".join([one_row] * len(chunk)),
                        [value for row in chunk for value in row],
                    )
            # The ids came from the snapshot, not from the sequences (PostgreSQL): move
            # the sequences past them, as loaddata does.
            models = [model for model, _, _ in self.tables]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
            versions = DataVersion.objects.using(self.using)
            now = timezone.now()
            # The seed is published data: both counters move, the public one at least once.
            public_moves = max(1, self.version_moves)
            if not versions.filter(pk=1).update(
                counter=F("counter") + self.version_moves,
                changed_at=now,
                public_counter=F("public_counter") + public_moves,
                public_changed_at=now,
            ):
                versions.create(
                    pk=1,
                    counter=self.version_moves,
                    changed_at=now,
                    public_counter=public_moves,
                    public_changed_at=now,
                )
        DataVersion.forget_recent()
        # The history rows went in as raw SQL: the next row sealed reads the chain heads
        # the triggers moved.
        forget_heads(self.using)

    def _reserve_ids(self):
        """Keep the snapshot's ids from being handed out before a test restores it.

        PostgreSQL's sequences moved during the load and did not roll back. SQLite's
        AUTOINCREMENT counters (``sqlite_sequence``) rolled back with the load: set them
        past the snapshot's ids, or rows a test writes before it asks for ``seeded`` would
        take ids that the restore then needs.
        """
        connection = connections[self.using]
        if connection.vendor != "sqlite":
            return
        with transaction.atomic(using=self.using), connection.cursor() as cursor:
            for model, columns, rows in self.tables:
                pk = columns.index(model._meta.pk.column)
                largest, table = max(row[pk] for row in rows), model._meta.db_table
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s",
                    [largest, table],
                )
                if not cursor.rowcount:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, largest]
                    )


def _copied_models(using):
    """Every model with a table of its own, as ``flush`` empties them; not the data version.

    Nor the heads of the audit trail's hash chains: the database's triggers move them as the
    history rows are inserted, so they come back consistent with the rows restored.
    """
    return [
        model
        for model in django_apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model not in (DataVersion, HistoryChain)
        and router.allow_migrate_model(using, model)
    ]


def _columns(model):
    """The model's columns: not a column the database generates (a search vector)."""
    return [
        field.column
        for field in model._meta.concrete_fields
        if not getattr(field, "generated", False)
    ]


def _rows(model, using):
    """{primary key: row} of the model's table, in the order of ``_columns``."""
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = _columns(model)
    pk = columns.index(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(map(quote, columns))} FROM {quote(model._meta.db_table)}"
        )
        return {row[pk]: row for row in cursor.fetchall()}


def _recreate_groups():
    """The groups the data migrations create; a transactional test's flush removes them."""
    steps = [
        ("risks.migrations.0002_curators_group", "create_curators"),
        ("imports.migrations.0002_curators_import_permissions", "grant_import_permissions"),
        ("risks.migrations.0005_reviewers_group", "create_reviewers"),
        ("imports.migrations.0004_reviewers_import_permissions", "grant_reviewer_permissions"),
        ("products.migrations.0009_product_change_permissions", "grant_product_change_permissions"),
        ("risks.migrations.0014_risk_term_permissions", "grant"),
    ]
    for module, function in steps:
        getattr(importlib.import_module(module), function)(django_apps, None)


def curators_group():
    if not Group.objects.filter(name="Curators").exists():
        _recreate_groups()
    return Group.objects.get(name="Curators")


def reviewers_group():
    if not Group.objects.filter(name="Reviewers").exists():
        _recreate_groups()
    return Group.objects.get(name="Reviewers")


@pytest.fixture
def curator(django_user_model):
    user = django_user_model.objects.create_user(
        "curator", password="a-long-test-password", is_staff=True
    )
    user.groups.add(curators_group())
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(
        "reviewer", password="a-long-test-password", is_staff=True
    )
    user.groups.add(reviewers_group())
    return user


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


# Browser tests: real Chromium from the Debian package, driven by Playwright.


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"REQUIRE_BROWSER is set but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
