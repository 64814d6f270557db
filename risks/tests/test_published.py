"""The read model of the public lists (risks/published.py): built at publication, drafts never."""

import datetime
import io

import pytest
from django.core.management import call_command

from risks import workflow
from risks.models import PlanStatus, RiskManagementPlan
from risks.published import (
    FACET_FIELDS,
    PublishedConcern,
    PublishedProduct,
    PublishedProductCount,
    PublishedStudy,
    PublishedStudyCount,
    PublishedSubstance,
    containing_all,
    rebuild_all,
)
from risks.tests.factories import (
    AdditionalMeasureFactory,
    MilestoneFactory,
    PlanFactory,
    SafetyConcernFactory,
    StudyFactory,
)

pytestmark = pytest.mark.django_db


def state():
    """Every row of the read model, as comparable values."""
    return (
        sorted(PublishedProduct.objects.values_list()),
        sorted(PublishedConcern.objects.values_list()),
        sorted(PublishedStudy.objects.values_list()),
        sorted(PublishedProductCount.objects.values_list(*FACET_FIELDS, "products")),
        sorted(PublishedSubstance.objects.values_list()),
        sorted(
            PublishedStudyCount.objects.values_list(
                "category", "status", "design", "overdue", "studies"
            )
        ),
    )


def concern_names(product):
    return sorted(PublishedConcern.objects.filter(product=product).values_list("name", flat=True))


def test_the_seed_fills_it_as_a_rebuild_would(seeded):
    built = state()
    assert len(built[0]) == 5  # Besponsa has no plan, but is public
    assert len(built[1]) == 68
    assert sum(row[-1] for row in built[3]) == 5  # the products, counted per combination
    assert len(built[4]) == len(
        {s for p in PublishedProduct.objects.all() for s in p.product.substances.all()}
    )
    rebuild_all()
    assert state() == built
    out = io.StringIO()
    call_command("rebuild_published", stdout=out)
    assert out.getvalue() == "Rebuilt the read model of 5 public products.\n"
    assert state() == built


def test_publishing_a_version_replaces_the_product_rows_and_drafts_never_reach_it(
    seeded, curator, reviewer
):
    lemtrada = RiskManagementPlan.objects.get(product__slug="lemtrada", status="published")
    before = concern_names(lemtrada.product)
    draft = workflow.start_new_version(lemtrada, user=curator, version="2", reason="New RMP")
    SafetyConcernFactory(plan=draft, name="A draft-only risk", category="potential")
    draft.safety_concerns.filter(name=before[0]).delete()
    assert concern_names(lemtrada.product) == before  # the draft changed nothing public
    assert not PublishedConcern.objects.filter(concern__plan=draft).exists()

    workflow.submit_for_review(draft, user=curator, reason="Ready")
    assert concern_names(lemtrada.product) == before
    workflow.publish(draft, user=reviewer, reason="Approved")
    after = concern_names(lemtrada.product)
    assert after == sorted([*before[1:], "A draft-only risk"])
    assert set(
        PublishedConcern.objects.filter(product=lemtrada.product).values_list(
            "concern__plan", flat=True
        )
    ) == {draft.pk}
    row = PublishedProduct.objects.get(product=lemtrada.product)
    assert (row.plan_id, row.plan_version, row.concern_count) == (draft.pk, "2", len(after))
    built = state()
    rebuild_all()
    assert state() == built


def test_a_product_with_only_a_draft_is_not_public_and_one_without_plans_is():
    draft = PlanFactory(draft=True)
    SafetyConcernFactory(plan=draft)
    StudyFactory(plan=draft)
    assert not PublishedProduct.objects.filter(product=draft.product).exists()
    assert not PublishedConcern.objects.exists() and not PublishedStudy.objects.exists()
    plan = PlanFactory()
    assert PublishedProduct.objects.get(product=plan.product).plan_id == plan.pk
    plan.delete()
    row = PublishedProduct.objects.get(product=plan.product)  # product information only
    assert (row.plan_id, row.concern_count) == (None, 0)


def test_flags_counts_and_the_next_due_date_follow_the_current_plan():
    plan = PlanFactory(product__region="US")
    concern = SafetyConcernFactory(
        plan=plan, name="Haemorrhage", category="missing", evidence="Fatal BLEEDING"
    )
    AdditionalMeasureFactory(plan=plan, kind="patient_card").safety_concerns.add(concern)
    study = StudyFactory(plan=plan, category=2)
    MilestoneFactory(study=study, due="2020", reported_on=datetime.date(2020, 6, 1))
    MilestoneFactory(study=study, due="Q3 2024")
    MilestoneFactory(study=study, due="2031")
    row = PublishedProduct.objects.get(product=plan.product)
    assert (row.concern_count, row.study_count) == (1, 1)
    assert (row.concern_missing, row.concern_identified) == (True, False)
    assert (row.measure_patient_card, row.measure_dhpc, row.study_2, row.study_1) == (
        True,
        False,
        True,
        False,
    )
    published = PublishedConcern.objects.get(concern=concern)
    assert (published.region, published.group_key, published.category_rank) == (
        "US",
        "hemorrhage",
        2,
    )
    assert "fatal bleeding" in published.text
    # The earliest unreported dated milestone; overdue is "before today".
    row = PublishedStudy.objects.get(study=study)
    assert row.next_due == datetime.date(2024, 9, 30)
    assert (row.category, row.status, row.design, row.position) == (
        study.category,
        study.status,
        study.design,
        study.position,
    )
    assert (row.product_name, row.product_slug) == (plan.product.name, plan.product.slug)
    plan.product.name = "Renamed"
    plan.product.save()
    assert PublishedStudy.objects.get(study=study).product_name == "Renamed"
    plan.status = PlanStatus.SUPERSEDED
    plan.save()
    assert not PublishedStudy.objects.exists() and not PublishedConcern.objects.exists()


def matching(*words):
    """Names of the rows whose text contains every word (each given with its spellings),
    found along the text index and, as when another filter leaves few rows, in it."""
    words = [[w.lower() for w in word.split("|")] for word in words]
    found = [
        sorted(
            containing_all(PublishedConcern.objects.all(), words, few_rows=few_rows).values_list(
                "name", flat=True
            )
        )
        for few_rows in (False, True)
    ]
    assert found[0] == found[1]
    return found[0]


def test_the_text_index_finds_any_part_of_a_word_and_follows_every_write():
    plan = PlanFactory()
    first = SafetyConcernFactory(plan=plan, name="Hepatotoxicity", evidence="Liver injury")
    SafetyConcernFactory(plan=plan, name="Haemorrhage", risk_factors='Warfarin "AB" use')
    assert matching("hepat") == ["Hepatotoxicity"]
    assert matching("toxic", "injury") == ["Hepatotoxicity"]  # inside a word, and AND
    assert matching("hemorrhage|haemorrhage") == ["Haemorrhage"]  # either spelling
    assert matching("ab") == ["Haemorrhage"]  # two letters: matched on the rows
    assert matching('"ab"', "warfarin") == ["Haemorrhage"]  # quotes are text, not syntax
    assert matching("liver", "warfarin") == []
    first.name = "Renal failure"
    first.evidence = "Kidney"
    first.save()
    assert matching("hepat") == [] and matching("kidney") == ["Renal failure"]
    SafetyConcernFactory(plan=PlanFactory(draft=True), name="Draftonly nephritis")
    assert matching("draftonly") == []  # a draft's text never reaches the index
    plan.status = PlanStatus.SUPERSEDED
    plan.save()
    assert matching("kidney") == [] and matching("warfarin") == []
