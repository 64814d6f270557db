"""What changed between two versions of a product's risk management plan, for a reader.

``compare(old_plan, new_plan)`` returns a ``PlanComparison``: safety concerns added, removed,
reclassified, renamed or with revised text; routine and additional risk minimisation measures
added, removed or revised; studies added, removed, completed, recategorised, and their
milestones moved, added, removed or reported. Versions are compared in the order given: the
older first is the usual reading; the other way round simply reads the changes backwards.

How items are matched across the two versions
---------------------------------------------
- **Safety concerns** first by ``lineage`` (``risks.workflow.start_new_version`` copies each
  concern with its lineage), then, among those left on both sides, by their normalised name
  (``risks.normalise.concern_key``), because a version imported from a document has fresh
  lineages. A matched concern whose name differs is *renamed*; whose category differs,
  *reclassified*. A change of position (order in the document) is ignored.
- **Evidence, risk factors and footnotes** of a matched concern are *revised* when their text
  differs other than in spacing or line breaks (an import re-flows lines); the old and the new
  text are both kept so that a page can show them side by side.
- **Routine measures** of a matched concern by kind and normalised text (case, spacing and a
  final full stop ignored). Measures left over on both sides *of the same kind* are paired as
  *revised* when their texts are similar (``difflib`` ratio of at least 0.6, or the shorter
  wording kept whole in the longer one: a clause added or dropped; the most similar pairs
  first); the others read as removed and added. Why: a curator who fixes a typo or adds a
  section number rewrites a sentence, and "revised: old text / new text" says exactly that,
  where "removed … added …" of two near-identical sentences would make the reader compare
  them by eye. Two unrelated sentences are never presented as a revision of each other, and
  a measure whose kind changed (wording → clinical setting) reads as removed and added. A
  change of case or of the final full stop alone is not listed.
- **Section references** of a kept or revised routine measure: the sections it now also
  cites and no longer cites ("now also cites SmPC 4.8").
- **Additional measures** by lineage, then by name (case and spacing ignored). For a matched
  measure: renamed, other kind, description revised, and the safety concerns it newly serves
  or no longer serves (concerns are paired as above, so a renamed concern is not "unlinked";
  a concern removed from the plan is not listed as unlinked either, its removal says it).
- **Studies** by lineage, then code, then short name, then title (case and spacing ignored).
  For a matched study: completed (status now completed), another status change, category,
  design, name, title and purpose, linked safety concerns, and **milestones**, matched by
  description (case and spacing ignored, in order of due date): moved (the due date as
  written changed), added, removed, newly reported (``reported_on`` set), report date changed
  or withdrawn.

Both plans are loaded in a fixed number of queries, whatever their size.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db.models import Prefetch

from .models import (
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
from .normalise import concern_key

SIMILAR_TEXT = 0.6  # similarity from which two routine measures read as one measure revised

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
    """What ``compare`` reads of each plan: one query per level, for both plans at once."""
    linked = SafetyConcern.objects.only("id", "plan_id")
    return [
        Prefetch(
            "safety_concerns",
            queryset=SafetyConcern.objects.prefetch_related(
                Prefetch(
                    "routine_measures",
                    queryset=RoutineMeasure.objects.prefetch_related(
                        Prefetch("section_references", queryset=SectionReference.objects.all())
                    ),
                )
            ),
        ),
        Prefetch(
            "additional_measures",
            queryset=AdditionalMeasure.objects.prefetch_related(
                Prefetch("safety_concerns", queryset=linked)
            ),
        ),
        Prefetch(
            "studies",
            queryset=Study.objects.prefetch_related(
                Prefetch("milestones", queryset=Milestone.objects.all()),
                Prefetch("safety_concerns", queryset=linked),
            ),
        ),
    ]


# What the comparison reports.


@dataclass(frozen=True)
class Shift:
    """A value that differs between the versions, as words: "ongoing" → "completed"."""

    old: object
    new: object


def _shift(old, new, words=str):
    return None if old == new else Shift(words(old), words(new))


@dataclass(frozen=True)
class TextChange:
    """A text that was added (it was empty), removed (it is now empty) or revised."""

    name: str  # for a sentence: "evidence"
    label: str  # as the product page names the field
    old: str
    new: str

    @property
    def action(self):
        return "added" if not self.old else "removed" if not self.new else "revised"

    @property
    def diff(self):
        """(old, new): each text as (text, changed) segments, the words that differ marked."""
        return word_diff(self.old, self.new)

    def __str__(self):
        return f"{self.name} {self.action}"


@dataclass(frozen=True)
class MeasureChange:
    """A routine measure in both versions whose text or cited sections changed."""

    old: RoutineMeasure
    new: RoutineMeasure
    cites_added: list[str]  # section labels: "SmPC 4.8"
    cites_removed: list[str]

    @property
    def text_revised(self):
        """Reworded: a change of case, spacing or final full stop alone does not count."""
        return _measure_text(self.old) != _measure_text(self.new)

    @property
    def text_changes(self):
        """The revised wording, as a one-item list (like a concern's), or an empty list."""
        return _text_changes(self.old, self.new, [("text", "text", "Wording")])


@dataclass
class ConcernChange:
    """A safety concern in both versions, and what changed in it."""

    old: SafetyConcern
    new: SafetyConcern
    matched_by: str  # "lineage" or "name"
    name: Shift | None = None
    category: Shift | None = None  # "important potential risk" → "important identified risk"
    text_changes: list[TextChange] = field(default_factory=list)
    measures_added: list[RoutineMeasure] = field(default_factory=list)
    measures_removed: list[RoutineMeasure] = field(default_factory=list)
    measure_changes: list[MeasureChange] = field(default_factory=list)

    @property
    def renamed(self):
        return self.name is not None

    @property
    def reclassified(self):
        return self.category is not None

    @property
    def measures_revised(self):
        return [change for change in self.measure_changes if change.text_revised]

    @property
    def references_changed(self):
        """Measures with the same text that now cite other sections."""
        return [change for change in self.measure_changes if not change.text_revised]

    @property
    def has_measure_changes(self):
        return bool(self.measures_added or self.measures_removed or self.measure_changes)

    @property
    def is_empty(self):
        return not (self.name or self.category or self.text_changes or self.has_measure_changes)


@dataclass
class LinkChanges:
    """Safety concerns a measure or a study newly addresses, or no longer addresses."""

    linked: list[SafetyConcern] = field(default_factory=list)  # concerns of the new version
    unlinked: list[SafetyConcern] = field(default_factory=list)  # concerns of the old version

    def __bool__(self):
        return bool(self.linked or self.unlinked)


@dataclass
class AdditionalMeasureChange:
    old: AdditionalMeasure
    new: AdditionalMeasure
    matched_by: str  # "lineage" or "name"
    name: Shift | None = None
    kind: Shift | None = None
    description: TextChange | None = None
    links: LinkChanges = field(default_factory=LinkChanges)

    @property
    def text_changes(self):
        return [self.description] if self.description else []

    @property
    def is_empty(self):
        return not (self.name or self.kind or self.description or self.links)


@dataclass(frozen=True)
class MilestoneChange:
    """A milestone added (``old`` is None), removed (``new`` is None), moved or reported."""

    study: Study  # the study of the version the milestone is in (the new one if both)
    old: Milestone | None
    new: Milestone | None
    due: Shift | None = None  # as written: "Q3 2024" → "Q2 2025"
    report: Shift | None = None  # reported_on: None → a date, a date → another or None

    @property
    def description(self):
        return (self.new or self.old).description

    @property
    def added(self):
        return self.old is None

    @property
    def removed(self):
        return self.new is None

    @property
    def moved(self):
        return self.due is not None

    @property
    def reported(self):
        """Newly reported: no report date before, one now."""
        return self.report is not None and self.report.old is None

    @property
    def direction(self):
        """ "later" or "earlier" for a milestone moved between two calendar dates."""
        if not self.moved or None in (self.old.due_date, self.new.due_date):
            return ""
        if self.new.due_date == self.old.due_date:
            return ""
        return "later" if self.new.due_date > self.old.due_date else "earlier"


@dataclass
class StudyChange:
    old: Study
    new: Study
    matched_by: str  # "lineage", "code", "short name" or "title"
    name: Shift | None = None
    status: Shift | None = None  # "ongoing" → "completed"
    category: Shift | None = None  # "category 3" → "category 1"
    design: Shift | None = None
    text_changes: list[TextChange] = field(default_factory=list)
    links: LinkChanges = field(default_factory=LinkChanges)
    milestones: list[MilestoneChange] = field(default_factory=list)

    @property
    def completed(self):
        return self.status is not None and self.new.status == StudyStatus.COMPLETED

    @property
    def has_other_changes(self):
        """Changes other than of status, category and milestones."""
        return bool(self.name or self.design or self.text_changes or self.links)

    @property
    def is_empty(self):
        return not (self.status or self.category or self.milestones or self.has_other_changes)


# The singular of each kind of item in PlanComparison.counts, for the summary line.
SINGULAR = {
    "safety concerns": "safety concern",
    "routine measures": "routine measure",
    "additional measures": "additional measure",
    "studies": "study",
    "milestones": "milestone",
}


@dataclass
class PlanComparison:
    """The differences between two versions of one product's plan, ``old_plan`` first."""

    old_plan: RiskManagementPlan
    new_plan: RiskManagementPlan
    concerns_added: list[SafetyConcern] = field(default_factory=list)
    concerns_removed: list[SafetyConcern] = field(default_factory=list)
    concern_changes: list[ConcernChange] = field(default_factory=list)
    additional_measures_added: list[AdditionalMeasure] = field(default_factory=list)
    additional_measures_removed: list[AdditionalMeasure] = field(default_factory=list)
    additional_measure_changes: list[AdditionalMeasureChange] = field(default_factory=list)
    studies_added: list[Study] = field(default_factory=list)
    studies_removed: list[Study] = field(default_factory=list)
    study_changes: list[StudyChange] = field(default_factory=list)

    def _concerns(self, predicate):
        return [change for change in self.concern_changes if predicate(change)]

    def _studies(self, predicate):
        return [change for change in self.study_changes if predicate(change)]

    @property
    def reclassified(self):
        return self._concerns(lambda change: change.reclassified)

    @property
    def renamed(self):
        return self._concerns(lambda change: change.renamed)

    @property
    def revised(self):
        """Concerns whose evidence, risk factors or footnote changed."""
        return self._concerns(lambda change: change.text_changes)

    @property
    def routine_measure_changes(self):
        """Concerns whose routine measures changed, in the new version's order."""
        return self._concerns(lambda change: change.has_measure_changes)

    @property
    def studies_completed(self):
        return self._studies(lambda change: change.completed)

    @property
    def study_status_changes(self):
        """Status changes other than to completed: ongoing → terminated, planned → ongoing."""
        return self._studies(lambda change: change.status and not change.completed)

    @property
    def study_category_changes(self):
        return self._studies(lambda change: change.category)

    @property
    def study_other_changes(self):
        return self._studies(lambda change: change.has_other_changes)

    @property
    def milestone_changes(self):
        return [milestone for change in self.study_changes for milestone in change.milestones]

    @property
    def has_concern_changes(self):
        return bool(
            self.concerns_added
            or self.concerns_removed
            or self.reclassified
            or self.renamed
            or self.revised
        )

    @property
    def has_measure_changes(self):
        return bool(
            self.routine_measure_changes
            or self.additional_measures_added
            or self.additional_measures_removed
            or self.additional_measure_changes
        )

    @property
    def has_study_changes(self):
        return bool(self.studies_added or self.studies_removed or self.study_changes)

    @property
    def is_empty(self):
        return not (self.has_concern_changes or self.has_measure_changes or self.has_study_changes)

    @property
    def counts(self):
        """{kind of item: {what happened: how many}}, in the order of the summary line."""
        concerns = self.routine_measure_changes
        milestones = self.milestone_changes
        return {
            "safety concerns": {
                "added": len(self.concerns_added),
                "removed": len(self.concerns_removed),
                "reclassified": len(self.reclassified),
                "renamed": len(self.renamed),
                "with revised text": len(self.revised),
            },
            "routine measures": {
                "added": sum(len(change.measures_added) for change in concerns),
                "removed": sum(len(change.measures_removed) for change in concerns),
                "revised": sum(len(change.measures_revised) for change in concerns),
                "citing other sections": sum(len(c.references_changed) for c in concerns),
            },
            "additional measures": {
                "added": len(self.additional_measures_added),
                "removed": len(self.additional_measures_removed),
                "changed": len(self.additional_measure_changes),
            },
            "studies": {
                "added": len(self.studies_added),
                "removed": len(self.studies_removed),
                "completed": len(self.studies_completed),
                "with another status": len(self.study_status_changes),
                "recategorised": len(self.study_category_changes),
                "otherwise changed": len(self.study_other_changes),
            },
            "milestones": {
                "moved": sum(change.moved for change in milestones),
                "added": sum(change.added for change in milestones),
                "removed": sum(change.removed for change in milestones),
                "reported": sum(change.reported for change in milestones),
            },
        }

    @property
    def summary(self):
        """One phrase per kind of item: ["2 safety concerns added, 1 reclassified", …]."""
        phrases = []
        for kind, counts in self.counts.items():
            parts = []
            for what, count in counts.items():
                if count:
                    noun = "" if parts else f" {SINGULAR[kind] if count == 1 else kind}"
                    parts.append(f"{count}{noun} {what}")
            if parts:
                phrases.append(", ".join(parts))
        return phrases


# Comparing.


def compare(old_plan, new_plan):
    """The changes from ``old_plan`` to ``new_plan``, two versions of the same product.

    Raises ValueError for versions of different products. Loads both plans afresh with
    ``comparison_prefetches``: a fixed number of queries whatever their size.
    """
    if old_plan.product_id != new_plan.product_id:
        raise ValueError(f"Only versions of one product can be compared: {old_plan}, {new_plan}.")
    loaded = {
        plan.pk: plan
        for plan in RiskManagementPlan.objects.filter(pk__in=[old_plan.pk, new_plan.pk])
        .select_related("product")
        .prefetch_related(*comparison_prefetches())
    }
    old, new = loaded[old_plan.pk], loaded[new_plan.pk]
    comparison = PlanComparison(old_plan=old, new_plan=new)

    old_concerns, new_concerns = list(old.safety_concerns.all()), list(new.safety_concerns.all())
    pairs, comparison.concerns_removed, comparison.concerns_added = _pair(
        old_concerns,
        new_concerns,
        ("lineage", lambda concern: concern.lineage),
        ("name", lambda concern: concern_key(concern.name)),
    )
    counterparts = {}  # concern id in one version -> the same concern in the other
    for old_concern, new_concern, matched_by in pairs:
        counterparts[old_concern.pk], counterparts[new_concern.pk] = new_concern, old_concern
        change = _compare_concerns(old_concern, new_concern, matched_by)
        if not change.is_empty:
            comparison.concern_changes.append(change)
    links = _LinkComparer(old_concerns + new_concerns, counterparts)
    for item in [*old.additional_measures.all(), *new.additional_measures.all()]:
        item.addressed_concerns = links.addressed(item)
    for item in [*old.studies.all(), *new.studies.all()]:
        item.addressed_concerns = links.addressed(item)

    pairs, comparison.additional_measures_removed, comparison.additional_measures_added = _pair(
        old.additional_measures.all(),
        new.additional_measures.all(),
        ("lineage", lambda measure: measure.lineage),
        ("name", lambda measure: _key(measure.name)),
    )
    for old_measure, new_measure, matched_by in pairs:
        change = AdditionalMeasureChange(
            old=old_measure,
            new=new_measure,
            matched_by=matched_by,
            name=_shift(_squash(old_measure.name), _squash(new_measure.name)),
            kind=_shift(old_measure.kind, new_measure.kind, _label(AdditionalMeasureKind)),
            description=_text_change(
                "description", "Description", old_measure.description, new_measure.description
            ),
            links=links.compare(old_measure, new_measure),
        )
        if not change.is_empty:
            comparison.additional_measure_changes.append(change)

    pairs, comparison.studies_removed, comparison.studies_added = _pair(
        old.studies.all(),
        new.studies.all(),
        ("lineage", lambda study: study.lineage),
        ("code", lambda study: _key(study.code)),
        ("short name", lambda study: _key(study.short_name)),
        ("title", lambda study: _key(study.title)),
    )
    for old_study, new_study, matched_by in pairs:
        change = StudyChange(
            old=old_study,
            new=new_study,
            matched_by=matched_by,
            name=_shift(_squash(old_study.name), _squash(new_study.name)),
            status=_shift(old_study.status, new_study.status, _label(StudyStatus)),
            category=_shift(
                old_study.category,
                new_study.category,
                lambda value: StudyCategory(value).short_label.lower(),
            ),
            design=_shift(old_study.design, new_study.design, _label(StudyDesign)),
            text_changes=_text_changes(old_study, new_study, STUDY_TEXTS),
            links=links.compare(old_study, new_study),
            milestones=_compare_milestones(old_study, new_study),
        )
        if not change.is_empty:
            comparison.study_changes.append(change)
    return comparison


def _squash(text):
    return " ".join((text or "").split())


def _key(text):
    """Text compared with case and spacing ignored; empty text is no key at all."""
    return _squash(text).casefold() or None


def _measure_text(measure):
    return (_key(measure.text) or "").rstrip(" .;")


def _label(choices):
    """The lower-case label of a value of ``choices``: "important identified risk"."""
    return lambda value: choices(value).label.lower()


def _pair(old_items, new_items, *keys):
    """Pair the items of two versions, one key after the other: (pairs, old left, new left).

    Each key is (name, function); an item whose key is None is not matched by that key.
    Pairs come in the new version's order; the items left over keep their own order.
    """
    old_items, new_items = list(old_items), list(new_items)
    pairs, old_left, new_left = [], old_items, new_items
    for name, key in keys:
        candidates = {}
        for item in old_left:
            if (value := key(item)) is not None:
                candidates.setdefault(value, []).append(item)
        unmatched = []
        for item in new_left:
            value = key(item)
            if value is not None and candidates.get(value):
                pairs.append((candidates[value].pop(0), item, name))
            else:
                unmatched.append(item)
        paired = {id(old) for old, _, _ in pairs}
        old_left = [item for item in old_left if id(item) not in paired]
        new_left = unmatched
    order = {id(item): index for index, item in enumerate(new_items)}
    pairs.sort(key=lambda pair: order[id(pair[1])])
    return pairs, old_left, new_left


def _text_change(name, label, old, new):
    if _squash(old) == _squash(new):
        return None
    return TextChange(name=name, label=label, old=(old or "").strip(), new=(new or "").strip())


def _text_changes(old, new, fields):
    changes = (
        _text_change(name, label, getattr(old, attr), getattr(new, attr))
        for attr, name, label in fields
    )
    return [change for change in changes if change]


def _compare_concerns(old, new, matched_by):
    change = ConcernChange(
        old=old,
        new=new,
        matched_by=matched_by,
        name=_shift(_squash(old.name), _squash(new.name)),
        category=_shift(old.category, new.category, _label(ConcernCategory)),
        text_changes=_text_changes(old, new, CONCERN_TEXTS),
    )
    new_measures = list(new.routine_measures.all())
    pairs, removed, added = _pair(
        old.routine_measures.all(),
        new_measures,
        ("text", lambda measure: (measure.kind, _measure_text(measure))),
    )
    revised, change.measures_removed, change.measures_added = _pair_similar(removed, added)
    for old_measure, new_measure in [(old, new) for old, new, _ in pairs] + revised:
        old_cites = {ref.key: ref.label for ref in old_measure.section_references.all()}
        new_cites = {ref.key: ref.label for ref in new_measure.section_references.all()}
        measure = MeasureChange(
            old=old_measure,
            new=new_measure,
            cites_added=[label for key, label in new_cites.items() if key not in old_cites],
            cites_removed=[label for key, label in old_cites.items() if key not in new_cites],
        )
        if measure.text_revised or measure.cites_added or measure.cites_removed:
            change.measure_changes.append(measure)
    order = {id(measure): index for index, measure in enumerate(new_measures)}
    change.measure_changes.sort(key=lambda measure: order[id(measure.new)])
    return change


def _similarity(old, new):
    """How alike two wordings are, 0 to 1: the difflib ratio, or, when the shorter wording
    (three words at least) is kept whole in the longer, how much of it is kept, so that a
    sentence with a clause added or dropped still reads as the same sentence revised."""
    old, new = _key(old) or "", _key(new) or ""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    shorter = min(old, new, key=len)
    if len(shorter.split()) >= 3 and kept / len(shorter) >= 0.9:
        return max(matcher.ratio(), kept / len(shorter))
    return matcher.ratio()


def _pair_similar(old_left, new_left):
    """Pair routine measures of the same kind with similar texts, the most similar first."""
    scored = sorted(
        (-similarity, i, j)
        for i, old in enumerate(old_left)
        for j, new in enumerate(new_left)
        if old.kind == new.kind and (similarity := _similarity(old.text, new.text)) >= SIMILAR_TEXT
    )
    used_old, used_new, pairs = set(), set(), []
    for _, i, j in scored:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((old_left[i], new_left[j]))
    return (
        pairs,
        [item for i, item in enumerate(old_left) if i not in used_old],
        [item for j, item in enumerate(new_left) if j not in used_new],
    )


class _LinkComparer:
    """Which safety concerns a matched measure or study newly addresses, or no longer does."""

    def __init__(self, concerns, counterparts):
        self.concerns = {concern.pk: concern for concern in concerns}
        self.counterparts = counterparts

    def _in_order(self, ids):
        return sorted(
            (self.concerns[pk] for pk in ids), key=lambda concern: (concern.position, concern.pk)
        )

    def addressed(self, item):
        """The safety concerns a measure or study addresses, whole and in source order."""
        return self._in_order(concern.pk for concern in item.safety_concerns.all())

    def _gained(self, ids, other_ids):
        """Concerns of ``ids`` whose counterpart is not among ``other_ids``, in source order."""
        return self._in_order(
            pk for pk in ids if getattr(self.counterparts.get(pk), "pk", None) not in other_ids
        )

    def compare(self, old_item, new_item):
        """Concerns newly linked (new concerns included: which measures address them is news)
        and unlinked (removed concerns left out: their removal already says it)."""
        old_ids = {concern.pk for concern in old_item.safety_concerns.all()}
        new_ids = {concern.pk for concern in new_item.safety_concerns.all()}
        return LinkChanges(
            linked=self._gained(new_ids, old_ids),
            unlinked=self._gained({pk for pk in old_ids if pk in self.counterparts}, new_ids),
        )


def _compare_milestones(old_study, new_study):
    """Milestone changes in the new study's order (by due date), then the removed ones."""
    new_milestones = list(new_study.milestones.all())
    pairs, removed, added = _pair(
        old_study.milestones.all(),
        new_milestones,
        ("description", lambda milestone: _key(milestone.description)),
    )
    changes = {id(item): MilestoneChange(study=new_study, old=None, new=item) for item in added}
    for old, new, _ in pairs:
        change = MilestoneChange(
            study=new_study,
            old=old,
            new=new,
            due=_shift(_squash(old.due), _squash(new.due)),
            report=_shift(old.reported_on, new.reported_on, lambda day: day),
        )
        if change.due or change.report:
            changes[id(new)] = change
    return [changes[id(item)] for item in new_milestones if id(item) in changes] + [
        MilestoneChange(study=old_study, old=item, new=None) for item in removed
    ]


_TOKENS = re.compile(r"\s+|\S+")


def word_diff(old, new):
    """``old`` and ``new`` as lists of (text, changed) segments, compared word by word.

    In ``old`` the words ``new`` no longer has are marked changed; in ``new``, the words it
    adds. Differences of spacing alone are not marked.
    """
    old_tokens, new_tokens = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = SequenceMatcher(
        None,
        [" " if token.isspace() else token for token in old_tokens],
        [" " if token.isspace() else token for token in new_tokens],
        autojunk=False,
    )
    old_parts, new_parts = [], []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = operation != "equal"
        _add_segment(old_parts, old_tokens[i1:i2], changed)
        _add_segment(new_parts, new_tokens[j1:j2], changed)
    return old_parts, new_parts


def _add_segment(parts, tokens, changed):
    """Append ``tokens`` to ``parts``; spacing around changed words is not marked changed."""
    text = "".join(tokens)
    if changed:
        core = text.strip()
        start = text.index(core) if core else len(text)
        pieces = [(text[:start], False), (core, True), (text[start + len(core) :], False)]
    else:
        pieces = [(text, False)]
    for piece, is_changed in pieces:
        if not piece:
            continue
        if parts and parts[-1][1] == is_changed:
            parts[-1] = (parts[-1][0] + piece, is_changed)
        else:
            parts.append((piece, is_changed))
