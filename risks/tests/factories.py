import factory
from django.utils import timezone

from products.documents import Document
from products.tests.factories import ProductFactory
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
