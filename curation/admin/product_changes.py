"""The admin of product changes: what a change proposes, and its review steps.

A change is written by the product admin (a curator's edit) and by the product-information
upload (``imports.pi_views``); its own page is read-only and shows the proposed values
beside the published ones and the proposed sections against the published sections. Submit,
send back, publish and discard are confirmed on their own pages with a reason, on the
revision the page showed (409 when the change moved on since), as for plan versions;
``products.review`` does the work and says no when it must (four eyes included).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateformat import format as format_date
from django.utils.timezone import localtime

from imports.pi_diff import compare_sections
from products import review
from products.models import ChangeStatus, ProductChange

from ..forms import ReviewedStepForm


class Step:
    name = ""
    label = ""
    source = ChangeStatus.DRAFT
    explanation = ""

    def allowed(self, user, change):
        raise NotImplementedError

    def permitted(self, user):
        return user.has_perm(review.CHANGE_PERMISSION)

    def refusal(self, user, change):
        if change.status != self.source:
            return (
                f"{self.label} is not possible: {change} is {change.get_status_display().lower()}.",
                400,
            )
        return None

    def perform(self, change, user, data):
        raise NotImplementedError


class Submit(Step):
    name, label = "submit", "Submit for review"
    explanation = (
        "Submitting makes the change read-only. A reviewer other than you and the change's "
        "editors then publishes it or sends it back. Nothing changes on the public site until "
        "it is published."
    )

    def allowed(self, user, change):
        return review.can_submit(user, change)

    def perform(self, change, user, data):
        return review.submit(change, user=user, reason=data["reason"], revision=data["revision"])


class ReturnToDraft(Step):
    name, label = "return", "Send back to draft"
    source = ChangeStatus.IN_REVIEW
    explanation = "Sending the change back makes it editable again. Say what needs to change."

    def allowed(self, user, change):
        return review.can_return_to_draft(user, change)

    def permitted(self, user):
        return user.has_perm(review.PUBLISH_PERMISSION) or user.has_perm(review.CHANGE_PERMISSION)

    def perform(self, change, user, data):
        return review.return_to_draft(
            change, user=user, reason=data["reason"], revision=data["revision"]
        )


class Publish(Step):
    name, label = "publish", "Publish"
    source = ChangeStatus.IN_REVIEW
    explanation = (
        "Publishing applies the change to the product in one step: the public pages, search, "
        "the API and the exports show it at once, and the data version moves."
    )

    def allowed(self, user, change):
        return review.can_publish(user, change)

    def permitted(self, user):
        return user.has_perm(review.PUBLISH_PERMISSION)

    def refusal(self, user, change):
        refused = super().refusal(user, change)
        if refused is None:
            four_eyes = review.four_eyes_refusal(user, change)
            if four_eyes:
                return four_eyes, 403
        return refused

    def perform(self, change, user, data):
        return review.publish(change, user=user, reason=data["reason"], revision=data["revision"])


class Discard(Step):
    name, label = "discard", "Discard"
    explanation = "Discarding drops the draft; the product stays as published. It stays in the log."

    def allowed(self, user, change):
        return review.can_discard(user, change)

    def perform(self, change, user, data):
        return review.discard(change, user=user, reason=data["reason"], revision=data["revision"])


STEPS = [Submit(), ReturnToDraft(), Publish(), Discard()]


@admin.register(ProductChange)
class ProductChangeAdmin(admin.ModelAdmin):
    change_form_template = "admin/products/productchange/change_form.html"
    list_display = ["__str__", "status", "created_by", "submitted_by", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["product", "created_by", "submitted_by"]
    search_fields = ["product__name", "source_file_name"]
    fields = [
        "product",
        "status",
        "revision",
        "source_file_name",
        "source_product_name",
        "created_by",
        "created_at",
        "last_edited_by",
        "submitted_by",
        "submitted_at",
        "published_by",
        "published_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(review_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        urls = [
            path(
                f"<path:object_id>/{step.name}/",
                self.admin_site.admin_view(self._step_view(step)),
                name=f"products_productchange_{step.name}",
            )
            for step in STEPS
        ]
        return urls + super().get_urls()

    def _step_view(self, step):
        def view(request, object_id):
            return self.step_view(request, object_id, step)

        view.__name__ = f"{step.name}_view"
        return view

    def step_view(self, request, object_id, step):
        change = self.get_object(request, unquote(object_id))
        if change is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        user = request.user
        if not self.has_view_permission(request, change) or not step.permitted(user):
            raise PermissionDenied
        form = ReviewedStepForm(request.POST) if request.method == "POST" else None
        seen = form.seen_revision() if form is not None else None
        if seen is not None and seen != change.revision:
            error = str(review.StaleRevision(change, seen))
            return self._step_page(request, change, step, None, error, 409, conflict=True)
        refused = step.refusal(user, change)
        if refused:
            return self._step_page(request, change, step, None, *refused)
        if form is None:
            form = ReviewedStepForm(initial={"revision": change.revision})
            return self._step_page(request, change, step, form)
        if not form.is_valid():
            return self._step_page(request, change, step, form, status=400)
        try:
            result = step.perform(change, user, form.cleaned_data)
        except review.StaleRevision as error:
            return self._step_page(
                request, error.change, step, None, str(error), 409, conflict=True
            )
        except review.ReviewError as error:
            change.refresh_from_db()
            refused_now = step.refusal(user, change)
            status = 403 if refused_now and refused_now[1] == 403 else 400
            return self._step_page(request, change, step, form, str(error), status)
        done = {
            "submit": f"{result} is submitted for review.",
            "return": f"{result} is back in draft.",
            "publish": f"{result} is published: the public site shows it now.",
            "discard": f"{result} is discarded; the product stays as published.",
        }[step.name]
        self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:products_productchange_change", result.pk)

    def _step_page(self, request, change, step, form, error="", status=200, conflict=False):
        context = {
            **self.admin_site.each_context(request),
            "title": f"{step.label}: {change}",
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": change,
            "step": step,
            "form": form,
            "error": error,
            "conflict": conflict,
            "change_url": reverse("admin:products_productchange_change", args=[change.pk]),
            "reload_url": request.path,
            **review_context(request, change, with_actions=False),
        }
        return TemplateResponse(
            request, "admin/products/productchange/step.html", context, status=status
        )


def review_context(request, change, *, with_actions=True):
    """What a change proposes, beside what is published, and the steps the user may take."""
    user = request.user
    product = change.product
    published = list(product.information_sections.all()) if product is not None else []
    sections = change.sections
    diff = None
    if sections is not None and change.status != ChangeStatus.PUBLISHED:
        diff = compare_sections(published, sections)
    four_eyes = review.can_publish(user, change) and review.four_eyes_refusal(user, change)
    actions = []
    if with_actions:
        actions = [
            {
                "name": step.name,
                "label": step.label,
                "url": reverse(f"admin:products_productchange_{step.name}", args=[change.pk]),
            }
            for step in STEPS
            if step.allowed(user, change) and not (step.name == "publish" and four_eyes)
        ]
    submitted = ""
    if change.submitted_by_id:
        when = format_date(localtime(change.submitted_at), "j F Y, H:i")
        submitted = f"Submitted for review by {change.submitted_by} on {when}."
    return {
        "value_changes": review.value_changes(change),
        "section_diff": diff,
        "section_count": len(sections) if sections is not None else None,
        "published_count": len(published),
        "review_actions": actions,
        "four_eyes_note": four_eyes or "",
        "submitted_note": submitted,
        "history": history_entries(change),
    }


STEP_NAMES = {
    (ChangeStatus.DRAFT, ChangeStatus.IN_REVIEW): "Submitted for review",
    (ChangeStatus.IN_REVIEW, ChangeStatus.DRAFT): "Sent back to draft",
    (ChangeStatus.IN_REVIEW, ChangeStatus.PUBLISHED): "Published",
    (ChangeStatus.DRAFT, ChangeStatus.DISCARDED): "Discarded",
}


def history_entries(change):
    """The change's historical rows, each with what it did: created, edited, a step."""
    rows = list(
        ProductChange.history.filter(id=change.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    previous = None
    for row in rows:
        if previous is None:
            row.action = "Created"
        elif previous.status != row.status:
            row.action = STEP_NAMES.get((previous.status, row.status), row.get_status_display())
        elif row.proposed_sections != previous.proposed_sections:
            row.action = "Product information loaded"
        else:
            row.action = "Values edited"
        previous = row
    return rows
