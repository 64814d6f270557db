"""The admin pages that load a product's information: upload, preview with a diff, confirm.

The preview lists the sections found (number, title, first lines), the parser's warnings,
the product the document names and how its sections differ from the published ones
(added, removed, changed, the changed text marked word by word). Confirming records the
sections as the product's draft change (``pi_drafts``), which a reviewer publishes; a
document naming another product, or with far fewer sections than the published ones, needs
an explicit confirmation first. Nothing here writes the product or its published sections.

Mounted in ``rmpsite/urls.py`` behind the admin site's login; each view requires the
permission to change products.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_protect

from products import review
from products.models import ChangeStatus, Product

from .extract import ImportRejected
from .forms import discard_upload, keep_upload
from .pi_drafts import draft_product_information, preview_product_information, refusals
from .pi_forms import ConfirmInformationForm, InformationUploadForm
from .uploads import limit_upload_size

FIRST_LINES = 3


def upload(request, product_id):
    """GET: the upload form. POST: read the file and preview what it would change."""
    product = _product(request, product_id)
    limit_upload_size(request)
    return _upload(request, product)


@csrf_protect
def _upload(request, product):
    if request.method != "POST":
        return _upload_page(request, product, InformationUploadForm())
    form = InformationUploadForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            preview = preview_product_information(uploaded.read(), uploaded.name, product)
        except ImportRejected as error:
            form.add_error("file", str(error))
        else:
            keep_upload(preview.source.content)
            confirm = ConfirmInformationForm(
                preview=preview,
                initial={"sha256": preview.source.sha256, "file_name": preview.source.file_name},
            )
            return _preview_page(request, preview, confirm)
    return _upload_page(request, product, form, status=400)


def confirm(request, product_id):
    product = _product(request, product_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ConfirmInformationForm(request.POST)
    if not form.is_valid() and "content" not in form.cleaned_data:
        return _upload_page(
            request, product, InformationUploadForm(), errors=form.non_field_errors(), status=400
        )
    data = form.cleaned_data
    try:
        preview = preview_product_information(data["content"], data["file_name"], product)
    except ImportRejected as error:
        return _upload_page(request, product, InformationUploadForm(), [str(error)], 400)
    form = ConfirmInformationForm(request.POST, preview=preview)
    if not form.is_valid():
        return _preview_page(request, preview, form, status=400)
    try:
        change = draft_product_information(
            preview,
            user=request.user,
            reason=form.cleaned_data["reason"],
            confirm_mismatch=form.cleaned_data["confirm_mismatch"],
            confirm_few_sections=form.cleaned_data["confirm_few_sections"],
        )
    except ImportRejected as error:
        return _preview_page(request, preview, form, errors=[str(error)], status=400)
    discard_upload(preview.source.sha256)
    messages.success(
        request,
        f"The file {preview.source.file_name} is in {change} ({preview.summary()}). The public "
        "site shows the published information until a reviewer publishes the change: submit it "
        "for review when it is ready.",
    )
    return redirect(change.get_absolute_url())


def _product(request, product_id):
    if not request.user.has_perm(review.CHANGE_PERMISSION):
        raise PermissionDenied("Only curators may load product information.")
    return get_object_or_404(Product, pk=product_id)


def _context(request, product, title):
    opts = Product._meta
    return {
        **admin.site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "title": title,
        "product": product,
    }


def _upload_page(request, product, form, errors=(), status=200):
    context = {
        **_context(request, product, f"Upload the product information of {product.name}"),
        "form": form,
        "errors": list(errors),
        "open_change": review.open_change(product),
    }
    return TemplateResponse(
        request, "admin/products/information_upload.html", context, status=status
    )


def _preview_page(request, preview, form, errors=(), status=200):
    blocked = refusals(preview, confirm_mismatch=True, confirm_few_sections=True)
    change = preview.open_change
    if change is not None and change.status == ChangeStatus.IN_REVIEW:
        blocked.append(
            f"{change} is in review: send it back to draft before loading another document."
        )
    context = {
        **_context(request, preview.product, f"Preview: {preview.source.file_name}"),
        "preview": preview,
        "sections": [
            {
                "label": section.label,
                "title": section.title,
                "first_lines": _first_lines(section.text),
            }
            for section in preview.sections
        ],
        "form": form,
        "errors": list(errors),
        "blocked": blocked,
    }
    return TemplateResponse(
        request, "admin/products/information_preview.html", context, status=status
    )


def _first_lines(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    shown = " ".join(lines[:FIRST_LINES])
    return shown[:300] + ("…" if len(shown) > 300 or len(lines) > FIRST_LINES else "")
