import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils.html import escape

from risks.models import Milestone, SafetyConcern, SectionReference
from risks.tests.factories import MilestoneFactory, RoutineMeasureFactory, SectionReferenceFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/admin/",
    "/admin/risks/riskmanagementplan/",
    "/admin/risks/safetyconcern/",
    "/admin/products/product/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_non_staff_users_are_sent_to_login(client, django_user_model, url):
    user = django_user_model.objects.create_user("reader", password="a-long-test-password")
    user.groups.add(Group.objects.get(name="Curators"))
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_curators_group_has_exactly_the_curation_permissions():
    permissions = set(
        Group.objects.get(name="Curators").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    models = {
        "products": ["substance", "company", "product", "productinformationsection"],
        "risks": [
            "riskmanagementplan",
            "safetyconcern",
            "routinemeasure",
            "sectionreference",
            "additionalmeasure",
            "study",
            "milestone",
        ],
    }
    expected = (
        {
            (app, f"{action}_{model}")
            for app, names in models.items()
            for model in names
            for action in ("view", "add", "change", "delete")
        }
        | {
            ("imports", "view_importlog"),
            ("imports", "view_importwarning"),
            ("imports", "change_importwarning"),
            # Product edits and uploads are drafts (products.review): no publishing.
            ("products", "view_productchange"),
            ("products", "add_productchange"),
            ("products", "change_productchange"),
        }
        | {("risks", f"{action}_riskterm") for action in ("view", "add", "change", "delete")}
    )
    assert permissions == expected
    assert not Permission.objects.filter(group__name="Curators", content_type__app_label="auth")


def test_curator_edits_a_plan_on_one_page_with_its_inlines(curator_client, seeded):
    plan = seeded["lemtrada"].plans.get()
    response = curator_client.get(reverse("admin:risks_riskmanagementplan_change", args=[plan.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Infusion-associated reactions (IARs)" in page
    assert "Educational materials (HCP guide" in page
    assert "OBS13434" in page
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    assert len(formsets["safety_concerns"].forms) == 23
    assert len(formsets["studies"].forms) == 4
    measure_form = formsets["additional_measures"].forms[0]
    # additional measures may link only to concerns of the same plan
    choices = set(measure_form.fields["safety_concerns"].queryset)
    assert choices == set(plan.safety_concerns.all())


def test_curator_cannot_manage_users(curator_client):
    assert curator_client.get("/admin/auth/user/").status_code == 403


def routine_measure_post(measure, references):
    concern = measure.safety_concern
    concern.plan.refresh_from_db()
    return {
        "change_reason": "Section references checked against the SmPC",
        "change_token": str(concern.plan.revision),
        "plan": concern.plan_id,
        "category": concern.category,
        "name": concern.name,
        "position": concern.position,
        "evidence": concern.evidence,
        "risk_factors": "",
        "footnotes": "",
        "curator_note": "",
        "routine_measures-TOTAL_FORMS": "1",
        "routine_measures-INITIAL_FORMS": "1",
        "routine_measures-0-id": measure.pk,
        "routine_measures-0-safety_concern": concern.pk,
        "routine_measures-0-position": "0",
        "routine_measures-0-kind": "labelling",
        "routine_measures-0-text": "Labelled in SmPC sections 4.2 and 4.4 and PL section 2.",
        "routine_measures-0-references": references,
    }


def test_curator_types_section_references_as_text(curator_client):
    reference = SectionReferenceFactory(
        section="4.8", routine_measure__safety_concern__plan__draft=True
    )
    measure = reference.routine_measure
    url = reverse("admin:risks_safetyconcern_change", args=[measure.safety_concern_id])

    response = curator_client.post(url, routine_measure_post(measure, "SmPC 4.2, 4.4; PL 2"))

    assert response.status_code == 302
    assert [r.label for r in SectionReference.objects.filter(routine_measure=measure)] == [
        "SmPC 4.2",
        "SmPC 4.4",
        "PL 2",
    ]
    assert 'value="SmPC 4.2, SmPC 4.4, PL 2"' in curator_client.get(url).content.decode()


def test_a_malformed_section_reference_is_a_form_error_and_nothing_changes(curator_client):
    measure = SectionReferenceFactory(
        section="4.8", routine_measure__safety_concern__plan__draft=True
    ).routine_measure
    url = reverse("admin:risks_safetyconcern_change", args=[measure.safety_concern_id])

    response = curator_client.post(url, routine_measure_post(measure, "SmPC 4.4, SmPC four"))

    assert response.status_code == 400
    assert "“four” is not a section of the Summary of product characteristics" in (
        response.content.decode()
    )
    assert [r.label for r in measure.section_references.all()] == ["SmPC 4.8"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "SmPC 4.4, SmPC 4.99",
            "“SmPC 4.99” is not a section of the Summary of product "
            "characteristics: its sections are 1–12, 2.1, 2.2, 4.1–4.9, 5.1–5.3, 6.1–6.6.",
        ),
        ("SmPC 12.3", "“SmPC 12.3” is not a section of the Summary of product characteristics"),
        ("SmPC 4.4; PL 9", "“PL 9” is not a section of the Package leaflet: its sections are 1–6."),
    ],
)
def test_a_section_the_document_does_not_have_is_refused_naming_the_valid_ones(
    curator_client, typed, message
):
    measure = SectionReferenceFactory(
        section="4.8", routine_measure__safety_concern__plan__draft=True
    ).routine_measure
    url = reverse("admin:risks_safetyconcern_change", args=[measure.safety_concern_id])

    response = curator_client.post(url, routine_measure_post(measure, typed))

    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert [r.label for r in measure.section_references.all()] == ["SmPC 4.8"]


def test_the_section_reference_page_shows_the_valid_sections_next_to_the_field(curator_client):
    reference = SectionReferenceFactory(
        section="4.8", routine_measure__safety_concern__plan__draft=True
    )
    plan = reference.routine_measure.safety_concern.plan
    url = reverse("admin:risks_sectionreference_change", args=[reference.pk])

    response = curator_client.post(
        url,
        {
            "change_reason": "Cite the overdose section",
            "change_token": str(plan.revision),
            "routine_measure": reference.routine_measure_id,
            "document": "smpc",
            "section": "4.99",
            "position": "0",
        },
    )

    assert response.status_code == 400
    field_errors = response.context["adminform"].form.errors
    assert field_errors["section"] == [
        "“SmPC 4.99” is not a section of the Summary of product characteristics: its sections "
        "are 1–12, 2.1, 2.2, 4.1–4.9, 5.1–5.3, 6.1–6.6."
    ]
    reference.refresh_from_db()
    assert reference.section == "4.8"


@pytest.mark.parametrize(
    ("typed", "warning"),
    [
        (
            "SmPC 4.2; PL 2",
            "names SmPC 4.4 in its text but cites SmPC 4.2, PL 2: check its section references.",
        ),
        ("", "names SmPC 4.2, SmPC 4.4, PL 2 in its text but cites nothing"),
        ("SmPC 4.2, 4.4; PL 2", None),
    ],
)
def test_a_measure_whose_text_names_a_section_it_does_not_cite_is_saved_with_a_warning(
    curator_client, typed, warning
):
    measure = SectionReferenceFactory(
        section="4.8", routine_measure__safety_concern__plan__draft=True
    ).routine_measure
    url = reverse("admin:risks_safetyconcern_change", args=[measure.safety_concern_id])

    response = curator_client.post(url, routine_measure_post(measure, typed), follow=True)

    assert response.redirect_chain[0][1] == 302
    shown = [str(message) for message in response.context["messages"]]
    uncited = [message for message in shown if "in its text but cites" in message]
    if warning is None:
        assert uncited == []
    else:
        assert len(uncited) == 1
        assert uncited[0].startswith(
            "The routine measure “Labelled in SmPC sections 4.2 and 4.4 and PL section 2.”"
        )
        assert warning in uncited[0]


def test_duplicate_concern_name_shows_the_readable_message(curator_client):
    measure = RoutineMeasureFactory(safety_concern__plan__draft=True)
    other = SafetyConcern.objects.create(
        plan=measure.safety_concern.plan, category="potential", name="Malignancy"
    )
    data = routine_measure_post(measure, "")
    data["name"] = "MALIGNANCY"
    url = reverse("admin:risks_safetyconcern_change", args=[measure.safety_concern_id])
    response = curator_client.post(url, data)
    assert response.status_code == 400
    assert "This plan already has a safety concern with this name." in response.content.decode()
    assert other.name == SafetyConcern.objects.get(pk=other.pk).name


def test_milestone_due_date_is_derived_when_a_curator_saves(curator_client):
    milestone = MilestoneFactory(due="2031", study__plan__draft=True)
    plan = milestone.study.plan
    url = reverse("admin:risks_milestone_change", args=[milestone.pk])
    response = curator_client.post(
        url,
        {
            "change_reason": "Final report date moved",
            "change_token": str(plan.revision),
            "study": milestone.study_id,
            "description": "Final report",
            "due": "Q2 2027",
            "reported_on": "",
            "position": 0,
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.due, str(milestone.due_date), milestone.precision) == (
        "Q2 2027",
        "2027-06-30",
        "quarter",
    )

    plan.refresh_from_db()
    response = curator_client.post(
        url,
        {
            "change_reason": "Final report date moved",
            "change_token": str(plan.revision),
            "study": milestone.study_id,
            "description": "Final report",
            "due": "30/02/2027",
            "reported_on": "",
            "position": 0,
        },
    )
    assert "“30/02/2027” is not a real date." in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).due == "Q2 2027"


@pytest.mark.parametrize(
    "model",
    ["product", "substance", "company", "productinformationsection"],
)
def test_every_product_model_has_a_working_admin_list(curator_client, seeded, model):
    response = curator_client.get(f"/admin/products/{model}/?q=a")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [
        "riskmanagementplan",
        "safetyconcern",
        "routinemeasure",
        "sectionreference",
        "additionalmeasure",
        "study",
        "milestone",
        "riskterm",
    ],
)
def test_every_risk_model_has_a_working_admin_list_and_add_page(curator_client, seeded, model):
    assert curator_client.get(f"/admin/risks/{model}/?q=a").status_code == 200
    assert curator_client.get(f"/admin/risks/{model}/add/").status_code == 200
