import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from audit.context import recorded_change
from products.documents import Document
from products.tests.factories import ProductFactory
from risks import workflow
from risks.models import (
    AdditionalMeasure,
    AdditionalMeasureKind,
    ConcernCategory,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
    StudyCategory,
    StudyDesign,
)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskManagementPlan

    product = factory.SubFactory(ProductFactory)
    version = factory.Sequence(lambda n: f"{n + 1}.0")
    status = PlanStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    source_document = "factory"

    class Params:
        draft = factory.Trait(status=PlanStatus.DRAFT, published_at=None)


class SafetyConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafetyConcern

    plan = factory.SubFactory(PlanFactory)
    category = ConcernCategory.IDENTIFIED
    name = factory.Sequence(lambda n: f"Risk {n}")
    position = factory.Sequence(int)
    evidence = "Clinical trial data."


class RoutineMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutineMeasure

    safety_concern = factory.SubFactory(SafetyConcernFactory)
    text = "SmPC section 4.4."


class SectionReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectionReference

    routine_measure = factory.SubFactory(RoutineMeasureFactory)
    document = Document.SMPC
    section = "4.4"


class AdditionalMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdditionalMeasure

    plan = factory.SubFactory(PlanFactory)
    kind = AdditionalMeasureKind.PATIENT_CARD
    name = factory.Sequence(lambda n: f"Patient card {n}")


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"OBS{10000 + n}")
    title = factory.Sequence(lambda n: f"A post-authorisation safety study {n}")
    category = StudyCategory.REQUIRED
    design = StudyDesign.OBSERVATIONAL_COHORT


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    study = factory.SubFactory(StudyFactory)
    description = "Final report"

    @classmethod
    def _create(cls, model_class, *args, due="Q3 2024", **kwargs):
        milestone = model_class(*args, **kwargs)
        milestone.set_due(due)
        milestone.save()
        return milestone


def workflow_user(username, *permissions):
    """A staff user holding ``permissions`` ("app_label.codename"), created once per name."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True}
    )
    if created:
        for permission in permissions:
            app_label, codename = permission.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return get_user_model().objects.get(pk=user.pk)  # a fresh permission cache


def next_version(plan, *, user=None, reviewer=None, version=None, publish=True, edit=None):
    """The next version of the published ``plan``, made the way curators make it.

    ``start_new_version`` copies ``plan`` into a draft as ``user`` (a curator by default);
    ``edit(draft)`` may then change the draft (inside a recorded change by ``user``). Unless
    ``publish`` is False, the draft is submitted for review by ``user`` and published by
    ``reviewer``, a second person (four eyes), which supersedes ``plan``.
    """
    user = user or workflow_user(
        "version-author",
        "risks.add_riskmanagementplan",
        "risks.change_riskmanagementplan",
    )
    reviewer = reviewer or workflow_user(
        "version-reviewer", "risks.view_riskmanagementplan", "risks.publish_riskmanagementplan"
    )
    draft = workflow.start_new_version(
        plan,
        user=user,
        version=version or workflow.suggested_version(plan),
        reason="Start the next version",
    )
    if edit is not None:
        with transaction.atomic(), recorded_change("Edit the new version", user):
            edit(draft)
            workflow.record_edit(draft, user)
    if publish:
        workflow.submit_for_review(draft, user=user, reason="Ready for review")
        workflow.publish(draft, user=reviewer, reason="Reviewed and published")
    return RiskManagementPlan.objects.get(pk=draft.pk)
