"""The risk terms in the admin, and a concern's term: suggested, then confirmed by a curator."""

import re

import pytest
from django.urls import reverse

from audit.context import recorded_change
from risks.models import RiskTerm, SafetyConcern
from risks.tests.factories import RoutineMeasureFactory

from .test_admin import routine_measure_post

pytestmark = pytest.mark.django_db


def test_the_terms_list_counts_confirmed_and_suggested_concerns(curator_client, seeded):
    page = curator_client.get("/admin/risks/riskterm/?q=myelo").content.decode()
    row = re.search(r"<tr>.*?Myelosuppression.*?</tr>", page, re.S).group(0)
    term = RiskTerm.objects.get(slug="myelosuppression")
    assert f'href="/admin/risks/safetyconcern/?term__id__exact={term.pk}">2</a>' in row
    assert "Bone marrow failure; Bone marrow suppression" in row
    listed = curator_client.get(f"/admin/risks/safetyconcern/?term__id__exact={term.pk}")
    assert {c.name for c in listed.context["cl"].result_list} == {
        "Myelosuppression",
        "Bone marrow failure (myelosuppression)",
    }


def test_a_reviewer_reads_the_terms_but_cannot_change_them(reviewer_client, seeded):
    assert reviewer_client.get("/admin/risks/riskterm/").status_code == 200
    term = RiskTerm.objects.get(slug="myelosuppression")
    change = reviewer_client.get(f"/admin/risks/riskterm/{term.pk}/change/").content.decode()
    assert 'name="preferred_name"' not in change
    assert reviewer_client.get("/admin/risks/riskterm/add/").status_code == 403


def concern_post(concern, **fields):
    measure = concern.routine_measures.first()
    data = routine_measure_post(measure, "")
    data.update({"term": "", **fields})
    return data


def test_a_suggestion_is_shown_then_confirmed_by_the_curator(curator_client):
    with recorded_change("A term for the test"):
        term = RiskTerm.objects.create(slug="hepatotoxicity-x", preferred_name="Liver injury")
    measure = RoutineMeasureFactory(
        safety_concern__plan__draft=True, safety_concern__name="Hepatotoxicity"
    )
    concern = measure.safety_concern
    url = reverse("admin:risks_safetyconcern_change", args=[concern.pk])
    # renamed without a term: the suggestion follows the name, nothing is confirmed
    response = curator_client.post(url, concern_post(concern, name="Severe liver injury"))
    assert response.status_code == 302, response.content.decode()[:2000]
    concern.refresh_from_db()
    assert (concern.term, concern.suggested_term) == (None, term)
    page = curator_client.get(url).content.decode()
    assert "Liver injury (not confirmed)" in page and "Confirm the suggested term" in page
    # the curator ticks the box: the suggestion is confirmed, with the reason recorded
    response = curator_client.post(url, concern_post(concern, confirm_suggestion="on"))
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.term == term
    assert concern.history.latest().term_id == term.pk
    assert "Liver injury (confirmed)" in curator_client.get(url).content.decode()


def test_confirming_without_a_suggestion_is_a_form_error(curator_client):
    measure = RoutineMeasureFactory(
        safety_concern__plan__draft=True, safety_concern__name="Zzyzx syndrome"
    )
    concern = measure.safety_concern
    url = reverse("admin:risks_safetyconcern_change", args=[concern.pk])
    response = curator_client.post(url, concern_post(concern, confirm_suggestion="on"))
    assert response.status_code == 400
    assert "There is no suggested term: choose a term above." in response.content.decode()
    assert SafetyConcern.objects.get(pk=concern.pk).term is None
