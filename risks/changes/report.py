"""The comparison of two plan versions as a whole: what a "what changed" page reads.

``PlanComparison`` lists the items added and removed and the changes of the items in both
versions (``items``), groups those changes the way the page presents them, and counts them
for the one-line summary.
"""

from dataclasses import dataclass, field

from common.text import counted
from risks.models import AdditionalMeasure, RiskManagementPlan, SafetyConcern, Study

from .items import AdditionalMeasureChange, ConcernChange, StudyChange


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
                    number = str(count) if parts else counted(count, kind)
                    parts.append(f"{number} {what}")
            if parts:
                phrases.append(", ".join(parts))
        return phrases
