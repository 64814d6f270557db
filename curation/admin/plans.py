"""The admin of plan versions: the version's page, its parts inline, its workflow steps.

Only a draft can be changed (``drafts``); the page offers the workflow steps the user may
take (``steps``) and says why a version that is not a draft is read-only.
"""

from django.contrib import admin
from django.db import models

from audit.admin import AuditedAdminMixin
from imports.admin import PlanImportWarningInline, import_warning_summary
from risks.models import RiskManagementPlan

from .drafts import DraftOnlyMixin, is_autocomplete, plan_guard, readonly_reason
from .parts import AdditionalMeasureInline, SafetyConcernInline, StudyInline
from .steps import WorkflowStepsMixin


@admin.register(RiskManagementPlan)
class RiskManagementPlanAdmin(
    WorkflowStepsMixin, DraftOnlyMixin, AuditedAdminMixin, admin.ModelAdmin
):
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
        if is_autocomplete(request):
            queryset = queryset.drafts()
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="import warnings")
    def import_warning_count(self, plan):
        return import_warning_summary(plan)

    # The plan page: workflow buttons and why a version is read-only

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.workflow_context(request, obj))
            context["readonly_reason"] = readonly_reason(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
