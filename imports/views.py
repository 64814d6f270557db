"""The admin pages that import an RMP summary: upload, preview of everything, confirm.

The preview opens with what the import would create, its warnings and how it differs from
the product's published version (``differences``), with Confirm at the top and the bottom.

Several files uploaded together skip the preview: each is imported on its own at once
(services.import_rmp_summaries, as the command's folder mode), and one table lists the results.

The views are mounted by ImportLogAdmin.get_urls behind admin_site.admin_view (staff only);
each also requires the permission to add a risk management plan. The upload view checks the
CSRF token itself, after it has set the size limit that reading the upload obeys.
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.views.decorators.csrf import csrf_protect

from common.listing import form_error_message
from common.text import counted
from products.models import AuthorisationStatus
from risks.models import (
    AdditionalMeasureKind,
    ConcernCategory,
    RoutineMeasureKind,
    StudyCategory,
    StudyDesign,
)

from . import services
from .claims import ImportInProgress
from .differences import differences_from_published
from .extract import ImportRejected
from .forms import ConfirmImportForm, RmpSummaryUploadForm, discard_upload, keep_upload
from .models import ImportLog, can_import
from .uploads import limit_upload_size

TITLE = "Import an RMP summary"
RESULTS_TITLE = "Results of the import"


def upload(request, model_admin):
    """GET: the upload form. POST: parse the file and show what importing it would create.

    Mounted CSRF-exempt: the upload handlers can only be set before the CSRF check reads
    the request, so the check runs here, after them (``_upload``).
    """
    _check_permission(request)
    limit_upload_size(request)
    return _upload(request, model_admin)


@csrf_protect
def _upload(request, model_admin):
    if request.method != "POST":
        return _upload_page(request, model_admin, RmpSummaryUploadForm())
    form = RmpSummaryUploadForm(request.POST, request.FILES)
    if form.is_valid() and form.several:
        return _import_several(request, model_admin, form)
    if form.is_valid():
        [uploaded], product = form.cleaned_data["file"], form.cleaned_data["product"]
        product_slug = product.slug if product else ""
        accept_incomplete = form.cleaned_data["accept_incomplete"]
        try:
            preview = services.preview_rmp_summary(
                uploaded.read(),
                uploaded.name,
                product_slug=product_slug or None,
                accept_incomplete=accept_incomplete,
            )
        except ImportRejected as error:
            form.add_error("file", str(error))
        else:
            return _preview_page(
                request,
                model_admin,
                preview,
                product_slug,
                accept_incomplete=accept_incomplete,
                reason=form.cleaned_data["reason"],
            )
    return _upload_page(request, model_admin, form, status=400)


def _import_several(request, model_admin, form):
    """Import each uploaded file on its own, then one table of what became of each."""
    data = form.cleaned_data
    try:
        outcomes = services.import_rmp_summaries(
            [(upload.name, upload.read) for upload in data["file"]],
            user=request.user,
            reason=data["reason"],
            accept_incomplete=data["accept_incomplete"],
        )
    except ImportRejected as error:
        form.add_error("reason", str(error))
        return _upload_page(request, model_admin, form, status=400)
    context = _page_context(request, model_admin, RESULTS_TITLE)
    context.update(
        rows=[_result_row(outcome) for outcome in outcomes],
        totals=_totals(outcomes),
        accept_incomplete=data["accept_incomplete"],
    )
    return TemplateResponse(request, "admin/imports/results.html", context)


def _result_row(outcome):
    """One row of the results table: the outcome, and where its plan is (if any)."""
    row = {"outcome": outcome, "url": None, "message": outcome.refused}
    if outcome.status == "created":
        plan = outcome.result.plan
        row["url"] = reverse("admin:risks_riskmanagementplan_change", args=[plan.pk])
        row["message"] = f"version {plan.version} of {plan.product.name}"
    elif outcome.status == "nothing new":
        row["url"] = reverse(
            "admin:risks_riskmanagementplan_change", args=[outcome.earlier.plan_id]
        )
        row["message"] = nothing_new_message(outcome.preview).removeprefix("Nothing new: ")
    return row


def _totals(outcomes):
    """ "3 files: 1 new draft, 1 nothing new, 1 refused." """
    statuses = [outcome.status for outcome in outcomes]
    parts = [counted(statuses.count("created"), "new drafts")]
    parts += [
        f"{statuses.count(status)} {status}"
        for status in ("nothing new", "refused")
        if status in statuses
    ]
    return f"{counted(len(outcomes), 'files')}: {', '.join(parts)}."


def confirm(request, model_admin):
    """POST from the preview page: write the draft plan, or cancel and forget the upload."""
    _check_permission(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if request.POST.get("action") == "cancel":
        discard_upload(request.POST.get("sha256"))
        file_name = request.POST.get("file_name") or "the file"
        messages.info(request, f"Cancelled: nothing was imported from {file_name}.")
        return redirect("admin:imports_importlog_upload")
    form = ConfirmImportForm(request.POST)
    if not form.is_valid():
        if list(form.errors) == ["reason"]:
            return _reason_missing(request, model_admin, form)
        errors = [form_error_message(form)]
        return _upload_page(request, model_admin, RmpSummaryUploadForm(), errors, status=400)
    data = form.cleaned_data
    try:
        result = services.import_rmp_summary(
            data["content"],
            data["file_name"],
            user=request.user,
            reason=data["reason"],
            product_slug=data["product"] or None,
            accept_incomplete=data["accept_incomplete"],
        )
    except ImportInProgress as error:  # the import that runs now keeps (and ends) the upload
        return _upload_page(request, model_admin, RmpSummaryUploadForm(), [str(error)], status=409)
    except ImportRejected as error:
        discard_upload(data["sha256"])
        return _upload_page(request, model_admin, RmpSummaryUploadForm(), [str(error)], status=400)
    discard_upload(data["sha256"])
    if result.nothing_new:
        earlier = result.preview.duplicate or result.preview.same_content
        messages.warning(request, nothing_new_message(result.preview))
        return redirect("admin:risks_riskmanagementplan_change", earlier.plan_id)
    messages.success(request, imported_message(result))
    return redirect("admin:risks_riskmanagementplan_change", result.plan.pk)


def _reason_missing(request, model_admin, form):
    """The preview again, with the confirm form asking for the reason."""
    data = form.cleaned_data
    try:
        preview = services.preview_rmp_summary(
            data["content"],
            data["file_name"],
            product_slug=data["product"] or None,
            accept_incomplete=data["accept_incomplete"],
        )
    except ImportRejected as error:
        return _upload_page(request, model_admin, RmpSummaryUploadForm(), [str(error)], status=400)
    return _preview_page(request, model_admin, preview, data["product"], form, status=400)


def imported_message(result):
    preview = result.preview
    counts = ", ".join(counted(number, what) for what, number in preview.counts().items())
    warnings = counted(len(preview.warnings), "warnings") if preview.warnings else "no warnings"
    return (
        f"Imported {preview.source.file_name}: draft version {result.plan.version} of "
        f"{result.plan.product.name} ({counts}; {warnings} to review)."
    )


def nothing_new_message(preview):
    """Why importing ``preview`` writes nothing: the file, or its content, came in before."""
    if preview.duplicate:
        return duplicate_message(preview.duplicate)
    log = preview.same_content
    when = format_date(timezone.localtime(log.created_at), "j F Y, H:i")
    return (
        f"Nothing new: {log.plan.product.name} already has this content, imported from "
        f"{log.file_name} on {when} as draft version {log.plan.version}."
    )


def duplicate_message(log: ImportLog):
    when = format_date(timezone.localtime(log.created_at), "j F Y, H:i")
    who = f"by {log.user}" if log.user else "from the command line"
    return (
        f"This file was already imported on {when} {who} as draft version {log.plan.version} "
        f"of {log.plan.product.name}."
    )


def _check_permission(request):
    if not can_import(request.user):
        raise PermissionDenied("Only curators may import RMP summaries.")


def _page_context(request, model_admin, title):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
    }


def _upload_page(request, model_admin, form, errors=(), status=200):
    context = {**_page_context(request, model_admin, TITLE), "form": form, "errors": errors}
    return TemplateResponse(request, "admin/imports/upload.html", context, status=status)


def _preview_page(
    request,
    model_admin,
    preview,
    product_slug,
    confirm_form=None,
    status=200,
    *,
    accept_incomplete=False,
    reason="",
):
    context = _page_context(
        request, model_admin, f"Preview of the import of {preview.source.file_name}"
    )
    context.update(preview_context(preview), preview=preview)
    earlier = preview.duplicate or preview.same_content
    if not earlier:
        context["differences"] = differences_from_published(preview, request.user)
    if earlier:
        context["duplicate_message"] = nothing_new_message(preview)
        context["duplicate_url"] = reverse(
            "admin:risks_riskmanagementplan_change", args=[earlier.plan_id]
        )
    else:
        sha256 = keep_upload(preview.source.content)
        context["confirm_form"] = confirm_form or ConfirmImportForm(
            initial={
                "sha256": sha256,
                "file_name": preview.source.file_name,
                "product": product_slug,
                "accept_incomplete": accept_incomplete,
                "reason": reason,
            }
        )
    return TemplateResponse(request, "admin/imports/preview.html", context, status=status)


def preview_context(preview):
    """What the preview page lists, with keys resolved to names and codes to labels."""
    data, plan = preview.data, preview.data["plan"]
    measures = {item.get("key"): item["name"] for item in plan["additional_measures"]}
    studies = {item.get("key"): study_label(item) for item in plan["studies"]}
    served, studied = defaultdict(list), defaultdict(list)
    concerns = []
    for item in plan["safety_concerns"]:
        for key in item.get("additional_measures") or []:
            served[key].append(item["name"])
        for key in item.get("studies") or []:
            studied[key].append(item["name"])
        concerns.append(
            {
                **item,
                "category_label": _label(ConcernCategory, item["category"]),
                "routine": [
                    {
                        **measure,
                        "kind_label": _label(RoutineMeasureKind, measure.get("kind")),
                    }
                    for measure in item.get("routine_measures") or []
                ],
                "measure_names": [
                    measures.get(key, key) for key in item.get("additional_measures") or []
                ],
                "study_names": [studies.get(key, key) for key in item.get("studies") or []],
            }
        )
    return {
        "new_product": None
        if preview.product
        else {
            **data["product"],
            "status_label": _label(
                AuthorisationStatus, data["product"].get("authorisation_status")
            ),
        },
        "concerns": concerns,
        "measures": [
            {
                **item,
                "kind_label": _label(AdditionalMeasureKind, item.get("kind")),
                "concerns": served[item.get("key")],
            }
            for item in plan["additional_measures"]
        ],
        "studies": [
            {
                **item,
                "category_label": _label(StudyCategory, item.get("category"), int),
                "design_label": _label(StudyDesign, item.get("design")),
                "concerns": studied[item.get("key")],
            }
            for item in plan["studies"]
        ],
    }


def study_label(item):
    return item.get("code") or item.get("short_name") or item["title"]


def _label(choices, value, convert=str):
    try:
        return choices(convert(value)).label
    except (TypeError, ValueError):
        return value or "not stated"
