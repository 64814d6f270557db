"""What changed in one item found in both versions: the records a comparison is made of.

A ``ConcernChange``, ``AdditionalMeasureChange`` or ``StudyChange`` pairs the item of the old
version with that of the new one and says what differs: values as a ``Shift`` ("ongoing" →
"completed"), texts as a ``TextChange`` (old and new text, diffed word by word), linked
safety concerns as ``LinkChanges``, routine measures as ``MeasureChange`` and milestones as
``MilestoneChange``. The change of a whole item (concern, routine measure, additional
measure, study) has ``is_empty``: nothing a reader would notice changed.
"""

from dataclasses import dataclass, field

from risks.models import (
    AdditionalMeasure,
    Milestone,
    RoutineMeasure,
    SafetyConcern,
    Study,
    StudyStatus,
)

from .text import measure_text, squash, word_diff


@dataclass(frozen=True)
class Shift:
    """A value that differs between the versions, as words: "ongoing" → "completed"."""

    old: object
    new: object


def shift(old, new, words=str):
    """A ``Shift`` from ``old`` to ``new`` as ``words``, or None when they are equal."""
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


def compare_text(name, label, old, new):
    """A ``TextChange`` of a field, or None when the texts differ only in spacing."""
    if squash(old) == squash(new):
        return None
    return TextChange(name=name, label=label, old=(old or "").strip(), new=(new or "").strip())


def compare_texts(old, new, fields):
    """The ``TextChange`` of each (attribute, name, label) of ``fields`` that changed."""
    changes = (
        compare_text(name, label, getattr(old, attr), getattr(new, attr))
        for attr, name, label in fields
    )
    return [change for change in changes if change]


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
        return measure_text(self.old) != measure_text(self.new)

    @property
    def text_changes(self):
        """The revised wording, as a one-item list (like a concern's), or an empty list."""
        return compare_texts(self.old, self.new, [("text", "text", "Wording")])

    @property
    def is_empty(self):
        """Neither reworded nor citing other sections."""
        return not (self.text_revised or self.cites_added or self.cites_removed)


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
