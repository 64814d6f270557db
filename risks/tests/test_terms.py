"""Curated risk terms: suggestion, confirmation, copy to a new version, four eyes, read model."""

import pytest

from audit.context import recorded_change
from risks import workflow
from risks.models import PlanStatus, RiskTerm, SafetyConcern
from risks.published import PublishedConcern, PublishedConcernCount
from risks.services import PlanDataError, create_plan
from risks.terms import THRESHOLD, similarity, suggest_term
from risks.workflow import WorkflowError

from .factories import PlanFactory, ProductFactory, SafetyConcernFactory

pytestmark = pytest.mark.django_db


def make_terms(*specs):
    with recorded_change("Terms for a test"):
        return [
            RiskTerm.objects.create(slug=slug, preferred_name=name, synonyms="\n".join(synonyms))
            for slug, name, *synonyms in specs
        ]


@pytest.fixture
def vocabulary():
    return make_terms(
        ("myelosuppression", "Myelosuppression", "Bone marrow suppression"),
        ("vod", "Veno-occlusive disease"),
        ("haemorrhage", "Haemorrhage"),
        ("tls", "Tumour lysis syndrome"),
        ("sjs-ten", "Stevens-Johnson syndrome and toxic epidermal necrolysis"),
        ("infections", "Infections"),
    )


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        # the same grouping key as a name or synonym: spelling, plural, abbreviation aside
        ("Tumor lysis syndrome (TLS)", "tls"),
        ("Bone marrow suppressions", "myelosuppression"),
        ("TLS", "tls"),
        # words: a short term's words in a longer name
        (
            "Hemorrhage, including cerebral, gastrointestinal and pulmonary hemorrhage",
            "haemorrhage",
        ),
        ("Bone marrow failure (myelosuppression)", "myelosuppression"),
        ("Infection (septic shock, sepsis, pneumonia)", "infections"),
        # abbreviations: expanded, or the initials of a term's name
        ("Skin reactions (SJS/TEN)", "sjs-ten"),
        ("Sinusoidal obstruction (VOD)", "vod"),
    ],
)
def test_a_concern_name_gets_the_term_it_names(vocabulary, name, slug):
    term = suggest_term(name)
    assert term is not None and term.slug == slug


def test_a_name_no_term_is_close_to_gets_no_suggestion(vocabulary):
    assert suggest_term("Pancreatitis") is None
    assert suggest_term("Use in patients with renal impairment") is None
    assert similarity("Pancreatitis", "Haemorrhage") < THRESHOLD
    assert similarity("Myelosuppression", "myelosuppression") == 1.0


def test_an_imported_draft_has_a_suggestion_not_a_confirmed_term(vocabulary):
    product = ProductFactory()
    data = {
        "version": "1",
        "safety_concerns": [
            {"name": "Bone marrow failure (myelosuppression)", "category": "identified"},
            {"name": "Pancreatitis", "category": "potential"},
        ],
    }
    with recorded_change("Imported"):
        plan = create_plan(product, data, status=PlanStatus.DRAFT).plan
    first, second = plan.safety_concerns.order_by("position")
    assert (first.term, first.suggested_term.slug) == (None, "myelosuppression")
    assert (second.term, second.suggested_term) == (None, None)


def test_curated_data_confirms_a_term_by_slug_and_refuses_an_unknown_one(vocabulary):
    product = ProductFactory()
    data = {
        "version": "1",
        "safety_concerns": [{"name": "Bleeding", "category": "identified", "term": "haemorrhage"}],
    }
    with recorded_change("Seeded"):
        plan = create_plan(product, data, status=PlanStatus.DRAFT).plan
    assert plan.safety_concerns.get().term.slug == "haemorrhage"
    data["safety_concerns"][0]["term"] = "nowhere"
    with recorded_change("Seeded"), pytest.raises(PlanDataError, match="no risk term 'nowhere'"):
        create_plan(ProductFactory(), data, status=PlanStatus.DRAFT)


def test_every_seed_concern_is_mapped_to_a_term(seeded):
    concerns = SafetyConcern.objects.current()
    assert concerns.count() == 68
    assert not concerns.filter(term__isnull=True).exists()
    assert RiskTerm.objects.filter(code="").count() == RiskTerm.objects.count()  # no code filled


def test_a_new_version_keeps_each_concerns_term_and_suggestion(seeded, curator):
    plan = seeded["clolar"].plans.get()
    draft = workflow.start_new_version(plan, user=curator, version="2", reason="New label")
    before = list(plan.safety_concerns.order_by("position").values_list("name", "term__slug"))
    after = list(draft.safety_concerns.order_by("position").values_list("name", "term__slug"))
    assert after == before and ("Myelosuppression", "myelosuppression") in after
    suggested = draft.safety_concerns.values_list("suggested_term__slug", flat=True)
    assert set(suggested) == set(
        plan.safety_concerns.values_list("suggested_term__slug", flat=True)
    )


def test_the_term_is_in_the_history_and_a_change_of_it_counts_for_four_eyes(
    seeded, curator, reviewer, django_user_model
):
    from conftest import curators_group, reviewers_group

    both = django_user_model.objects.create_user("both", is_staff=True)
    both.groups.add(curators_group(), reviewers_group())
    plan = seeded["clolar"].plans.get()
    draft = workflow.start_new_version(plan, user=curator, version="2", reason="New label")
    concern = draft.safety_concerns.get(name="Renal toxicity")
    other = RiskTerm.objects.get(slug="use-in-renal-impairment")
    with recorded_change("Renal toxicity is not nephrotoxicity here", both):
        concern.term = other
        concern.save()
        workflow.record_edit(draft, both)
    row = concern.history.latest()
    assert (row.term_id, row.history_user, row.history_change_reason) == (
        other.pk,
        both,
        "Renal toxicity is not nephrotoxicity here",
    )
    assert row.prev_record.term.slug == "nephrotoxicity"
    workflow.submit_for_review(draft, user=curator, reason="Ready")
    with pytest.raises(WorkflowError, match="four eyes"):
        workflow.publish(draft, user=type(both).objects.get(pk=both.pk), reason="Approved")
    # a draft's term never reaches the public lists
    published = PublishedConcern.objects.get(product=seeded["clolar"], name="Renal toxicity")
    assert published.group_key == "term:nephrotoxicity"
    workflow.publish(draft, user=reviewer, reason="Checked")
    published = PublishedConcern.objects.get(product=seeded["clolar"], name="Renal toxicity")
    assert (published.group_key, published.group_name) == (
        "term:use-in-renal-impairment",
        "Use in patients with renal impairment",
    )


def test_the_read_model_groups_by_the_confirmed_term_else_by_name(vocabulary):
    haemorrhage = vocabulary[2]
    first, second = PlanFactory(), PlanFactory()
    with recorded_change("Concerns"):
        SafetyConcernFactory(plan=first, name="Bleeding", term=haemorrhage)
        SafetyConcernFactory(
            plan=second, name="Hemorrhage, including GI hemorrhage", term=haemorrhage
        )
        SafetyConcernFactory(
            plan=second, name="Haemorrhage of the brain", suggested_term=haemorrhage
        )
    rows = dict(PublishedConcern.objects.values_list("name", "group_key"))
    assert rows == {
        "Bleeding": "term:haemorrhage",
        "Hemorrhage, including GI hemorrhage": "term:haemorrhage",
        "Haemorrhage of the brain": "hemorrhage of the brain",  # suggested only: its own row
    }
    counts = PublishedConcernCount.objects.filter(group_key="term:haemorrhage")
    assert {count.group_name for count in counts} == {"Haemorrhage"}
    assert sum(count.products for count in counts) == 2
    # renaming the term renames its group on the public lists
    with recorded_change("MedDRA spelling"):
        haemorrhage.preferred_name = "Haemorrhages"
        haemorrhage.save()
    assert set(
        PublishedConcern.objects.filter(group_key="term:haemorrhage").values_list(
            "group_name", flat=True
        )
    ) == {"Haemorrhages"}


def test_an_imported_new_version_is_suggested_the_terms_confirmed_before(seeded):
    product = seeded["clolar"]
    with recorded_change("A curator's choice the vocabulary would not make"):
        hemorrhage = SafetyConcern.objects.current().get(plan__product=product, name="Hemorrhage")
        hemorrhage.term = RiskTerm.objects.get(slug="stroke")
        hemorrhage.save()
    data = {
        "version": "2",
        "safety_concerns": [
            {"name": "Haemorrhage", "category": "identified"},  # the same name's key
            {"name": "Zzyzx syndrome", "category": "identified"},
        ],
    }
    with recorded_change("Imported"):
        plan = create_plan(product, data, status=PlanStatus.DRAFT).plan
    renal, other = plan.safety_concerns.order_by("position")
    assert (renal.term, renal.suggested_term.slug) == (None, "stroke")
    assert (other.term, other.suggested_term) == (None, None)
