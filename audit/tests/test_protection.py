"""The audit trail cannot be rewritten: history rows are append-only, writes need a reason."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalChanges

from audit.context import MissingChangeReason, recorded_change
from audit.protection import history_tables, protected_tables
from imports.models import ImportWarning
from products.models import ProductChange
from risks.models import ConcernCategory, RiskManagementPlan, SafetyConcern
from risks.tests.factories import SafetyConcernFactory

HISTORICAL_MODELS = sorted(
    (
        model
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges) and not model._meta.proxy
    ),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def history(seeded):
    """The seed data, plus an import warning and a product's draft change: every historical
    table has rows."""
    plan = seeded["lemtrada"].plans.get()
    ImportWarning.objects.create(plan=plan, subject="Product", message="Checked by hand.")
    with recorded_change("A draft change of the product", None):
        ProductChange.objects.create(product=plan.product, proposed_values='{"route": "IV"}')
    return seeded


def snapshot(model):
    return [model_to_dict(row) for row in model.objects.order_by("pk")]


def test_every_historical_table_carries_the_triggers(db):
    assert HISTORICAL_MODELS
    assert protected_tables() == history_tables()
    assert history_tables() == sorted(
        [model._meta.db_table for model in HISTORICAL_MODELS] + ["audit_restorerecord"]
    )


@pytest.mark.parametrize("model", HISTORICAL_MODELS, ids=lambda model: model._meta.label)
def test_history_rows_cannot_be_updated_through_the_orm(history, model):
    before = snapshot(model)
    assert before, f"the seed data leaves no rows in {model._meta.db_table}"
    # The reason of a record; a many-to-many snapshot row has only ids: the link's id.
    name, value = (
        ("history_change_reason", "rewritten")
        if any(field.name == "history_change_reason" for field in model._meta.fields)
        else ("id", 999_999)
    )

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        model.objects.update(**{name: value})
    row = model.objects.order_by("pk").first()
    setattr(row, name, value)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        row.save()

    assert snapshot(model) == before


@pytest.mark.parametrize("model", HISTORICAL_MODELS, ids=lambda model: model._meta.label)
def test_history_rows_cannot_be_deleted_through_the_orm(history, model):
    before = snapshot(model)
    assert before

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        model.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        model.objects.order_by("pk").last().delete()

    assert snapshot(model) == before


def test_raw_sql_cannot_rewrite_history_either(history):
    table = SafetyConcern.history.model._meta.db_table
    before = snapshot(SafetyConcern.history.model)
    with connection.cursor() as cursor:
        for statement in (
            f"UPDATE {table} SET history_change_reason = 'rewritten'",
            f"DELETE FROM {table}",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(statement)
    assert snapshot(SafetyConcern.history.model) == before


def test_deleting_a_curated_object_adds_a_deletion_record(db, django_user_model):
    curator = django_user_model.objects.create_user("jdoe", password="a-long-test-password")
    concern = SafetyConcernFactory(name="Hepatotoxicity")
    created = concern.history.get()

    with recorded_change("Not a safety concern of this plan", curator):
        concern.delete()

    records = SafetyConcern.history.filter(id=created.id).order_by("history_id")
    assert [(record.history_type, record.name) for record in records] == [
        ("+", "Hepatotoxicity"),
        ("-", "Hepatotoxicity"),
    ]
    deletion = records.last()
    assert (deletion.history_user, deletion.history_change_reason) == (
        curator,
        "Not a safety concern of this plan",
    )
    assert model_to_dict(records.first()) == model_to_dict(created)
    assert not SafetyConcern.objects.filter(pk=created.id).exists()


@pytest.mark.parametrize("command", ["clean_old_history", "clean_duplicate_history"])
@pytest.mark.parametrize("arguments", [[], ["--auto"], ["risks.SafetyConcern", "--days", "0"]])
def test_history_pruning_commands_refuse(history, command, arguments):
    before = SafetyConcern.history.count()
    with pytest.raises(CommandError, match="append-only: history rows are never deleted"):
        call_command(command, *arguments)
    assert SafetyConcern.history.count() == before


def test_an_empty_reason_is_refused(db):
    for reason in ["", "   ", None]:
        with pytest.raises(MissingChangeReason, match="needs a reason"), recorded_change(reason):
            pass


class TestWritesOutsideARecordedChange:
    @pytest.fixture(autouse=True)
    def test_data_change(self):
        """No recorded change around these tests (conftest.py's fixture of the same name)."""
        yield

    @pytest.fixture
    def concern(self, db):
        with recorded_change("Test data"):
            return SafetyConcernFactory(name="Hepatotoxicity")

    def counts(self):
        return SafetyConcern.objects.count(), SafetyConcern.history.count()

    def test_creating_is_refused_and_writes_nothing(self, concern):
        before = self.counts()
        with pytest.raises(MissingChangeReason, match="without a reason"), transaction.atomic():
            SafetyConcern.objects.create(
                plan=concern.plan, category=ConcernCategory.IDENTIFIED, name="Liver injury"
            )
        assert self.counts() == before

    def test_changing_and_deleting_are_refused_and_write_nothing(self, concern):
        before = self.counts()
        concern.name = "Liver injury"
        with pytest.raises(MissingChangeReason), transaction.atomic():
            concern.save()
        with pytest.raises(MissingChangeReason), transaction.atomic():
            concern.delete()
        with pytest.raises(MissingChangeReason), transaction.atomic():
            RiskManagementPlan.objects.get().delete()

        assert SafetyConcern.objects.get(pk=concern.pk).name == "Hepatotoxicity"
        assert self.counts() == before

    def test_a_save_outside_any_transaction_writes_nothing(self, concern):
        before = self.counts()
        with pytest.raises(MissingChangeReason):
            SafetyConcern.objects.create(
                plan=concern.plan, category=ConcernCategory.IDENTIFIED, name="Liver injury"
            )
        assert self.counts() == before


def test_no_historical_model_is_registered_in_the_admin():
    assert HISTORICAL_MODELS
    registered = [model for model in admin.site._registry if issubclass(model, HistoricalChanges)]
    assert registered == []
    # SimpleHistoryAdmin would add pages that revert an object to a historical record.
    history_admins = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin)
    ]
    assert history_admins == []


def _routes(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def test_no_url_serves_history_rows_other_than_the_read_only_audit_trail():
    routes = list(_routes(get_resolver()))
    assert "admin/audit/plans/<int:pk>/" in [route for route, _ in routes]
    names = [model._meta.model_name for model in HISTORICAL_MODELS]
    for route, pattern in routes:
        assert not any(name in route.lower() for name in names), route
        # Django's own object history (the admin log) is the only "history" page.
        assert not route.endswith("/history/<str:version_id>/"), route
        view = getattr(pattern.callback, "cls", None) or getattr(
            pattern.callback, "view_class", None
        )
        queryset = getattr(view, "queryset", None)
        model = getattr(queryset, "model", None)
        assert model is None or not issubclass(model, HistoricalChanges), route


def test_the_audit_trail_pages_only_read(admin_client, seeded):
    plan = seeded["lemtrada"].plans.get()
    for url in (f"/admin/audit/plans/{plan.pk}/", f"/admin/audit/plans/{plan.pk}/csv/"):
        before = SafetyConcern.history.count()
        for method in (admin_client.post, admin_client.put, admin_client.delete):
            assert method(url).status_code == 405
        assert SafetyConcern.history.count() == before
