"""Product edits and product information as reviewed changes: nothing public before a
second person publishes; four eyes; a document naming another product is refused; the diff
against the published sections; steps on a stale revision answer 409; the audit trail."""

import hashlib
import io

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from audit.context import recorded_change
from audit.models import DataVersion
from conftest import curators_group, reviewers_group
from imports.extract import ImportRejected
from imports.models import ImportKind, ImportLog
from imports.pi_drafts import draft_product_information, preview_product_information
from imports.tests.pdf import text_to_pdf
from products import review
from products.models import (
    ChangeStatus,
    Company,
    Product,
    ProductChange,
    ProductInformationSection,
    Substance,
)

pytestmark = pytest.mark.django_db

DOCUMENTS = settings.BASE_DIR / "imports" / "tests" / "documents" / "product_information"
LEMTRADA_PI = DOCUMENTS / "lemtrada_smpc.txt"
REASON = "Product information of the EPAR of 2024"


def lemtrada_text():
    return LEMTRADA_PI.read_text(encoding="utf-8")


def draft_information(product, user, text=None, name="lemtrada_smpc.txt", **confirm):
    content = (text or lemtrada_text()).encode()
    preview = preview_product_information(content, name, product)
    return draft_product_information(preview, user=user, reason=REASON, **confirm)


@pytest.fixture
def lemtrada(seeded):
    return seeded["lemtrada"]


@pytest.fixture
def second_reviewer(django_user_model):
    user = django_user_model.objects.create_user(
        "second-reviewer", password="a-long-test-password", is_staff=True
    )
    user.groups.add(reviewers_group())
    return user


@pytest.fixture
def curator_reviewer(django_user_model):
    """Both a curator and a reviewer: may edit and publish, never their own change."""
    user = django_user_model.objects.create_user(
        "both", password="a-long-test-password", is_staff=True
    )
    user.groups.add(curators_group(), reviewers_group())
    return user


# Every public route, before and after ------------------------------------------------

PUBLIC_ROUTES = [
    "/",
    "/products/lemtrada/",
    "/products/lemtrada/information/",
    "/products/",
    "/products/?format=csv",
    "/products/?format=json",
    "/risks/?format=csv",
    "/search/?q=Vincilaan",
    "/search/?q=Vincilaan&format=json",
    "/search/?q=Lemtradix",
    "/api/v1/products/lemtrada/",
    "/api/v1/products/",
]


def public_state(client):
    """{route: (status, body digest, ETag, Last-Modified)} of every public route."""
    state = {}
    for route in PUBLIC_ROUTES:
        response = client.get(route)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        state[route] = (
            response.status_code,
            hashlib.sha256(body).hexdigest(),
            response.get("ETag"),
            response.get("Last-Modified"),
            body.decode(),
        )
    return state


def test_nothing_is_public_before_publication_and_everything_after(
    client, curator, reviewer, lemtrada
):
    before = public_state(client)
    assert "Vincilaan" not in before["/products/lemtrada/information/"][4]
    public_counter = DataVersion.objects.get(pk=1).public_counter

    # A curator uploads the product information and renames the product: one draft change.
    change = draft_information(lemtrada, curator)
    values = {"name": "Lemtradix"}
    review.propose_values(lemtrada, values, user=curator, reason="Renamed in the EPAR")
    change.refresh_from_db()
    assert change.values == values and len(change.sections) == 38
    drafted = public_state(client)
    assert drafted == before
    assert DataVersion.objects.get(pk=1).public_counter == public_counter

    review.submit(change, user=curator, reason="Ready for review")
    assert public_state(client) == drafted
    assert DataVersion.objects.get(pk=1).public_counter == public_counter

    review.publish(change, user=reviewer, reason="Checked against the EPAR")

    after = public_state(client)
    assert DataVersion.objects.get(pk=1).public_counter > public_counter
    for route in PUBLIC_ROUTES:
        if before[route][2]:  # pages with an ETag: a new one, and a later Last-Modified
            assert after[route][2] != before[route][2], route
            assert after[route][3] is not None, route
    information = after["/products/lemtrada/information/"][4]
    assert "Vincilaan" in information and 'id="smpc-4-4"' in information
    assert "Lemtradix" in after["/products/lemtrada/"][4]
    assert "Lemtradix" in after["/products/?format=csv"][4]
    assert "Lemtradix" in after["/api/v1/products/lemtrada/"][4]
    assert '"results": []' in before["/search/?q=Vincilaan&format=json"][4]
    assert "Leonardo Da Vincilaan" in after["/search/?q=Vincilaan&format=json"][4]
    # The product page's SmPC 4.4 references now open the section text.
    assert "/products/lemtrada/information/#smpc-4-4" in after["/products/lemtrada/"][4]
    assert "/products/lemtrada/information/#smpc-4-4" not in before["/products/lemtrada/"][4]


def test_a_draft_never_moves_the_public_etag(client, curator, lemtrada):
    first = client.get("/products/lemtrada/")
    draft_information(lemtrada, curator)
    again = client.get("/products/lemtrada/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


# Four eyes -----------------------------------------------------------------------------


def test_the_editor_cannot_publish_their_own_change(curator_reviewer, second_reviewer, lemtrada):
    change = draft_information(lemtrada, curator_reviewer)
    review.submit(change, user=curator_reviewer, reason="Ready")

    with pytest.raises(review.ReviewError, match="another reviewer must publish it"):
        review.publish(change, user=curator_reviewer, reason="Mine")
    assert not lemtrada.information_sections.exists()

    review.publish(change, user=second_reviewer, reason="Checked")
    assert lemtrada.information_sections.count() == 38


def test_the_submitter_cannot_publish_and_a_curator_cannot_publish_at_all(
    curator, curator_reviewer, reviewer, lemtrada
):
    change = draft_information(lemtrada, curator)
    review.submit(change, user=curator_reviewer, reason="Ready")
    with pytest.raises(review.ReviewError, match="You submitted"):
        review.publish(change, user=curator_reviewer, reason="Checked")
    with pytest.raises(review.ReviewError, match="permission to publish"):
        review.publish(change, user=curator, reason="Checked")
    review.publish(change, user=reviewer, reason="Checked")
    change.refresh_from_db()
    assert change.status == ChangeStatus.PUBLISHED


def test_the_publish_page_refuses_the_editor_with_403(client, curator_reviewer, lemtrada):
    change = draft_information(lemtrada, curator_reviewer)
    review.submit(change, user=curator_reviewer, reason="Ready")
    client.force_login(curator_reviewer)
    url = reverse("admin:products_productchange_publish", args=[change.pk])

    page = client.get(url)
    assert page.status_code == 403
    assert "another reviewer must publish it" in page.content.decode()
    response = client.post(url, {"reason": "Mine", "revision": change.revision})
    assert response.status_code == 403
    assert not lemtrada.information_sections.exists()
    change_page = client.get(reverse("admin:products_productchange_change", args=[change.pk]))
    assert "workflow-publish" not in change_page.content.decode()


# Never replace silently ----------------------------------------------------------------


def test_a_document_naming_another_product_is_refused_unless_confirmed(curator, lemtrada):
    text = lemtrada_text().replace("LEMTRADA 12 mg", "TYSABRI 300 mg", 1)
    with pytest.raises(ImportRejected, match="names the product “TYSABRI 300 mg"):
        draft_information(lemtrada, curator, text)
    assert not ProductChange.objects.exists()

    change = draft_information(lemtrada, curator, text, confirm_mismatch=True)
    assert change.source_product_name.startswith("TYSABRI 300 mg")
    log = ImportLog.objects.get(kind=ImportKind.PRODUCT_INFORMATION, product=lemtrada)
    assert any("Confirmed by the importer" in warning for warning in log.warnings)


def test_a_document_naming_another_substance_is_refused(curator, lemtrada):
    text = lemtrada_text().replace("12 mg alemtuzumab in 1.2 mL (10 mg/mL)", "300 mg natalizumab")
    text = text.replace("Alemtuzumab is a humanised", "Natalizumab is a humanised")
    with pytest.raises(ImportRejected, match="does not mention alemtuzumab"):
        draft_information(lemtrada, curator, text)


def test_a_document_with_far_fewer_sections_is_flagged_and_needs_confirming(
    curator, reviewer, lemtrada
):
    change = draft_information(lemtrada, curator)
    review.submit(change, user=curator, reason="Ready")
    review.publish(change, user=reviewer, reason="Checked")
    short = lemtrada_text().split("5. PHARMACOLOGICAL PROPERTIES")[0]

    preview = preview_product_information(short.encode(), "short.txt", lemtrada)
    assert preview.few_sections and len(preview.sections) == 13
    assert "far fewer than the 38 published" in preview.few_sections_message
    with pytest.raises(ImportRejected, match="far fewer"):
        draft_product_information(preview, user=curator, reason=REASON)
    change = draft_product_information(
        preview, user=curator, reason=REASON, confirm_few_sections=True
    )
    assert len(change.sections) == 13


# The diff against the published sections -------------------------------------------------


def test_the_preview_diff_names_added_removed_and_changed_sections(curator, reviewer, lemtrada):
    change = draft_information(lemtrada, curator)
    review.submit(change, user=curator, reason="Ready")
    review.publish(change, user=reviewer, reason="Checked")
    text = lemtrada_text().replace(
        "Patients should be observed for at least 2 hours",
        "Patients should be observed for 3 hours",
    )
    text = text.replace("4.9 Overdose\n", "4.9 Overdose\n\nA new first sentence.\n")
    text = text.replace(
        "10. DATE OF REVISION OF THE TEXT", "10. DATE OF REVISION OF THE TEXT\n\n1 March 2025"
    )

    diff = preview_product_information(text.encode(), "new.txt", lemtrada).diff

    assert [section.label for section in diff.changed] == ["SmPC 4.4", "SmPC 4.9", "SmPC 10"]
    assert diff.added == [] and diff.removed == []
    old, new = diff.changed[0].diff
    assert ("3", True) in [(part.strip(), changed) for part, changed in new]
    assert ("at least 2", True) in [(part.strip(), changed) for part, changed in old]


def test_the_upload_pages_preview_the_sections_and_the_diff_then_make_a_draft(
    curator_client, curator, lemtrada
):
    url = reverse("product_information:upload", args=[lemtrada.pk])
    assert "Upload the product information of Lemtrada" in curator_client.get(url).content.decode()
    upload = io.BytesIO(LEMTRADA_PI.read_bytes())
    upload.name = "lemtrada_smpc.txt"

    preview = curator_client.post(url, {"file": upload})

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "38 sections: SmPC 1-10 (28), Annex II A-D (4), PL 1-6 (6)" in page
    assert "38 added, 0 removed, 0 changed" in page
    assert "Special warnings and precautions for use" in page
    assert "LEMTRADA is not recommended for patients" in page  # the first lines
    data = {
        "sha256": hashlib.sha256(LEMTRADA_PI.read_bytes()).hexdigest(),
        "file_name": "lemtrada_smpc.txt",
        "reason": "",
    }
    confirm_url = reverse("product_information:confirm", args=[lemtrada.pk])
    refused = curator_client.post(confirm_url, data)
    assert refused.status_code == 400 and not ProductChange.objects.exists()

    response = curator_client.post(confirm_url, {**data, "reason": REASON})

    change = ProductChange.objects.get()
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()
    assert (change.product, change.status, change.created_by) == (lemtrada, "draft", curator)
    assert not lemtrada.information_sections.exists()
    review_page = curator_client.get(change.get_absolute_url()).content.decode()
    assert "Submit for review" in review_page and "SmPC 4.4" in review_page


def test_the_upload_page_refuses_a_mismatch_without_the_explicit_confirmation(
    curator_client, lemtrada
):
    content = lemtrada_text().replace("LEMTRADA 12 mg", "TYSABRI 300 mg", 1).encode()
    upload = io.BytesIO(content)
    upload.name = "tysabri.txt"
    page = curator_client.post(
        reverse("product_information:upload", args=[lemtrada.pk]), {"file": upload}
    )
    text = page.content.decode()
    assert "This document is for Lemtrada although it names TYSABRI 300 mg" in text
    data = {
        "sha256": hashlib.sha256(content).hexdigest(),
        "file_name": "tysabri.txt",
        "reason": REASON,
    }
    confirm_url = reverse("product_information:confirm", args=[lemtrada.pk])

    refused = curator_client.post(confirm_url, data)
    assert refused.status_code == 400
    assert "not Lemtrada" in refused.content.decode()
    assert not ProductChange.objects.exists()

    accepted = curator_client.post(confirm_url, {**data, "confirm_mismatch": "on"})
    assert accepted.status_code == 302 and ProductChange.objects.count() == 1


def test_a_reviewer_cannot_upload(reviewer_client, lemtrada):
    url = reverse("product_information:upload", args=[lemtrada.pk])
    assert reviewer_client.get(url).status_code == 403


# Product edits in the admin --------------------------------------------------------------


def product_form(client, product):
    page = client.get(reverse("admin:products_product_change", args=[product.pk]))
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def test_an_admin_edit_is_a_draft_until_a_reviewer_publishes_it(
    client, curator_client, curator, reviewer, lemtrada
):
    data = product_form(curator_client, lemtrada)
    data.update(name="Lemtradix", route="Intravenous infusion", change_reason="")
    url = reverse("admin:products_product_change", args=[lemtrada.pk])
    assert curator_client.post(url, data).status_code == 400
    assert not ProductChange.objects.exists()

    response = curator_client.post(url, {**data, "change_reason": "Renamed"})

    change = ProductChange.objects.get()
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()
    assert change.values == {"name": "Lemtradix", "route": "Intravenous infusion"}
    lemtrada.refresh_from_db()
    assert lemtrada.name == "Lemtrada"
    assert "Lemtradix" not in client.get("/products/lemtrada/").content.decode()
    # The product page shows the draft's values; a second edit continues the draft.
    again = product_form(curator_client, lemtrada)
    assert again["name"] == "Lemtradix"
    again.update(route=lemtrada.route, change_reason="Route as before")
    curator_client.post(url, again)
    change.refresh_from_db()
    assert change.values == {"name": "Lemtradix"}

    review.submit(change, user=curator, reason="Ready")
    assert curator_client.post(url, {**again, "change_reason": "More"}).status_code == 409
    changelist = curator_client.get(reverse("admin:products_product_changelist"))
    assert "In review" in changelist.content.decode()
    review.publish(change, user=reviewer, reason="Checked")
    lemtrada.refresh_from_db()
    assert lemtrada.name == "Lemtradix"
    assert "Lemtradix" in client.get("/products/lemtrada/").content.decode()
    published = curator_client.get(change.get_absolute_url()).content.decode()
    assert "Published value" in published and "Lemtradix" in published


def test_a_new_product_is_public_only_once_published(client, curator_client, curator, reviewer):
    url = reverse("admin:products_product_add")
    with recorded_change("A new substance", curator):
        substance = Substance.objects.create(name="novexumab")
    data = {
        "name": "Novexa",
        "slug": "novexa",
        "substances": [substance.pk],
        "region": "EU",
        "authorisation_status": "authorised",
        "information_sections-TOTAL_FORMS": 0,
        "information_sections-INITIAL_FORMS": 0,
    }
    response = curator_client.post(
        url, {**data, "change_reason": "New product", "change_token": ""}
    )
    change = ProductChange.objects.get()
    assert response.status_code == 302 and change.product is None
    assert not Product.objects.filter(slug="novexa").exists()
    assert client.get("/products/novexa/").status_code == 404

    review.submit(change, user=curator, reason="Ready")
    review.publish(change, user=reviewer, reason="Checked")

    assert client.get("/products/novexa/").status_code == 200
    change.refresh_from_db()
    assert change.product.slug == "novexa"
    assert list(change.product.substances.all()) == [substance]


def test_products_and_sections_cannot_be_changed_or_deleted_directly(
    curator_client, curator, reviewer, lemtrada
):
    change = draft_information(lemtrada, curator)
    review.submit(change, user=curator, reason="Ready")
    review.publish(change, user=reviewer, reason="Checked")
    section = lemtrada.information_sections.get(section="4.4")
    section_url = reverse("admin:products_productinformationsection_change", args=[section.pk])

    page = curator_client.get(section_url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    posted = curator_client.post(section_url, {"title": "Changed", "change_reason": "No"})
    assert posted.status_code == 403
    section.refresh_from_db()
    assert section.title == "Special warnings and precautions for use"
    delete = reverse("admin:products_product_delete", args=[lemtrada.pk])
    assert curator_client.post(delete, {"change_reason": "Gone"}).status_code == 403
    add = reverse("admin:products_productinformationsection_add")
    assert curator_client.get(add).status_code == 403


# Steps on a stale revision ---------------------------------------------------------------


def test_a_step_on_a_stale_revision_is_refused_with_409(
    curator_client, curator, reviewer, client, lemtrada
):
    change = draft_information(lemtrada, curator)
    review.submit(change, user=curator, reason="Ready")
    seen = change.revision
    client.force_login(reviewer)
    url = reverse("admin:products_productchange_publish", args=[change.pk])
    assert client.get(url).status_code == 200
    # Meanwhile the curator withdraws it, uploads again and resubmits.
    review.return_to_draft(change, user=curator, reason="One more fix")
    review.submit(change, user=curator, reason="Ready again")

    response = client.post(url, {"reason": "Checked", "revision": seen})

    assert response.status_code == 409
    assert f"you saw revision {seen}" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeStatus.IN_REVIEW
    assert not lemtrada.information_sections.exists()
    with pytest.raises(review.StaleRevision):
        review.publish(change, user=reviewer, reason="Checked", revision=seen)


def test_the_step_pages_publish_with_the_revision_seen(client, curator, reviewer, lemtrada):
    change = draft_information(lemtrada, curator)
    client.force_login(curator)
    submit = reverse("admin:products_productchange_submit", args=[change.pk])
    assert client.post(submit, {"reason": "Ready", "revision": change.revision}).status_code == 302
    change.refresh_from_db()
    client.force_login(reviewer)
    publish = reverse("admin:products_productchange_publish", args=[change.pk])
    assert client.post(publish, {"reason": "", "revision": change.revision}).status_code == 400
    response = client.post(publish, {"reason": "Checked", "revision": change.revision})
    assert response.status_code == 302
    assert lemtrada.information_sections.count() == 38


# The audit trail -------------------------------------------------------------------------


def test_publication_is_in_the_audit_trail_with_its_reasons(curator, reviewer, lemtrada):
    change = draft_information(lemtrada, curator)
    review.submit(change, user=curator, reason="Ready for review")
    review.publish(change, user=reviewer, reason="Checked against the EPAR")

    rows = list(
        ProductChange.history.filter(id=change.pk)
        .order_by("history_id")
        .values_list("status", "history_user__username", "history_change_reason")
    )
    assert rows == [
        ("draft", "curator", REASON),
        ("in_review", "curator", "Ready for review"),
        ("published", "reviewer", "Checked against the EPAR"),
    ]
    product_row = Product.history.filter(id=lemtrada.pk).latest("history_id")
    assert (product_row.history_user, product_row.history_change_reason) == (
        reviewer,
        "Checked against the EPAR",
    )
    sections = ProductInformationSection.history.filter(product_id=lemtrada.pk)
    assert sections.count() == 38
    assert set(sections.values_list("history_user__username", "history_change_reason")) == {
        ("reviewer", "Checked against the EPAR")
    }
    call_command("verify_audit_trail", stdout=io.StringIO())


def test_a_reviewer_who_sent_a_change_back_may_publish_it_once_resubmitted(
    client, curator, reviewer, lemtrada
):
    change = draft_information(lemtrada, curator)
    review.submit(change, user=curator, reason="Ready")
    review.return_to_draft(change, user=reviewer, reason="Check section 4.4 again")
    review.submit(change, user=curator, reason="Checked")
    review.publish(change, user=reviewer, reason="Fine now")
    client.force_login(reviewer)
    page = client.get(change.get_absolute_url()).content.decode()
    steps = ["Created", "Submitted for review", "Sent back to draft", "Published"]
    positions = [page.index(f"<td>{step}</td>") for step in steps]
    assert positions == sorted(positions)
    assert "Check section 4.4 again" in page


# The command line --------------------------------------------------------------------


def run(*args, **options):
    out = io.StringIO()
    call_command("import_product_information", *args, stdout=out, **options)
    return out.getvalue()


def test_the_command_makes_a_draft_and_writes_nothing_public(lemtrada, curator):
    output = run(str(LEMTRADA_PI), product="lemtrada", reason=REASON, user="curator")
    change = ProductChange.objects.get()
    assert f"into {change}" in output and "It is a draft" in output
    assert (change.status, change.created_by) == (ChangeStatus.DRAFT, curator)
    assert not lemtrada.information_sections.exists()


def test_the_command_refuses_a_mismatch_unless_confirmed(lemtrada, tmp_path):
    path = tmp_path / "tysabri.txt"
    path.write_text(lemtrada_text().replace("LEMTRADA 12 mg", "TYSABRI 300 mg", 1))
    with pytest.raises(CommandError, match="--confirm-mismatch"):
        run(str(path), product="lemtrada", reason=REASON)
    assert not ProductChange.objects.exists()
    run(str(path), product="lemtrada", reason=REASON, confirm_mismatch=True)
    assert ProductChange.objects.count() == 1


def test_the_command_dry_run_shows_the_differences_and_writes_nothing(lemtrada):
    output = run(str(LEMTRADA_PI), product="lemtrada", dry_run=True)
    assert "38 sections added, 0 removed, 0 changed" in output
    assert "Nothing was written" in output
    assert not ProductChange.objects.exists()


def test_groups_can_do_what_their_role_says():
    curators = set(
        Group.objects.get(name="Curators").permissions.values_list("codename", flat=True)
    )
    reviewers = set(
        Group.objects.get(name="Reviewers").permissions.values_list("codename", flat=True)
    )
    assert "publish_productchange" in reviewers and "publish_productchange" not in curators
    assert {"add_productchange", "change_productchange"} <= curators


# Uploads: formats, bad files, who may ---------------------------------------------------


def test_a_pdf_of_the_product_information_is_read_like_its_text(lemtrada):
    preview = preview_product_information(text_to_pdf(lemtrada_text()), "lemtrada.pdf", lemtrada)
    assert preview.summary() == "38 sections: SmPC 1-10 (28), Annex II A-D (4), PL 1-6 (6)"
    assert preview.mismatch is None
    assert "observed for at least 2 hours" in preview.diff.added[7].new_text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty.txt is empty."),
        ("label.docx", b"PK\x03\x04", "only .txt and .pdf files can be imported"),
        ("fake.pdf", b"not a pdf", "is not a PDF file"),
        ("prose.txt", b"A letter about something else entirely.\n", "does not look like product"),
    ],
)
def test_bad_uploads_get_a_message_and_a_400(curator_client, lemtrada, name, content, message):
    upload = io.BytesIO(content)
    upload.name = name
    url = reverse("product_information:upload", args=[lemtrada.pk])
    response = curator_client.post(url, {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProductChange.objects.exists()


def test_the_upload_pages_need_a_staff_login_and_an_existing_product(curator_client):
    url = reverse("product_information:upload", args=[999_999])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")
    assert curator_client.get(url).status_code == 404
    confirm = reverse("product_information:confirm", args=[999_999])
    assert curator_client.get(confirm).status_code == 404


def test_a_new_product_whose_slug_was_taken_meanwhile_is_refused_with_a_message(
    curator, reviewer, seeded
):
    values = {"name": "Lemtrada bis", "slug": "lemtrada", "region": "EU"}
    change = review.propose_values(None, values, user=curator, reason="New product")
    review.submit(change, user=curator, reason="Ready")
    with pytest.raises(review.ReviewError, match="The change cannot be published: slug: "):
        review.publish(change, user=reviewer, reason="Checked")
    change.refresh_from_db()
    assert change.status == ChangeStatus.IN_REVIEW and change.product is None
    assert Product.objects.filter(slug="lemtrada").count() == 1


def test_every_field_of_the_form_goes_through_review_relations_included(
    curator_client, curator, reviewer, lemtrada
):
    with recorded_change("Catalogue names", curator):
        substance = Substance.objects.create(name="alemtuzumabum")
        holder = Company.objects.create(name="Genzyme Europe B.V.")
    data = product_form(curator_client, lemtrada)
    data.update(
        substances=[substance.pk],
        marketing_authorisation_holder=holder.pk,
        boxed_warning="true",
        authorisation_status="suspended",
        source_url="https://www.ema.europa.eu/en/medicines/human/EPAR/lemtrada-2",
        change_reason="As in the new EPAR",
    )
    url = reverse("admin:products_product_change", args=[lemtrada.pk])
    assert curator_client.post(url, data).status_code == 302
    change = ProductChange.objects.get()
    assert change.values == {
        "authorisation_status": "suspended",
        "boxed_warning": True,
        "marketing_authorisation_holder": holder.pk,
        "source_url": "https://www.ema.europa.eu/en/medicines/human/EPAR/lemtrada-2",
        "substances": [substance.pk],
    }
    page = curator_client.get(change.get_absolute_url()).content.decode()
    assert "<ins>Genzyme Europe B.V.</ins>" in page and "<del>alemtuzumab</del>" in page
    lemtrada.refresh_from_db()
    assert [s.name for s in lemtrada.substances.all()] == ["alemtuzumab"]

    review.submit(change, user=curator, reason="Ready")
    review.publish(change, user=reviewer, reason="Checked")

    lemtrada.refresh_from_db()
    assert list(lemtrada.substances.all()) == [substance]
    assert (lemtrada.marketing_authorisation_holder, lemtrada.boxed_warning) == (holder, True)
    assert lemtrada.authorisation_status == "suspended"


# The admin home ------------------------------------------------------------------------


def test_the_admin_home_lists_product_changes_waiting_and_the_editors_own(
    client, curator, curator_reviewer, second_reviewer, lemtrada
):
    change = draft_information(lemtrada, curator)
    client.force_login(curator)
    home = client.get(reverse("admin:index")).content.decode()
    assert "Your drafts (1)" in home and str(change) in home
    assert reverse("admin:products_productchange_submit", args=[change.pk]) in home

    review.submit(change, user=curator_reviewer, reason="Ready")
    client.force_login(curator_reviewer)  # submitted it: another reviewer publishes
    home = client.get(reverse("admin:index")).content.decode()
    assert "Waiting for your review (" not in home
    assert "Another reviewer publishes it (four eyes)." in home

    client.force_login(second_reviewer)
    home = client.get(reverse("admin:index")).content.decode()
    assert "Waiting for your review (1)" in home
    assert reverse("admin:products_productchange_publish", args=[change.pk]) in home
