"""The workflow steps of a plan version, each confirmed on its own page with a reason.

Start a new version, submit for review, send back to draft, publish: a ``Transition``
says who may take a step, from which status, what it will do (in words, for the
confirmation page) and which ``risks.workflow`` service does it. ``WorkflowStepsMixin``
gives the plan version's admin the buttons, the URLs and the confirmation pages.

Submit, send back and publish show what the version changes against the product's published
version (``changes_to_review``: the comparison of the public changes page, every changed
text old and new), and act on the revision the confirmation page showed: the page carries
it in a hidden field, and when the version has changed since, the step is refused with a
409 that lists what changed and links to the page afresh; nothing is done.
"""

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateformat import format as format_date
from django.utils.timezone import localtime

from common.text import counted
from risks import workflow
from risks.changes import PlanComparison, compare, first_version
from risks.models import PlanStatus, RiskManagementPlan

from ..forms import NewVersionForm, ReviewedStepForm, TransitionForm
from ..trail import hide_copied, plan_trail

CHANGES_SHOWN = 30  # changes listed on a conflict page; the audit trail has them all


class Transition:
    """One step of the workflow, confirmed on its own page with a reason."""

    name = ""  # URL name: admin:risks_riskmanagementplan_<name>
    url = ""  # path after the version's id
    label = ""  # the button on the plan page
    submit = ""  # the button on the confirmation page
    source = PlanStatus.DRAFT  # the status the step starts from
    wrong_status = ""  # the refusal when the version is not in ``source``
    form_class = TransitionForm

    def allowed(self, user, plan):
        """The button shows: the user may take this step from the version's status."""
        raise NotImplementedError

    def permitted(self, user):
        """The user may take this step at all (otherwise: 403)."""
        raise NotImplementedError

    def title(self, plan):
        return f"{self.label}: {plan}"

    def refusal(self, user, plan):
        """(message, status) when the step cannot be taken now, or None."""
        if plan.status != self.source:
            message = self.wrong_status.format(
                version=plan.version, status=plan.get_status_display().lower()
            )
            return message, 400
        return None

    def initial(self, plan):
        return {}

    def explain(self, plan):
        """What the step will do, in paragraphs for the confirmation page."""
        raise NotImplementedError

    def warnings(self, plan):
        return []

    def perform(self, plan, user, data):
        raise NotImplementedError

    def done(self, plan, result):
        raise NotImplementedError


class NewVersion(Transition):
    name = "new_version"
    url = "new-version"
    label = "Start a new version"
    submit = "Start the new version"
    source = PlanStatus.PUBLISHED
    wrong_status = (
        "A new version can only start from the published version; version {version} is {status}."
    )
    form_class = NewVersionForm

    def allowed(self, user, plan):
        return workflow.can_start_new_version(user, plan)

    def permitted(self, user):
        return user.has_perm("risks.add_riskmanagementplan")

    def title(self, plan):
        return f"Start a new version of {plan.product} from version {plan.version}"

    def initial(self, plan):
        return {"version": workflow.suggested_version(plan)}

    def explain(self, plan):
        parts = [
            counted(plan.safety_concerns.count(), "safety concerns"),
            counted(plan.additional_measures.count(), "additional risk minimisation measures"),
            counted(plan.studies.count(), "studies"),
        ]
        return [
            f"Starting a new version copies version {plan.version} of {plan.product} into a "
            f"draft that curators can change: {parts[0]}, {parts[1]} and {parts[2]}, with "
            "their routine measures, section references and milestones.",
            f"Version {plan.version} stays the current version on the public site until the "
            "new version is published.",
        ]

    def warnings(self, plan):
        open_versions = plan.product.plans.open().order_by("id")
        return [
            f"{plan.product} already has version {other.version} "
            f"({other.get_status_display().lower()}): you may want to continue that one."
            for other in open_versions
        ]

    def perform(self, plan, user, data):
        return workflow.start_new_version(
            plan, user=user, version=data["version"], reason=data["reason"]
        )

    def done(self, plan, result):
        return (
            f"Version {result.version} of {plan.product} is a new draft, copied from "
            f"version {plan.version}."
        )


class Submit(Transition):
    name = "submit"
    url = "submit"
    label = "Submit for review"
    submit = "Submit for review"
    source = PlanStatus.DRAFT
    wrong_status = "Only a draft can be submitted for review; version {version} is {status}."
    form_class = ReviewedStepForm

    def allowed(self, user, plan):
        return workflow.can_submit(user, plan)

    def permitted(self, user):
        return user.has_perm(workflow.CHANGE_PERMISSION)

    def title(self, plan):
        return f"Submit version {plan.version} of {plan.product} for review"

    def explain(self, plan):
        return [
            f"Submitting version {plan.version} of {plan.product} for review makes it "
            "read-only. A reviewer then publishes it, or sends it back to draft for changes.",
            "Nothing changes on the public site until the version is published.",
        ]

    def warnings(self, plan):
        unresolved = plan.import_warnings.filter(resolved=False).count()
        if not unresolved:
            return []
        return [
            f"This version still has {counted(unresolved, 'unresolved import warnings')}: "
            "tick them off on the plan page first, or the submission will be refused."
        ]

    def perform(self, plan, user, data):
        return workflow.submit_for_review(
            plan, user=user, reason=data["reason"], revision=data["revision"]
        )

    def done(self, plan, result):
        return f"Version {result.version} of {plan.product} is submitted for review."


class ReturnToDraft(Transition):
    name = "return"
    url = "return"
    label = "Send back to draft"
    submit = "Send back to draft"
    source = PlanStatus.IN_REVIEW
    wrong_status = "Only a version in review can go back to draft; version {version} is {status}."
    form_class = ReviewedStepForm

    def allowed(self, user, plan):
        return workflow.can_return_to_draft(user, plan)

    def permitted(self, user):
        return user.has_perm(workflow.PUBLISH_PERMISSION) or user.has_perm(
            workflow.CHANGE_PERMISSION
        )

    def title(self, plan):
        return f"Send version {plan.version} of {plan.product} back to draft"

    def explain(self, plan):
        return [
            f"Sending version {plan.version} of {plan.product} back to draft makes it "
            "editable again. It has to be submitted for review again before anyone can "
            "publish it.",
            "Say in the reason what needs to change.",
        ]

    def perform(self, plan, user, data):
        return workflow.return_to_draft(
            plan, user=user, reason=data["reason"], revision=data["revision"]
        )

    def done(self, plan, result):
        return f"Version {result.version} of {plan.product} is back in draft."


class Publish(Transition):
    name = "publish"
    url = "publish"
    label = "Publish"
    submit = "Publish"
    source = PlanStatus.IN_REVIEW
    wrong_status = "Only a version in review can be published; version {version} is {status}."
    form_class = ReviewedStepForm

    def allowed(self, user, plan):
        """Four eyes aside: the plan page leaves the button out for whom it refuses."""
        return workflow.can_publish(user, plan)

    def permitted(self, user):
        return user.has_perm(workflow.PUBLISH_PERMISSION)

    def title(self, plan):
        return f"Publish version {plan.version} of {plan.product}"

    def refusal(self, user, plan):
        refused = super().refusal(user, plan)
        if refused is None:
            four_eyes = workflow.four_eyes_refusal(user, plan)
            if four_eyes:
                return four_eyes, 403
        return refused

    def explain(self, plan):
        product = plan.product
        current = product.plans.published().first()
        if current is None:
            effect = (
                f"Publishing version {plan.version} makes it the current version of {product} "
                f"on the public site, where {product} appears for the first time."
            )
        else:
            effect = (
                f"Publishing version {plan.version} makes it the current version of {product} "
                f"on the public site; version {current.version} will be marked superseded and "
                "stays viewable."
            )
        paragraphs = [effect]
        if plan.submitted_by_id:
            when = format_date(localtime(plan.submitted_at), "j F Y, H:i")
            paragraphs.append(f"Submitted for review by {plan.submitted_by} on {when}.")
        if plan.last_edited_by_id:
            paragraphs.append(f"Last changed by {plan.last_edited_by}.")
        return paragraphs

    def perform(self, plan, user, data):
        return workflow.publish(plan, user=user, reason=data["reason"], revision=data["revision"])

    def done(self, plan, result):
        return f"Version {result.version} of {plan.product} is published."


TRANSITIONS = [NewVersion(), Submit(), ReturnToDraft(), Publish()]


class WorkflowStepsMixin:
    """The plan version's admin: the workflow buttons and the steps' confirmation pages."""

    def workflow_context(self, request, plan):
        """The plan page's buttons for the steps the user may take, and the four-eyes note."""
        user = request.user
        four_eyes = workflow.can_publish(user, plan) and workflow.four_eyes_refusal(user, plan)
        actions = [
            {
                "name": transition.name,
                "label": transition.label,
                "url": reverse(f"admin:risks_riskmanagementplan_{transition.name}", args=[plan.pk]),
            }
            for transition in TRANSITIONS
            if transition.allowed(user, plan) and not (transition.name == "publish" and four_eyes)
        ]
        return {
            "workflow_actions": actions,
            "four_eyes_note": four_eyes or "",
        }

    # The confirmation pages of the workflow steps

    def get_urls(self):
        urls = [
            path(
                f"<path:object_id>/{transition.url}/",
                self.admin_site.admin_view(self._transition_view(transition)),
                name=f"risks_riskmanagementplan_{transition.name}",
            )
            for transition in TRANSITIONS
        ]
        return urls + super().get_urls()

    def _transition_view(self, transition):
        def view(request, object_id):
            return self.transition_view(request, object_id, transition)

        view.__name__ = f"{transition.name}_view"
        return view

    def transition_view(self, request, object_id, transition):
        plan = self.get_object(request, unquote(object_id))
        if plan is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        user = request.user
        if not self.has_view_permission(request, plan) or not transition.permitted(user):
            raise PermissionDenied
        form = transition.form_class(request.POST) if request.method == "POST" else None
        seen = form.seen_revision() if isinstance(form, ReviewedStepForm) else None
        if seen is not None and seen != plan.revision:
            return self._conflict_page(request, plan, transition, seen)
        refused = transition.refusal(user, plan)
        if refused:
            message, status = refused
            return self._transition_page(request, plan, transition, None, message, status)
        if form is None:
            initial = {**transition.initial(plan), "revision": plan.revision}
            form = transition.form_class(initial=initial)
            return self._transition_page(request, plan, transition, form)
        if not form.is_valid():
            return self._transition_page(request, plan, transition, form, status=400)
        try:
            result = transition.perform(plan, user, form.cleaned_data)
        except workflow.StaleRevision as error:
            return self._conflict_page(request, error.plan, transition, error.seen)
        except workflow.WorkflowError as error:
            plan.refresh_from_db()
            refused_now = transition.refusal(user, plan)
            status = 403 if refused_now and refused_now[1] == 403 else 400
            return self._transition_page(request, plan, transition, form, str(error), status)
        self.message_user(request, transition.done(plan, result), messages.SUCCESS)
        return redirect("admin:risks_riskmanagementplan_change", result.pk)

    def _transition_page(self, request, plan, transition, form, error="", status=200, **extra):
        context = {
            **self.admin_site.each_context(request),
            "title": transition.title(plan),
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": plan,
            "transition": transition,
            "form": form,
            "fieldset": _visible_fieldset(form) if form else None,
            "error": error,
            "explanation": transition.explain(plan),
            "warnings": transition.warnings(plan) if form is not None else [],
            "plan_url": reverse("admin:risks_riskmanagementplan_change", args=[plan.pk]),
            "trail_url": reverse("curation:plan_trail", args=[plan.pk]),
            "revision": plan.revision if isinstance(form, ReviewedStepForm) else None,
            "change_summary": change_summary(plan) if isinstance(form, ReviewedStepForm) else "",
            "review": changes_to_review(plan) if isinstance(form, ReviewedStepForm) else None,
            **extra,
        }
        return TemplateResponse(
            request, "admin/risks/riskmanagementplan/transition.html", context, status=status
        )

    def _conflict_page(self, request, plan, transition, seen):
        """409: the version changed since the page was opened; what changed, and a reload."""
        plan = RiskManagementPlan.objects.select_related("product").get(pk=plan.pk)
        changes = changes_since(plan, seen)
        error = str(workflow.StaleRevision(plan, seen))
        return self._transition_page(
            request,
            plan,
            transition,
            None,
            error,
            409,
            changes=changes[-CHANGES_SHOWN:],
            changes_hidden=max(len(changes) - CHANGES_SHOWN, 0),
            reload_url=request.path,
            conflict=True,
        )


@dataclass(frozen=True)
class Review:
    """What a version changes on the public site: a comparison with the published version
    (``published`` None for a product's first version: everything in it is new)."""

    published: RiskManagementPlan | None
    comparison: PlanComparison


def changes_to_review(plan):
    """The version against the product's published version, as the public changes page
    reads it once the version is published."""
    published = plan.product.plans.published().exclude(pk=plan.pk).first()
    if published is None:
        return Review(published=None, comparison=first_version(plan))
    return Review(published=published, comparison=compare(published, plan))


def change_summary(plan):
    """The version's recorded changes in a sentence: how many, by whom, the latest."""
    everything = plan_trail(plan)
    entries = hide_copied(everything)
    if not entries:
        return ""
    people = Counter(entry.who for entry in entries)
    by = ", ".join(f"{who} ({number})" for who, number in people.most_common())
    latest = entries[-1]
    when = format_date(localtime(latest.when), "j F Y, H:i")
    copied = len(everything) - len(entries)
    copy = f", besides the {counted(copied, 'rows')} of the copy it started as" if copied else ""
    return (
        f"{counted(len(entries), 'recorded changes')} since the version was created{copy}, "
        f"by {by}. The latest: {when}, {latest.who}: {latest.action}, {latest.item} "
        f"(“{latest.reason}”)."
    )


def changes_since(plan, seen):
    """The audit trail's entries of ``plan`` recorded after it stood at revision ``seen``.

    The version reached ``seen`` with its first historical row of that revision (an edit's
    ``record_edit`` or a step); every row after it belongs to a later revision.
    """
    rows = RiskManagementPlan.history.filter(id=plan.pk).values_list("history_date", flat=True)
    moment = (
        rows.filter(revision=seen).order_by("history_date", "history_id").first()
        or rows.filter(revision__lt=seen).order_by("-history_date", "-history_id").first()
    )
    if moment is None:
        return []
    return [entry for entry in plan_trail(plan) if entry.when > moment]


def _visible_fieldset(form):
    return helpers.Fieldset(form, fields=[name for name in form.fields if not form[name].is_hidden])
