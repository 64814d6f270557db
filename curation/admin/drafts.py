"""Only drafts can be changed, and every change moves the version's revision.

The pages of a version in review, published or superseded, and of all its parts, are
read-only for everyone. ``plan_guard`` refuses a save that would overwrite someone else's
change to the same version (or to any of its parts), naming that change.
"""

from audit.admin import NOT_SAVED, ConditionallyEditableMixin, RevisionGuard, follow
from curation.trail import plan_history
from risks import workflow
from risks.models import PlanStatus, RiskManagementPlan


def readonly_reason(plan):
    """Why a version cannot be changed, for the people looking at it; None for a draft."""
    version = f"Version {plan.version}"
    return {
        PlanStatus.DRAFT: None,
        PlanStatus.IN_REVIEW: f"{version} is in review: send it back to draft to change it.",
        PlanStatus.PUBLISHED: f"{version} is published: start a new version to change it.",
        PlanStatus.SUPERSEDED: (
            f"{version} is superseded by a later version: it stays as it was published."
        ),
    }[plan.status]


def plan_changes(plan_pk):
    """History of a version and everything in it (deleted parts included)."""
    return list(plan_history(plan_pk).values())


def _record_edit(plan_pk, user):
    workflow.record_edit(RiskManagementPlan(pk=plan_pk), user)


def _refuse_unless_draft(plan):
    reason = readonly_reason(plan)
    return f"{reason} {NOT_SAVED}" if reason else None


def plan_guard(plan_path):
    """Concurrent edits of a version or of its parts, by the version's revision."""
    return RevisionGuard(
        RiskManagementPlan,
        plan_path,
        changes=plan_changes,
        bump=_record_edit,
        refusal=_refuse_unless_draft,
    )


def is_autocomplete(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "autocomplete"


class DraftOnlyMixin(ConditionallyEditableMixin):
    """Editable only while the version is a draft; ``plan_path`` leads from the object
    (an inline's parent) to its version, "" when it is the version."""

    plan_path = ""

    def is_editable(self, obj):
        return follow(obj, self.plan_path).is_draft
