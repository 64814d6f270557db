"""Comparing two versions of a plan: ``compare`` loads both and builds a ``PlanComparison``.

Items are paired across the versions by ``matching``; each pair found in both becomes a change
record (``items``) kept only when something a reader would notice changed: a name or value
other than in spacing, a text other than in spacing or line breaks (an import re-flows lines),
a routine measure reworded other than in case or final full stop, sections cited, safety
concerns addressed, a milestone moved or reported. A change of position alone is ignored.
"""

from django.db.models import Prefetch

from risks.models import (
    AdditionalMeasure,
    AdditionalMeasureKind,
    ConcernCategory,
    Milestone,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
    StudyCategory,
    StudyDesign,
    StudyStatus,
)

from .items import (
    AdditionalMeasureChange,
    ConcernChange,
    MeasureChange,
    MilestoneChange,
    StudyChange,
    compare_text,
    compare_texts,
    shift,
)
from .matching import (
    ADDITIONAL_MEASURE_KEYS,
    CONCERN_KEYS,
    MILESTONE_KEYS,
    STUDY_KEYS,
    LinkComparer,
    pair,
    pair_routine_measures,
)
from .report import PlanComparison
from .text import squash

CONCERN_TEXTS = [
    ("evidence", "evidence", "Evidence for linking the risk to the medicine"),
    ("risk_factors", "risk factors", "Risk factors and risk groups"),
    ("footnotes", "footnote", "Footnote"),
]
STUDY_TEXTS = [
    ("title", "title", "Title"),
    ("purpose", "purpose", "Purpose"),
]


def comparison_prefetches():
    """What ``compare`` reads of each plan: one query per level, for both plans at once.

    Each level orders by its own positions, not by the models' default orderings, which start
    with the parent and would join every table up to the product.
    """
    by_position = ("position", "id")
    linked = SafetyConcern.objects.only("id", "plan_id").order_by(*by_position)
    return [
        Prefetch(
            "safety_concerns",
            queryset=SafetyConcern.objects.order_by(*by_position).prefetch_related(
                Prefetch(
                    "routine_measures",
                    queryset=RoutineMeasure.objects.order_by(*by_position).prefetch_related(
                        Prefetch(
                            "section_references",
                            queryset=SectionReference.objects.order_by(*by_position),
                        )
                    ),
                )
            ),
        ),
        Prefetch(
            "additional_measures",
            queryset=AdditionalMeasure.objects.order_by("name").prefetch_related(
                Prefetch("safety_concerns", queryset=linked)
            ),
        ),
        Prefetch(
            "studies",
            queryset=Study.objects.order_by(*by_position).prefetch_related(
                Prefetch("milestones", queryset=Milestone.objects.all()),
                Prefetch("safety_concerns", queryset=linked),
            ),
        ),
    ]


def compare(old_plan, new_plan, *, preloaded=False):
    """The changes from ``old_plan`` to ``new_plan``, two versions of the same product.

    Raises ValueError for versions of different products. Loads both plans afresh with
    ``comparison_prefetches``: a fixed number of queries whatever their size; ``preloaded``:
    the caller read them so already (many comparisons in one set of queries). Each measure
    and study of either version gets ``addressed_concerns``: the safety concerns it
    addresses, in source order.
    """
    if old_plan.product_id != new_plan.product_id:
        raise ValueError(f"Only versions of one product can be compared: {old_plan}, {new_plan}.")
    if preloaded:
        old, new = old_plan, new_plan
    else:
        loaded = {
            plan.pk: plan
            for plan in RiskManagementPlan.objects.filter(pk__in=[old_plan.pk, new_plan.pk])
            .select_related("product")
            .prefetch_related(*comparison_prefetches())
        }
        old, new = loaded[old_plan.pk], loaded[new_plan.pk]
    comparison = PlanComparison(old_plan=old, new_plan=new)

    old_concerns, new_concerns = list(old.safety_concerns.all()), list(new.safety_concerns.all())
    pairs, comparison.concerns_removed, comparison.concerns_added = pair(
        old_concerns, new_concerns, *CONCERN_KEYS
    )
    comparison.concern_changes = _changes(_compare_concern(*matched) for matched in pairs)

    links = LinkComparer(old_concerns + new_concerns, pairs)
    for plan in (old, new):
        for item in [*plan.additional_measures.all(), *plan.studies.all()]:
            item.addressed_concerns = links.addressed(item)

    pairs, comparison.additional_measures_removed, comparison.additional_measures_added = pair(
        old.additional_measures.all(), new.additional_measures.all(), *ADDITIONAL_MEASURE_KEYS
    )
    comparison.additional_measure_changes = _changes(
        _compare_additional_measure(*matched, links) for matched in pairs
    )

    pairs, comparison.studies_removed, comparison.studies_added = pair(
        old.studies.all(), new.studies.all(), *STUDY_KEYS
    )
    comparison.study_changes = _changes(_compare_study(*matched, links) for matched in pairs)
    return comparison


def first_version(plan):
    """``plan`` against nothing: the first version of a product, everything in it added.

    The comparison's ``old_plan`` is None. Loads the plan as ``compare`` does, and gives each
    measure and study its ``addressed_concerns``.
    """
    new = (
        RiskManagementPlan.objects.select_related("product")
        .prefetch_related(*comparison_prefetches())
        .get(pk=plan.pk)
    )
    concerns = list(new.safety_concerns.all())
    links = LinkComparer(concerns, [])
    for item in [*new.additional_measures.all(), *new.studies.all()]:
        item.addressed_concerns = links.addressed(item)
    return PlanComparison(
        old_plan=None,
        new_plan=new,
        concerns_added=concerns,
        additional_measures_added=list(new.additional_measures.all()),
        studies_added=list(new.studies.all()),
    )


def _changes(changes):
    """The changes that are not empty, in the order given."""
    return [change for change in changes if not change.is_empty]


def _label(choices):
    """The lower-case label of a value of ``choices``: "important identified risk"."""
    return lambda value: choices(value).label.lower()


def _text_shift(old, new):
    """A ``Shift`` of a short text (a name, a due date), spacing ignored."""
    return shift(squash(old), squash(new))


def _compare_concern(old, new, matched_by):
    change = ConcernChange(
        old=old,
        new=new,
        matched_by=matched_by,
        name=_text_shift(old.name, new.name),
        category=shift(old.category, new.category, _label(ConcernCategory)),
        text_changes=compare_texts(old, new, CONCERN_TEXTS),
    )
    pairs, change.measures_removed, change.measures_added = pair_routine_measures(
        old.routine_measures.all(), new.routine_measures.all()
    )
    change.measure_changes = _changes(
        _compare_routine_measure(old_measure, new_measure) for old_measure, new_measure, _ in pairs
    )
    return change


def _compare_routine_measure(old, new):
    old_cites, new_cites = _cites(old), _cites(new)
    return MeasureChange(
        old=old,
        new=new,
        cites_added=[label for key, label in new_cites.items() if key not in old_cites],
        cites_removed=[label for key, label in old_cites.items() if key not in new_cites],
    )


def _cites(measure):
    """The sections a routine measure cites: {key: label}, in its order."""
    return {ref.key: ref.label for ref in measure.section_references.all()}


def _compare_additional_measure(old, new, matched_by, links):
    return AdditionalMeasureChange(
        old=old,
        new=new,
        matched_by=matched_by,
        name=_text_shift(old.name, new.name),
        kind=shift(old.kind, new.kind, _label(AdditionalMeasureKind)),
        description=compare_text("description", "Description", old.description, new.description),
        links=links.compare(old, new),
    )


def _compare_study(old, new, matched_by, links):
    return StudyChange(
        old=old,
        new=new,
        matched_by=matched_by,
        name=_text_shift(old.name, new.name),
        status=shift(old.status, new.status, _label(StudyStatus)),
        category=shift(
            old.category, new.category, lambda value: StudyCategory(value).short_label.lower()
        ),
        design=shift(old.design, new.design, _label(StudyDesign)),
        text_changes=compare_texts(old, new, STUDY_TEXTS),
        links=links.compare(old, new),
        milestones=_compare_milestones(old, new),
    )


def _compare_milestones(old_study, new_study):
    """Milestone changes in the new study's order (by due date), then the removed ones."""
    new_milestones = list(new_study.milestones.all())
    pairs, removed, added = pair(old_study.milestones.all(), new_milestones, *MILESTONE_KEYS)
    changes = {id(item): MilestoneChange(study=new_study, old=None, new=item) for item in added}
    for old, new, _ in pairs:
        change = MilestoneChange(
            study=new_study,
            old=old,
            new=new,
            due=_text_shift(old.due, new.due),
            report=shift(old.reported_on, new.reported_on, lambda day: day),
        )
        if change.due or change.report:
            changes[id(new)] = change
    return [changes[id(item)] for item in new_milestones if id(item) in changes] + [
        MilestoneChange(study=old_study, old=item, new=None) for item in removed
    ]
