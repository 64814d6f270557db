"""Every write through the admin carries the curator's reason into the audit trail."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import escape

from audit.admin import REASON_REQUIRED
from imports.models import ImportWarning
from products.models import Company, Product, ProductInformationSection, Substance
from products.tests.factories import (
    SubstanceFactory,
)
from risks.models import (
    AdditionalMeasure,
    ConcernCategory,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)
from risks.tests.factories import (
    AdditionalMeasureFactory,
    MilestoneFactory,
    PlanFactory,
    RoutineMeasureFactory,
    SafetyConcernFactory,
    SectionReferenceFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Corrected against the EPAR of 12 March 2024"
CURATED = [
    Product,
    Substance,
    Company,
    ProductInformationSection,
    RiskManagementPlan,
    SafetyConcern,
    RoutineMeasure,
    SectionReference,
    AdditionalMeasure,
    Study,
    Milestone,
    ImportWarning,
]


def history_rows():
    """How many historical rows every curated model has."""
    return {model.__name__: model.history.count() for model in CURATED}


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])


def form_data(response):
    """The POST data of an admin change form as rendered, with every inline formset."""
    form = response.context["adminform"].form
    data = {}
    forms = [form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update(
            {management.add_prefix(name): management[name].value() for name in management.fields}
        )
        forms += inline.formset.forms
    for each in forms:
        for name in each.fields:
            value = each[name].value()
            if value is None or value is False:
                continue
            data[each.add_prefix(name)] = value
    return data


@dataclass
class Case:
    """A curated model, how to make an editable one, and a change to make to it."""

    make: Callable[[], Any]
    field: str
    new: Any

    def __str__(self):
        return self.field


CASES = {
    "substance": Case(lambda: SubstanceFactory(name="alemtuzumab"), "name", "alemtuzumabum"),
    "company": Case(lambda: Company.objects.create(name="Sanofi"), "name", "Sanofi B.V."),
    "riskmanagementplan": Case(lambda: PlanFactory(draft=True), "note", "Checked again."),
    "safetyconcern": Case(
        lambda: SafetyConcernFactory(plan__draft=True, category=ConcernCategory.POTENTIAL),
        "category",
        ConcernCategory.IDENTIFIED.value,
    ),
    "routinemeasure": Case(
        lambda: RoutineMeasureFactory(safety_concern__plan__draft=True),
        "text",
        "SmPC section 4.8.",
    ),
    "sectionreference": Case(
        lambda: SectionReferenceFactory(routine_measure__safety_concern__plan__draft=True),
        "section",
        "4.8",
    ),
    "additionalmeasure": Case(
        lambda: AdditionalMeasureFactory(plan__draft=True), "description", "A wallet card."
    ),
    "study": Case(lambda: StudyFactory(plan__draft=True), "purpose", "Long-term safety."),
    "milestone": Case(
        lambda: MilestoneFactory(study__plan__draft=True), "description", "Interim report"
    ),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request):
    return CASES[request.param]


def test_every_curated_model_is_covered():
    # A product's edits and sections are reviewed changes, never written at once: their
    # reasons are proven in products/tests/test_review_admin.py.
    reviewed = {"importwarning", "product", "productinformationsection"}
    registered = {model.__name__.lower() for model in CURATED} - reviewed
    assert set(CASES) == registered


# Changes


def test_a_change_without_a_reason_is_shown_again_and_writes_nothing(curator_client, case):
    obj = case.make()
    old = getattr(obj, case.field)
    data = form_data(curator_client.get(change_url(obj)))
    data[case.field] = case.new
    data["change_reason"] = "  \n "
    before = history_rows()

    response = curator_client.post(change_url(obj), data)

    assert response.status_code == 400
    assert escape(REASON_REQUIRED) in response.content.decode()
    assert response.context["adminform"].form.errors["change_reason"] == [REASON_REQUIRED]
    obj.refresh_from_db()
    assert getattr(obj, case.field) == old
    assert history_rows() == before


def test_a_change_with_a_reason_records_who_why_and_what(curator_client, curator, case):
    obj = case.make()
    old = getattr(obj, case.field)
    page = curator_client.get(change_url(obj))
    assert 'name="change_reason"' in page.content.decode()
    assert "Reason for this change" in page.content.decode()
    data = form_data(page)
    data[case.field] = case.new
    data["change_reason"] = f"  {REASON}\n"

    response = curator_client.post(change_url(obj), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    obj.refresh_from_db()
    assert getattr(obj, case.field) == case.new
    # The newest records: the save itself, and for a plan version the revision it moves on
    # (risks.workflow.record_edit), both with the same user and reason.
    records = list(type(obj).history.filter(id=obj.pk).order_by("-history_id"))
    changed = next(
        record
        for record in records
        if record.prev_record is not None
        and case.field
        in {change.field for change in record.diff_against(record.prev_record).changes}
    )
    for record in records[: records.index(changed) + 1]:
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "~",
            curator,
            REASON,
        )
    changes = {
        change.field: (change.old, change.new)
        for change in changed.diff_against(changed.prev_record).changes
    }
    assert changes[case.field] == (old, case.new)


def test_inline_changes_are_recorded_with_the_page_reason(curator_client, curator):
    reference = SectionReferenceFactory(
        routine_measure__safety_concern__plan__draft=True, section="4.4"
    )
    measure = reference.routine_measure
    concern = measure.safety_concern
    data = form_data(curator_client.get(change_url(concern)))
    assert data["routine_measures-0-id"] == measure.pk
    data["routine_measures-0-text"] = "Labelled in SmPC sections 4.4 and 4.8."
    data["routine_measures-0-references"] = "SmPC 4.4, 4.8"
    data["change_reason"] = REASON

    response = curator_client.post(change_url(concern), data)

    assert response.status_code == 302
    measure_record = measure.history.order_by("-history_id").first()
    assert measure_record.diff_against(measure_record.prev_record).changed_fields == ["text"]
    added = SectionReference.history.filter(routine_measure_id=measure.pk, section="4.8").get()
    for record in [concern.history.order_by("-history_id").first(), measure_record, added]:
        assert (record.history_user, record.history_change_reason) == (curator, REASON)
    assert added.history_type == "+"


def test_texts_sent_back_unchanged_by_a_browser_are_not_a_change(curator_client, curator):
    measure = RoutineMeasureFactory(
        safety_concern__plan__draft=True,
        safety_concern__category=ConcernCategory.POTENTIAL,
        safety_concern__risk_factors="Patients over 65.\nPatients with renal impairment.",
        text="SmPC section 4.4.\nSmPC section 4.8.",
    )
    concern = measure.safety_concern
    data = form_data(curator_client.get(change_url(concern)))
    # A browser sends every textarea's line ends as CR LF.
    for name, value in data.items():
        if isinstance(value, str):
            data[name] = value.replace("\n", "\r\n")
    data["category"] = ConcernCategory.IDENTIFIED.value
    data["change_reason"] = REASON
    measure_rows = measure.history.count()

    response = curator_client.post(change_url(concern), data)

    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.risk_factors == "Patients over 65.\nPatients with renal impairment."
    record = concern.history.order_by("-history_id").first()
    assert record.diff_against(record.prev_record).changed_fields == ["category"]
    assert measure.history.count() == measure_rows
    measure.refresh_from_db()
    assert measure.text == "SmPC section 4.4.\nSmPC section 4.8."


def test_the_reason_sits_after_the_inline_tables_right_above_save(curator_client):
    concern = SafetyConcernFactory(plan__draft=True)
    url = change_url(concern)
    page = curator_client.get(url).content.decode()

    last_inline = page.rindex("inline-group")
    reason_box = page.index('<fieldset class="module aligned change-reason"')
    reason_field = page.index('name="change_reason"')
    assert last_inline < reason_box < reason_field < page.index('name="_save"')
    assert "One reason covers everything you change on this page" in page

    data = form_data(curator_client.get(url))
    data["name"] = "Renamed"
    response = curator_client.post(url, data)
    shown = response.content.decode()
    assert response.status_code == 400
    box = shown.index('<fieldset class="module aligned change-reason"')
    assert box < shown.index(escape(REASON_REQUIRED)) < shown.index('name="_save"')


def test_a_new_part_added_on_the_plan_page_carries_the_reason(curator_client, curator):
    plan = PlanFactory(draft=True)
    data = form_data(curator_client.get(change_url(plan)))
    data.update(
        {
            "safety_concerns-TOTAL_FORMS": 1,
            "safety_concerns-0-position": 1,
            "safety_concerns-0-category": ConcernCategory.MISSING,
            "safety_concerns-0-name": "Use in pregnancy",
            "change_reason": REASON,
        }
    )

    response = curator_client.post(change_url(plan), data)

    assert response.status_code == 302
    record = SafetyConcern.history.get(name="Use in pregnancy")
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        curator,
        REASON,
    )


@pytest.mark.parametrize(
    ("model", "make_data"),
    [
        (Substance, lambda: {"name": "ofatumumab"}),
        (Company, lambda: {"name": "Novartis"}),
        (
            SafetyConcern,
            lambda: {
                "plan": PlanFactory(draft=True).pk,
                "category": ConcernCategory.POTENTIAL,
                "name": "Hepatotoxicity",
                "position": 3,
                "routine_measures-TOTAL_FORMS": 0,
                "routine_measures-INITIAL_FORMS": 0,
            },
        ),
        (
            Milestone,
            lambda: {
                "study": StudyFactory(plan__draft=True).pk,
                "description": "Final report",
                "due": "Q3 2027",
                "position": 0,
            },
        ),
    ],
    ids=["substance", "company", "safetyconcern", "milestone"],
)
def test_an_addition_needs_a_reason(curator_client, curator, model, make_data):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    data = make_data()
    assert 'name="change_reason"' in curator_client.get(url).content.decode()
    count, before = model.objects.count(), history_rows()

    response = curator_client.post(url, data)

    assert response.status_code == 400
    assert escape(REASON_REQUIRED) in response.content.decode()
    assert (model.objects.count(), history_rows()) == (count, before)

    response = curator_client.post(url, {**data, "change_reason": REASON})

    assert response.status_code == 302
    assert model.objects.count() == count + 1
    record = model.history.order_by("-history_id").first()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        curator,
        REASON,
    )


def test_import_warnings_ticked_off_on_the_plan_page_need_the_reason(curator_client, curator):
    plan = PlanFactory(draft=True)
    warning = ImportWarning.objects.create(plan=plan, subject="Plan", message="No version.")
    data = form_data(curator_client.get(change_url(plan)))
    data["import_warnings-0-resolved"] = "on"

    response = curator_client.post(change_url(plan), data)

    assert response.status_code == 400
    warning.refresh_from_db()
    assert not warning.resolved

    response = curator_client.post(change_url(plan), {**data, "change_reason": REASON})

    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.resolved
    record = warning.history.order_by("-history_id").first()
    assert (record.history_user, record.history_change_reason) == (curator, REASON)
    assert record.diff_against(record.prev_record).changed_fields == ["resolved"]


# Deletions


def test_the_delete_page_asks_for_a_reason_and_refuses_without_one(curator_client, case):
    obj = case.make()
    page = curator_client.get(delete_url(obj))
    assert page.status_code == 200
    assert 'name="change_reason"' in page.content.decode()
    token = page.context["audit_form"]["change_token"].value()
    before = history_rows()

    response = curator_client.post(delete_url(obj), {"post": "yes", "change_token": token})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was deleted: say why first." in page
    assert escape(REASON_REQUIRED) in page
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert history_rows() == before


def test_a_deletion_with_a_reason_is_recorded(curator_client, curator, case):
    obj = case.make()
    model, pk = type(obj), obj.pk
    token = curator_client.get(delete_url(obj)).context["audit_form"]["change_token"].value()

    response = curator_client.post(
        delete_url(obj), {"post": "yes", "change_token": token, "change_reason": REASON}
    )

    assert response.status_code == 302
    assert not model.objects.filter(pk=pk).exists()
    record = model.history.filter(id=pk).order_by("-history_id").first()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-",
        curator,
        REASON,
    )


def test_parts_deleted_with_their_concern_share_the_reason(curator_client, curator):
    reference = SectionReferenceFactory(routine_measure__safety_concern__plan__draft=True)
    concern = reference.routine_measure.safety_concern
    token = curator_client.get(delete_url(concern)).context["audit_form"]["change_token"].value()

    curator_client.post(
        delete_url(concern), {"post": "yes", "change_token": token, "change_reason": REASON}
    )

    for model, pk in [
        (SafetyConcern, concern.pk),
        (RoutineMeasure, reference.routine_measure_id),
        (SectionReference, reference.pk),
    ]:
        record = model.history.get(id=pk, history_type="-")
        assert (record.history_user, record.history_change_reason) == (curator, REASON)


@pytest.mark.parametrize(
    "model",
    [model for model in CURATED if model.__name__.lower() in CASES],
    ids=lambda model: model.__name__,
)
def test_there_is_no_bulk_delete_action(admin_client, model):
    obj = CASES[model.__name__.lower()].make()
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200
    assert "delete_selected" not in response.content.decode()

    admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )

    assert model.objects.filter(pk=obj.pk).exists()


# Accounts


def test_accounts_are_deactivated_never_deleted(admin_client, curator):
    url = reverse("admin:auth_user_change", args=[curator.pk])
    page = admin_client.get(url).content.decode()
    assert "Accounts are never deleted: the audit trail names the people" in page
    assert "untick “Active”" in page
    assert "deletelink" not in page
    delete = reverse("admin:auth_user_delete", args=[curator.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:auth_user_changelist")
    assert "delete_selected" not in admin_client.get(changelist).content.decode()
    admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [curator.pk], "post": "yes"}
    )
    assert get_user_model().objects.filter(pk=curator.pk).exists()


def test_a_published_version_is_not_deletable_even_by_a_superuser(admin_client):
    plan = PlanFactory(status=PlanStatus.PUBLISHED)
    assert admin_client.get(delete_url(plan)).status_code == 403
    response = admin_client.post(delete_url(plan), {"post": "yes", "change_reason": REASON})
    assert response.status_code == 403
    assert RiskManagementPlan.objects.filter(pk=plan.pk).exists()
