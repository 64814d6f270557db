from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt

from audit.admin import ConditionallyEditableMixin
from common.text import counted

from . import views
from .models import ImportLog, ImportWarning, can_import


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    """The record of every import: read-only for everyone, superusers included."""

    list_display = [
        "created_at",
        "kind",
        "file_name",
        "product",
        "plan_link",
        "user",
        "warning_count",
    ]
    list_filter = ["kind"]
    list_select_related = ["product", "plan__product", "user"]
    search_fields = ["file_name", "sha256", "product__name"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "kind",
        "file_name",
        "sha256",
        "size",
        "user",
        "product",
        "plan_link",
        "summary",
        "warning_list",
    ]
    readonly_fields = fields

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            # The upload view checks the CSRF token itself (imports.views.upload).
            path("upload/", view(csrf_exempt(self.upload_view)), name="imports_importlog_upload"),
            path("upload/confirm/", view(self.confirm_view), name="imports_importlog_confirm"),
            *super().get_urls(),
        ]

    def upload_view(self, request):

        return views.upload(request, self)

    def confirm_view(self, request):

        return views.confirm(request, self)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": can_import(request.user)}
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="plan", ordering="plan")
    def plan_link(self, log):
        if log.plan_id is None:
            return "–"
        url = reverse("admin:risks_riskmanagementplan_change", args=[log.plan_id])
        return format_html('<a href="{}">{}</a>', url, log.plan)

    @admin.display(description="warnings")
    def warning_count(self, log):
        return len(log.warnings)

    @admin.display(description="warnings")
    def warning_list(self, log):
        if not log.warnings:
            return "None"
        return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", zip(log.warnings)))


class ImportWarningInline(ConditionallyEditableMixin, admin.TabularInline):
    """Warnings of an import, to be reviewed and ticked off; never added or deleted by hand.

    Ticking one off changes the version: only while it is a draft, and with a reason (the
    page's own "Reason for this change").
    """

    model = ImportWarning
    fields = ["subject", "message", "resolved"]
    readonly_fields = ["subject", "message"]
    ordering = ["resolved", "position", "id"]
    extra = 0
    can_delete = False
    verbose_name_plural = "import warnings (unresolved first)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The parent empties the queryset unless has_view_permission(request) holds without an
        # object, which it never does here; the page's own check (below) decides.
        return self.model._default_manager.order_by(*self.get_ordering(request))

    # Only the pages of imported items carry the section (and its formset).

    def has_view_permission(self, request, obj=None):
        return _has_import_warnings(obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _has_import_warnings(obj) and super().has_change_permission(request, obj)

    def is_editable(self, obj):
        plan = getattr(obj, "plan", obj)  # the page is the plan's or one of its concerns'
        return plan.is_draft


def _has_import_warnings(obj):
    return obj is not None and obj.pk is not None and obj.import_warnings.exists()


class PlanImportWarningInline(ImportWarningInline):
    fk_name = "plan"


class ConcernImportWarningInline(ImportWarningInline):
    fk_name = "safety_concern"
    fields = ["message", "resolved"]
    readonly_fields = ["message"]


def import_warning_summary(plan):
    """ "3 import warnings, 2 unresolved" for the plan admin page."""
    if plan is None or plan.pk is None:
        return "None"
    warnings = list(plan.import_warnings.values_list("resolved", flat=True))
    if not warnings:
        return "None"
    unresolved = warnings.count(False)
    total = counted(len(warnings), "import warnings")
    return f"{total}, {unresolved} unresolved" if unresolved else f"{total}, all resolved"
