"""The curation admin of plan versions and their parts.

Only drafts can be changed: the pages of a version in review, published or superseded,
and of all its parts, are read-only for everyone. Every write carries a reason, and a
change anywhere in a version moves the version's ``revision``, the token that detects
concurrent edits (see ``audit.admin``). The plan page offers the workflow steps (start a
new version, submit for review, send back to draft, publish), each confirmed on its own
page with a reason; ``risks.workflow`` does the work and says no when it must.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.dateformat import format as format_date
from django.utils.timezone import localtime

import rmpsite.admin_users  # noqa: F401 (accounts are deactivated, never deleted)
from audit.admin import (
    NOT_SAVED,
    AuditedAdminMixin,
    ConditionallyEditableMixin,
    RevisionGuard,
    follow,
)
from imports.admin import (
    ConcernImportWarningInline,
    PlanImportWarningInline,
    counted,
    import_warning_summary,
)
from imports.models import ImportWarning

from . import workflow
from .forms import (
    AdditionalMeasureForm,
    NewVersionForm,
    RoutineMeasureForm,
    StudyForm,
    TransitionForm,
)
from .models import (
    AdditionalMeasure,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)

# Read-only versions


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
    concerns = SafetyConcern.history.filter(plan_id=plan_pk).values("id")
    measures = RoutineMeasure.history.filter(safety_concern_id__in=concerns).values("id")
    studies = Study.history.filter(plan_id=plan_pk).values("id")
    return [
        RiskManagementPlan.history.filter(id=plan_pk),
        SafetyConcern.history.filter(plan_id=plan_pk),
        RoutineMeasure.history.filter(safety_concern_id__in=concerns),
        SectionReference.history.filter(routine_measure_id__in=measures),
        AdditionalMeasure.history.filter(plan_id=plan_pk),
        Study.history.filter(plan_id=plan_pk),
        Milestone.history.filter(study_id__in=studies),
        ImportWarning.history.filter(plan_id=plan_pk),
    ]


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


def _is_autocomplete(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "autocomplete"


class DraftOnlyMixin(ConditionallyEditableMixin):
    """Editable only while the version is a draft; ``plan_path`` leads from the object
    (an inline's parent) to its version, "" when it is the version."""

    plan_path = ""

    def is_editable(self, obj):
        return follow(obj, self.plan_path).is_draft


class PlanPartAdmin(DraftOnlyMixin, AuditedAdminMixin, admin.ModelAdmin):
    """A part of a plan version, on its own page: read-only unless the version is a draft.

    Its parent (the version, concern, measure or study it belongs to) is chosen when it is
    added, among those of draft versions only, and stays fixed afterwards.
    """

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.edit_guard = plan_guard(self.plan_path)

    @property
    def parent_field(self):
        return self.plan_path.partition("__")[0]

    @property
    def fixed_on_change(self):
        return [self.parent_field]

    def _draft_lookup(self, from_parent):
        rest = self.plan_path.partition("__")[2] if from_parent else self.plan_path
        return f"{rest}__status" if rest else "status"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != self.parent_field:
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        related = db_field.related_model
        kwargs["queryset"] = related._default_manager.filter(
            **{self._draft_lookup(from_parent=True): PlanStatus.DRAFT}
        )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        choose = (
            "Choose a draft plan version"
            if related is RiskManagementPlan
            else f"Choose a {related._meta.verbose_name} of a draft plan version"
        )
        field.error_messages["invalid_choice"] = (
            f"{choose}: versions in review, published and superseded versions cannot be changed."
        )
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "safety_concerns":
            kwargs["queryset"] = SafetyConcern.objects.filter(plan__status=PlanStatus.DRAFT)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        """Choices for the parent of a new part (autocomplete) are those of drafts only."""
        if _is_autocomplete(request):
            queryset = queryset.filter(**{self._draft_lookup(from_parent=False): PlanStatus.DRAFT})
        return super().get_search_results(request, queryset, search_term)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.method == "GET" and not self.is_editable(obj):
            plan = follow(obj, self.plan_path)
            self.message_user(
                request,
                f"This {self.opts.verbose_name} is part of {plan}. {readonly_reason(plan)}",
                messages.WARNING,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


# Inlines


class PlanChildInline(DraftOnlyMixin):
    """Inlines on the plan page whose concern choices are limited to that plan."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class PlanFormSet(formset):
            def get_form_kwargs(self, index):
                plan = self.instance if self.instance.pk else None
                return {**super().get_form_kwargs(index), "plan": plan}

        return PlanFormSet


def concern_public_url(concern):
    """The concern on the public page of its version; versions not yet public have none."""
    plan = concern.plan
    if plan.is_published:
        return concern.get_absolute_url()
    if plan.status == PlanStatus.SUPERSEDED:
        try:
            url = reverse("products:version", args=[plan.product.slug, plan.version])
        except NoReverseMatch:  # a label the URL cannot carry, e.g. with a slash
            return None
        return f"{url}#{concern.anchor}"
    return None


class SafetyConcernInline(DraftOnlyMixin, admin.TabularInline):
    model = SafetyConcern
    fields = ["position", "category", "name"]
    extra = 0
    show_change_link = True

    def view_on_site(self, concern):
        return concern_public_url(concern)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan__product")


class AdditionalMeasureInline(PlanChildInline, admin.StackedInline):
    model = AdditionalMeasure
    form = AdditionalMeasureForm
    fields = ["kind", "name", "description", "safety_concerns"]
    extra = 0


class StudyInline(DraftOnlyMixin, admin.TabularInline):
    model = Study
    fields = ["position", "code", "short_name", "category", "design", "status"]
    extra = 0
    show_change_link = True


class RoutineMeasureInline(DraftOnlyMixin, admin.TabularInline):
    model = RoutineMeasure
    form = RoutineMeasureForm
    plan_path = "plan"
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("section_references")

    @admin.display(description="section references")
    def references(self, measure):
        """The typed references of a read-only measure (the form field shows them otherwise)."""
        return ", ".join(reference.label for reference in measure.section_references.all())


class SectionReferenceInline(DraftOnlyMixin, admin.TabularInline):
    model = SectionReference
    plan_path = "safety_concern__plan"
    fields = ["position", "document", "section"]
    extra = 0


class MilestoneInline(DraftOnlyMixin, admin.TabularInline):
    model = Milestone
    plan_path = "plan"
    fields = ["position", "description", "due", "due_date", "precision", "reported_on"]
    readonly_fields = ["due_date", "precision"]
    extra = 0


# The workflow steps


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
        return workflow.submit_for_review(plan, user=user, reason=data["reason"])

    def done(self, plan, result):
        return f"Version {result.version} of {plan.product} is submitted for review."


class ReturnToDraft(Transition):
    name = "return"
    url = "return"
    label = "Send back to draft"
    submit = "Send back to draft"
    source = PlanStatus.IN_REVIEW
    wrong_status = "Only a version in review can go back to draft; version {version} is {status}."

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
        return workflow.return_to_draft(plan, user=user, reason=data["reason"])

    def done(self, plan, result):
        return f"Version {result.version} of {plan.product} is back in draft."


FOUR_EYES = "You made the last change to this version; another reviewer must publish it."


def made_last_change(user, plan):
    return plan.last_edited_by_id is not None and plan.last_edited_by_id == user.pk


class Publish(Transition):
    name = "publish"
    url = "publish"
    label = "Publish"
    submit = "Publish"
    source = PlanStatus.IN_REVIEW
    wrong_status = "Only a version in review can be published; version {version} is {status}."

    def allowed(self, user, plan):
        return workflow.can_publish(user, plan) and not made_last_change(user, plan)

    def permitted(self, user):
        return user.has_perm(workflow.PUBLISH_PERMISSION)

    def title(self, plan):
        return f"Publish version {plan.version} of {plan.product}"

    def refusal(self, user, plan):
        refused = super().refusal(user, plan)
        if refused is None and made_last_change(user, plan):
            return FOUR_EYES, 403
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
        return workflow.publish(plan, user=user, reason=data["reason"])

    def done(self, plan, result):
        return f"Version {result.version} of {plan.product} is published."


TRANSITIONS = [NewVersion(), Submit(), ReturnToDraft(), Publish()]


# The plan version


@admin.register(RiskManagementPlan)
class RiskManagementPlanAdmin(DraftOnlyMixin, AuditedAdminMixin, admin.ModelAdmin):
    edit_guard = plan_guard("")
    fixed_on_change = ["product"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["product", "version", "date", "status", "last_edited_by", "updated_at"]
    list_filter = ["status", "product__region"]
    list_select_related = ["product", "last_edited_by"]
    search_fields = ["product__name", "version", "source_document"]
    autocomplete_fields = ["product"]
    readonly_fields = [
        "copied_from",
        "last_edited_by",
        "submitted_by",
        "submitted_at",
        "published_by",
        "published_at",
        "superseded_at",
        "updated_at",
        "import_warning_count",
    ]
    fieldsets = [
        (None, {"fields": ["product", "version", "date", "status"]}),
        ("Source", {"fields": ["source_document", "source_url", "note"]}),
        ("Workflow", {"fields": readonly_fields}),
    ]
    inlines = [
        PlanImportWarningInline,
        SafetyConcernInline,
        AdditionalMeasureInline,
        StudyInline,
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "product", "copied_from", "last_edited_by", "submitted_by", "published_by"
            )
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new version has no workflow yet
            fieldsets = [fieldset for fieldset in fieldsets if fieldset[0] != "Workflow"]
        return fieldsets

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "status":
            field.disabled = True
            field.help_text = (
                "A new version is a draft. The status changes only through the workflow: "
                "submit for review, send back to draft, publish."
            )
        return field

    def get_search_results(self, request, queryset, search_term):
        """A new part (autocomplete of its version) can only go into a draft."""
        if _is_autocomplete(request):
            queryset = queryset.drafts()
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="import warnings")
    def import_warning_count(self, plan):
        return import_warning_summary(plan)

    # The plan page: workflow buttons and why a version is read-only

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.workflow_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_context(self, request, plan):
        user = request.user
        actions = [
            {
                "name": transition.name,
                "label": transition.label,
                "url": reverse(f"admin:risks_riskmanagementplan_{transition.name}", args=[plan.pk]),
            }
            for transition in TRANSITIONS
            if transition.allowed(user, plan)
        ]
        four_eyes = workflow.can_publish(user, plan) and made_last_change(user, plan)
        return {
            "workflow_actions": actions,
            "four_eyes_note": FOUR_EYES if four_eyes else "",
            "readonly_reason": readonly_reason(plan),
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
        refused = transition.refusal(user, plan)
        if refused:
            message, status = refused
            return self._transition_page(request, plan, transition, None, message, status)
        if request.method != "POST":
            form = transition.form_class(initial=transition.initial(plan))
            return self._transition_page(request, plan, transition, form)
        form = transition.form_class(request.POST)
        if not form.is_valid():
            return self._transition_page(request, plan, transition, form, status=400)
        try:
            result = transition.perform(plan, user, form.cleaned_data)
        except workflow.WorkflowError as error:
            plan.refresh_from_db()
            refused_now = transition.refusal(user, plan)
            status = 403 if refused_now and refused_now[1] == 403 else 400
            return self._transition_page(request, plan, transition, form, str(error), status)
        self.message_user(request, transition.done(plan, result), messages.SUCCESS)
        return redirect("admin:risks_riskmanagementplan_change", result.pk)

    def _transition_page(self, request, plan, transition, form, error="", status=200):
        context = {
            **self.admin_site.each_context(request),
            "title": transition.title(plan),
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": plan,
            "transition": transition,
            "form": form,
            "error": error,
            "explanation": transition.explain(plan),
            "warnings": transition.warnings(plan) if form is not None else [],
            "plan_url": reverse("admin:risks_riskmanagementplan_change", args=[plan.pk]),
        }
        return TemplateResponse(
            request, "admin/risks/riskmanagementplan/transition.html", context, status=status
        )


# The parts of a plan version


@admin.register(SafetyConcern)
class SafetyConcernAdmin(PlanPartAdmin):
    plan_path = "plan"
    list_display = ["name", "category", "plan", "position"]
    list_filter = ["category", "plan__status", "plan__product__region"]
    list_select_related = ["plan__product"]
    search_fields = ["name", "plan__product__name", "evidence", "risk_factors"]
    autocomplete_fields = ["plan"]
    fields = [
        "plan",
        "category",
        "name",
        "position",
        "evidence",
        "risk_factors",
        "footnotes",
        "curator_note",
    ]
    inlines = [RoutineMeasureInline, ConcernImportWarningInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan__product")

    def view_on_site(self, concern):
        return concern_public_url(concern)


@admin.register(RoutineMeasure)
class RoutineMeasureAdmin(PlanPartAdmin):
    plan_path = "safety_concern__plan"
    list_display = ["__str__", "kind", "safety_concern"]
    list_filter = ["kind", "safety_concern__plan__status"]
    list_select_related = ["safety_concern__plan__product"]
    search_fields = ["text", "safety_concern__name"]
    autocomplete_fields = ["safety_concern"]
    inlines = [SectionReferenceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("safety_concern__plan__product")


@admin.register(SectionReference)
class SectionReferenceAdmin(PlanPartAdmin):
    plan_path = "routine_measure__safety_concern__plan"
    list_display = ["label", "routine_measure"]
    list_filter = ["document", "routine_measure__safety_concern__plan__status"]
    list_select_related = ["routine_measure__safety_concern"]
    search_fields = ["section", "routine_measure__safety_concern__name"]
    autocomplete_fields = ["routine_measure"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("routine_measure__safety_concern__plan__product")
        )


@admin.register(AdditionalMeasure)
class AdditionalMeasureAdmin(PlanPartAdmin):
    plan_path = "plan"
    form = AdditionalMeasureForm
    list_display = ["name", "kind", "plan"]
    list_filter = ["kind", "plan__status"]
    list_select_related = ["plan__product"]
    search_fields = ["name", "description", "plan__product__name"]
    autocomplete_fields = ["plan"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan__product")


@admin.register(Study)
class StudyAdmin(PlanPartAdmin):
    plan_path = "plan"
    form = StudyForm
    list_display = ["name", "category", "design", "status", "plan"]
    list_filter = ["category", "design", "status", "plan__status"]
    list_select_related = ["plan__product"]
    search_fields = ["code", "short_name", "title", "plan__product__name"]
    autocomplete_fields = ["plan"]
    inlines = [MilestoneInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan__product")


@admin.register(Milestone)
class MilestoneAdmin(PlanPartAdmin):
    plan_path = "study__plan"
    list_display = ["study", "description", "due", "due_date", "precision", "reported_on"]
    list_filter = ["precision", "study__plan__status"]
    list_select_related = ["study"]
    search_fields = ["description", "due", "study__code", "study__title"]
    autocomplete_fields = ["study"]
    readonly_fields = ["due_date", "precision"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("study__plan__product")
