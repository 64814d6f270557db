"""The import log in the admin (read-only) and import warnings on the plan and concern pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from imports.models import ImportLog, ImportWarning
from imports.tests.test_admin import CONFIRM_URL, LEMTRADA, confirm_data, source, upload
from risks.tests.factories import PlanFactory, SafetyConcernFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "root", "root@example.org", "a-long-test-password"
    )
    client.force_login(user)
    return client


# The import log is read-only


@pytest.fixture
def imported(curator_client, seeded):
    preview_response = upload(curator_client, LEMTRADA, source(LEMTRADA))
    curator_client.post(CONFIRM_URL, confirm_data(preview_response))
    return ImportLog.objects.get()


def test_the_import_log_lists_who_imported_what(curator_client, imported):
    response = curator_client.get(reverse("admin:imports_importlog_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    plan_url = reverse("admin:risks_riskmanagementplan_change", args=[imported.plan_id])
    assert f'<a href="{plan_url}">Lemtrada RMP version 2</a>' in page
    assert f'<td class="field-warning_count">{len(imported.warnings)}</td>' in page
    assert LEMTRADA in page
    assert 'name="_selected_action"' not in page


def test_the_import_log_list_takes_the_same_queries_for_one_or_many_entries(
    curator_client, curator, seeded
):
    plan = seeded["lemtrada"].plans.get()

    def queries_with(entries):
        ImportLog.objects.all().delete()
        for number in range(entries):
            ImportLog.objects.create(
                kind="rmp_summary",
                file_name=f"summary-{number}.txt",
                sha256=f"{number:064x}",
                size=1,
                user=curator,
                product=plan.product,
                plan=plan,
                summary="Draft plan.",
                warnings=["A warning."],
            )
        with CaptureQueriesContext(connection) as context:
            response = curator_client.get(reverse("admin:imports_importlog_changelist"))
        assert response.content.decode().count("summary-") == entries
        return len(context)

    assert queries_with(1) == queries_with(6)


def test_a_log_entry_shows_its_summary_and_warnings(curator_client, imported):
    url = reverse("admin:imports_importlog_change", args=[imported.pk])
    response = curator_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(imported.summary) in page
    for warning in imported.warnings:
        assert f"<li>{escape(warning)}</li>" in page
    assert 'name="_save"' not in page


def test_not_even_a_superuser_can_change_or_delete_a_log_entry(superuser_client, imported):
    change_url = reverse("admin:imports_importlog_change", args=[imported.pk])
    page = superuser_client.get(change_url).content.decode()
    assert 'name="_save"' not in page
    assert "deletelink" not in page
    response = superuser_client.post(change_url, {"file_name": "forged.txt"})
    assert response.status_code == 403
    delete_url = reverse("admin:imports_importlog_delete", args=[imported.pk])
    assert superuser_client.get(delete_url).status_code == 403
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:imports_importlog_changelist")
    response = superuser_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [imported.pk], "post": "yes"}
    )
    assert ImportLog.objects.filter(pk=imported.pk, file_name=LEMTRADA).exists()
    assert superuser_client.get("/admin/imports/importlog/add/").status_code == 403


# Import warnings on the plan and safety concern pages


def admin_form_data(response):
    """The POST data of an admin change form as rendered, with every inline formset."""
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update(
            {management.add_prefix(name): management[name].value() for name in management.fields}
        )
        for subform in formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value is None or value is False:
                    continue
                data[subform.add_prefix(name)] = value
    return data


@pytest.fixture
def plan_with_warnings():
    plan = PlanFactory(draft=True)
    concern = SafetyConcernFactory(plan=plan, name="Hepatotoxicity")
    ImportWarning.objects.create(plan=plan, subject="Plan", message="No version.", position=0)
    ImportWarning.objects.create(
        plan=plan,
        safety_concern=concern,
        subject="Safety concern “Hepatotoxicity”",
        message="Footnote b has no text.",
        position=1,
        resolved=True,
    )
    ImportWarning.objects.create(
        plan=plan,
        safety_concern=concern,
        subject="Safety concern “Hepatotoxicity”",
        message="Evidence ends mid-sentence.",
        position=2,
    )
    return plan


def test_plan_page_shows_the_warning_count_and_unresolved_warnings_first(
    curator_client, plan_with_warnings
):
    url = reverse("admin:risks_riskmanagementplan_change", args=[plan_with_warnings.pk])
    response = curator_client.get(url)
    page = response.content.decode()
    assert "3 import warnings, 2 unresolved" in page
    inlines = {
        inline.formset.prefix: inline for inline in response.context["inline_admin_formsets"]
    }
    warnings = inlines["import_warnings"]
    assert [form.instance.message for form in warnings.formset.forms] == [
        "No version.",
        "Evidence ends mid-sentence.",
        "Footnote b has no text.",
    ]
    assert set(warnings.formset.forms[0].fields) == {"resolved", "id", "plan"}
    assert (warnings.has_add_permission, warnings.has_delete_permission) == (False, False)
    assert not warnings.formset.can_delete
    assert "Evidence ends mid-sentence." in page


def test_curator_ticks_a_warning_resolved_but_cannot_add_delete_or_reword(
    curator_client, plan_with_warnings
):
    url = reverse("admin:risks_riskmanagementplan_change", args=[plan_with_warnings.pk])
    data = admin_form_data(curator_client.get(url))
    first = "import_warnings-0"
    assert data[f"{first}-id"] == ImportWarning.objects.get(message="No version.").pk
    data[f"{first}-resolved"] = "on"
    data[f"{first}-message"] = "Reworded by hand."
    data["import_warnings-1-DELETE"] = "on"
    data["import_warnings-TOTAL_FORMS"] = 4
    data.update({"import_warnings-3-subject": "Invented", "import_warnings-3-resolved": "on"})
    data["change_reason"] = "Checked against the source document"

    response = curator_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    rows = list(ImportWarning.objects.order_by("position").values_list("message", "resolved"))
    assert rows == [
        ("No version.", True),
        ("Footnote b has no text.", True),
        ("Evidence ends mid-sentence.", False),
    ]


def test_safety_concern_page_shows_only_its_own_warnings(curator_client, plan_with_warnings):
    concern = plan_with_warnings.safety_concerns.get()
    response = curator_client.get(reverse("admin:risks_safetyconcern_change", args=[concern.pk]))
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    messages = [form.instance.message for form in formsets["import_warnings"].forms]
    assert messages == ["Evidence ends mid-sentence.", "Footnote b has no text."]
    assert "No version." not in response.content.decode()


def test_pages_of_items_that_were_not_imported_have_no_warning_section(curator_client, seeded):
    plan = seeded["lemtrada"].plans.get()
    response = curator_client.get(reverse("admin:risks_riskmanagementplan_change", args=[plan.pk]))
    assert response.status_code == 200
    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == ["safety_concerns", "additional_measures", "studies"]
    assert '<div class="readonly">None</div>' in response.content.decode()
    concern = plan.safety_concerns.first()
    response = curator_client.get(reverse("admin:risks_safetyconcern_change", args=[concern.pk]))
    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == ["routine_measures"]
