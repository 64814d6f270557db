"""The parts of a plan version: their own admin pages and their inline tables.

A part (safety concern, routine measure, section reference, additional measure, study,
milestone) is read-only unless its version is a draft. Its parent is chosen when it is
added, among those of draft versions only, and stays fixed afterwards.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from audit.admin import AuditedAdminMixin, follow, follow_pk
from imports.admin import ConcernImportWarningInline
from imports.references import uncited_sections
from risks.models import (
    AdditionalMeasure,
    Milestone,
    PlanStatus,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)

from ..forms import AdditionalMeasureForm, RoutineMeasureForm, StudyForm
from .drafts import DraftOnlyMixin, is_autocomplete, plan_guard, readonly_reason
from .terms import ConcernTermForm, TermInlineMixin, suggestion_text


class PlanPartAdmin(DraftOnlyMixin, AuditedAdminMixin, admin.ModelAdmin):
    """A part of a plan version, on its own page: read-only unless the version is a draft.

    Its parent (the version, concern, measure or study it belongs to) is chosen when it is
    added, among those of draft versions only, and stays fixed afterwards.
    """

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.edit_guard = plan_guard(self.plan_path)

    def get_queryset(self, request):
        """With its plan version and the version's product, which its pages name."""
        return super().get_queryset(request).select_related(f"{self.plan_path}__product")

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
        if is_autocomplete(request):
            queryset = queryset.filter(**{self._draft_lookup(from_parent=False): PlanStatus.DRAFT})
        return super().get_search_results(request, queryset, search_term)

    # "Save" of a part returns to its plan version ("Save and continue editing" and "Save and
    # add another" keep the admin's behaviour); the inline group of the part's kind is in view.
    plan_anchor = ""

    def response_post_save_add(self, request, obj):
        return self._back_to_plan(request, obj) or super().response_post_save_add(request, obj)

    def response_post_save_change(self, request, obj):
        return self._back_to_plan(request, obj) or super().response_post_save_change(request, obj)

    def _back_to_plan(self, request, obj):
        plan_pk = follow_pk(obj, self.plan_path)
        if plan_pk is None or not self.admin_site.is_registered(RiskManagementPlan):
            return None
        url = reverse(f"{self.admin_site.name}:risks_riskmanagementplan_change", args=[plan_pk])
        return HttpResponseRedirect(f"{url}#{self.plan_anchor}" if self.plan_anchor else url)

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
            url = reverse("browse:product_version", args=[plan.product.slug, plan.version])
        except NoReverseMatch:  # a label the URL cannot carry, e.g. with a slash
            return None
        return f"{url}#{concern.anchor}"
    return None


class SafetyConcernInline(TermInlineMixin, DraftOnlyMixin, admin.TabularInline):
    model = SafetyConcern
    form = ConcernTermForm
    fields = ["position", "category", "name", "term", "suggestion", "confirm_suggestion"]
    readonly_fields = ["suggestion"]
    autocomplete_fields = ["term"]
    extra = 0
    show_change_link = True

    @admin.display(description="suggested term")
    def suggestion(self, concern):
        return suggestion_text(concern)

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


def warn_of_uncited_sections(request, measures):
    """A warning (not a refusal) for each measure whose text names a section it does not cite."""
    for measure in measures:
        references = list(measure.section_references.all())
        uncited = uncited_sections(measure.text, [reference.key for reference in references])
        if uncited:
            names = ", ".join(f"{document.abbreviation} {section}" for document, section in uncited)
            cited = ", ".join(reference.label for reference in references) or "nothing"
            messages.warning(
                request,
                f"The routine measure “{measure}” names {names} in its text but cites "
                f"{cited}: check its section references.",
            )


# The parts of a plan version


@admin.register(SafetyConcern)
class SafetyConcernAdmin(PlanPartAdmin):
    plan_path = "plan"
    plan_anchor = "safety_concerns-group"
    form = ConcernTermForm
    list_display = ["name", "category", "plan", "position", "term"]
    list_filter = ["category", "plan__status", "plan__product__region"]
    list_select_related = ["plan__product", "term"]
    search_fields = ["name", "plan__product__name", "evidence", "risk_factors"]
    autocomplete_fields = ["plan", "term"]
    readonly_fields = ["suggestion"]
    fields = [
        "plan",
        "category",
        "name",
        "term",
        "suggestion",
        "confirm_suggestion",
        "position",
        "evidence",
        "risk_factors",
        "footnotes",
        "curator_note",
    ]
    inlines = [RoutineMeasureInline, ConcernImportWarningInline]

    def view_on_site(self, concern):
        return concern_public_url(concern)

    @admin.display(description="suggested term")
    def suggestion(self, concern):
        return suggestion_text(concern)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_of_uncited_sections(
            request, form.instance.routine_measures.prefetch_related("section_references")
        )


@admin.register(RoutineMeasure)
class RoutineMeasureAdmin(PlanPartAdmin):
    plan_path = "safety_concern__plan"
    list_display = ["__str__", "kind", "safety_concern"]
    list_filter = ["kind", "safety_concern__plan__status"]
    list_select_related = ["safety_concern__plan__product"]
    search_fields = ["text", "safety_concern__name"]
    autocomplete_fields = ["safety_concern"]
    inlines = [SectionReferenceInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_of_uncited_sections(request, [form.instance])


@admin.register(SectionReference)
class SectionReferenceAdmin(PlanPartAdmin):
    plan_path = "routine_measure__safety_concern__plan"
    list_display = ["label", "routine_measure"]
    list_filter = ["document", "routine_measure__safety_concern__plan__status"]
    list_select_related = ["routine_measure__safety_concern"]
    search_fields = ["section", "routine_measure__safety_concern__name"]
    autocomplete_fields = ["routine_measure"]


@admin.register(AdditionalMeasure)
class AdditionalMeasureAdmin(PlanPartAdmin):
    plan_path = "plan"
    plan_anchor = "additional_measures-group"
    form = AdditionalMeasureForm
    list_display = ["name", "kind", "plan"]
    list_filter = ["kind", "plan__status"]
    list_select_related = ["plan__product"]
    search_fields = ["name", "description", "plan__product__name"]
    autocomplete_fields = ["plan"]


@admin.register(Study)
class StudyAdmin(PlanPartAdmin):
    plan_path = "plan"
    plan_anchor = "studies-group"
    form = StudyForm
    list_display = ["name", "category", "design", "status", "plan"]
    list_filter = ["category", "design", "status", "plan__status"]
    list_select_related = ["plan__product"]
    search_fields = ["code", "short_name", "title", "plan__product__name"]
    autocomplete_fields = ["plan"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(PlanPartAdmin):
    plan_path = "study__plan"
    list_display = ["study", "description", "due", "due_date", "precision", "reported_on"]
    list_filter = ["precision", "study__plan__status"]
    list_select_related = ["study"]
    search_fields = ["description", "due", "study__code", "study__title"]
    autocomplete_fields = ["study"]
    readonly_fields = ["due_date", "precision"]
