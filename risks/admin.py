from django.contrib import admin
from django.db import models

from imports.admin import (
    ConcernImportWarningInline,
    PlanImportWarningInline,
    import_warning_summary,
)

from .forms import AdditionalMeasureForm, RoutineMeasureForm, StudyForm
from .models import (
    AdditionalMeasure,
    Milestone,
    RiskManagementPlan,
    RoutineMeasure,
    SafetyConcern,
    SectionReference,
    Study,
)


class PlanChildInline:
    """Inlines on the plan page whose concern choices are limited to that plan."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class PlanFormSet(formset):
            def get_form_kwargs(self, index):
                plan = self.instance if self.instance.pk else None
                return {**super().get_form_kwargs(index), "plan": plan}

        return PlanFormSet


class SafetyConcernInline(admin.TabularInline):
    model = SafetyConcern
    fields = ["position", "category", "name"]
    extra = 0
    show_change_link = True


class AdditionalMeasureInline(PlanChildInline, admin.StackedInline):
    model = AdditionalMeasure
    form = AdditionalMeasureForm
    fields = ["kind", "name", "description", "safety_concerns"]
    extra = 0


class StudyInline(admin.TabularInline):
    model = Study
    fields = ["position", "code", "short_name", "category", "design", "status"]
    extra = 0
    show_change_link = True


@admin.register(RiskManagementPlan)
class RiskManagementPlanAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["product", "version", "date", "status", "updated_at"]
    list_filter = ["status", "product__region"]
    list_select_related = ["product"]
    search_fields = ["product__name", "version", "source_document"]
    autocomplete_fields = ["product"]
    readonly_fields = ["published_at", "updated_at", "import_warning_count"]
    fields = [
        "product",
        "version",
        "date",
        "status",
        "source_document",
        "source_url",
        "note",
        "published_at",
        "updated_at",
        "import_warning_count",
    ]
    inlines = [
        PlanImportWarningInline,
        SafetyConcernInline,
        AdditionalMeasureInline,
        StudyInline,
    ]

    @admin.display(description="import warnings")
    def import_warning_count(self, plan):
        return import_warning_summary(plan)


class RoutineMeasureInline(admin.TabularInline):
    model = RoutineMeasure
    form = RoutineMeasureForm
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("section_references")


@admin.register(SafetyConcern)
class SafetyConcernAdmin(admin.ModelAdmin):
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


class SectionReferenceInline(admin.TabularInline):
    model = SectionReference
    fields = ["position", "document", "section"]
    extra = 0


@admin.register(RoutineMeasure)
class RoutineMeasureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "safety_concern"]
    list_filter = ["kind"]
    list_select_related = ["safety_concern__plan__product"]
    search_fields = ["text", "safety_concern__name"]
    autocomplete_fields = ["safety_concern"]
    inlines = [SectionReferenceInline]


@admin.register(SectionReference)
class SectionReferenceAdmin(admin.ModelAdmin):
    list_display = ["label", "routine_measure"]
    list_filter = ["document"]
    list_select_related = ["routine_measure__safety_concern"]
    search_fields = ["section", "routine_measure__safety_concern__name"]
    autocomplete_fields = ["routine_measure"]


@admin.register(AdditionalMeasure)
class AdditionalMeasureAdmin(admin.ModelAdmin):
    form = AdditionalMeasureForm
    list_display = ["name", "kind", "plan"]
    list_filter = ["kind", "plan__status"]
    list_select_related = ["plan__product"]
    search_fields = ["name", "description", "plan__product__name"]
    autocomplete_fields = ["plan"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ["position", "description", "due", "due_date", "precision", "reported_on"]
    readonly_fields = ["due_date", "precision"]
    extra = 0


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    form = StudyForm
    list_display = ["name", "category", "design", "status", "plan"]
    list_filter = ["category", "design", "status", "plan__status"]
    list_select_related = ["plan__product"]
    search_fields = ["code", "short_name", "title", "plan__product__name"]
    autocomplete_fields = ["plan"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["study", "description", "due", "due_date", "precision", "reported_on"]
    list_filter = ["precision"]
    list_select_related = ["study"]
    search_fields = ["description", "due", "study__code", "study__title"]
    autocomplete_fields = ["study"]
    readonly_fields = ["due_date", "precision"]
