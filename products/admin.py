"""The curation admin of products, their substances, companies and information sections.

Every write carries a reason (``audit.admin``). A curator's edit of a product is not
written to the product: it is kept as the product's draft change (``products.review``)
until a reviewer publishes it, so the public site shows the published product meanwhile.
The product page shows the draft's values, so a second edit continues the first. The
information sections are read-only here: a new text comes in by upload, as a draft too.

A substance or a company is a catalogue name, written at once (its token is its latest
historical row); a new name shows publicly only when a published product uses it.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import construct_change_message
from django.db import models
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect

from audit.admin import NOT_SAVED, AuditedAdminMixin, EditGuard, HistoryGuard, latest_record

from . import review
from .models import (
    ChangeStatus,
    Company,
    Product,
    ProductChange,
    ProductInformationSection,
    Substance,
)


def product_changes(product_pk):
    """History of a product, of its information sections and of its changes."""
    return [
        Product.history.filter(id=product_pk),
        ProductInformationSection.history.filter(product_id=product_pk),
        ProductChange.history.filter(product_id=product_pk),
    ]


class ProductDraftGuard(EditGuard):
    """The token: the product's revision and its open change's, which every save moves."""

    def current_token(self, owner):
        change = review.open_change(owner)
        return f"{owner.revision}.{change.revision if change else 0}"

    def last_change(self, owner):
        return latest_record(product_changes(owner.pk))

    def refusal(self, owner):
        change = review.open_change(owner)
        if change is not None and change.status == ChangeStatus.IN_REVIEW:
            return (
                f"{change} is in review: {owner} cannot be changed until it is published or "
                f"sent back to draft. {NOT_SAVED}"
            )
        return None


@admin.register(Substance)
class SubstanceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    edit_guard = HistoryGuard(Substance)
    search_fields = ["name"]


@admin.register(Company)
class CompanyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    edit_guard = HistoryGuard(Company)
    search_fields = ["name"]


class ProductInformationSectionInline(admin.TabularInline):
    """The published sections; a new text is uploaded ("Upload product information")."""

    model = ProductInformationSection
    fields = ["position", "document", "section", "title"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = "published product information sections"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DraftInitialForm:
    """Mixed into the product form: a product with a draft shows the draft's values."""

    draft_values = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update(
                {name: value for name, value in self.draft_values.items() if name in self.fields}
            )


@admin.register(Product)
class ProductAdmin(AuditedAdminMixin, admin.ModelAdmin):
    edit_guard = ProductDraftGuard(Product)
    change_form_template = "admin/products/product/change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "substance_names",
        "region",
        "authorisation_status",
        "open_change",
        "updated_at",
    ]
    list_filter = ["region", "authorisation_status", "is_synthetic"]
    search_fields = ["name", "slug", "substances__name", "procedure_number"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["substances", "marketing_authorisation_holder"]
    inlines = [ProductInformationSectionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "substances", "region", "authorisation_status"]}),
        (
            "Authorisation",
            {
                "fields": [
                    "procedure_number",
                    "authorisation_numbers",
                    "marketing_authorisation_holder",
                    "source_url",
                    "product_information_url",
                ]
            },
        ),
        ("Use", {"fields": ["indication", "route", "pharmaceutical_form"]}),
        ("US label", {"fields": ["boxed_warning", "rems"]}),
    ]

    def get_queryset(self, request):
        open_changes = ProductChange.objects.open().order_by()
        return (
            super()
            .get_queryset(request)
            .prefetch_related("substances")
            .annotate(
                open_change_status=Subquery(
                    open_changes.filter(product=OuterRef("pk")).values("status")[:1]
                )
            )
        )

    @admin.display(description="change")
    def open_change(self, product):
        """The status of the product's change in draft or review, if any."""
        status = getattr(product, "open_change_status", None)
        return ChangeStatus(status).label if status else "–"

    @admin.display(description="active substances")
    def substance_names(self, product):
        return ", ".join(substance.name for substance in product.substances.all())

    def has_delete_permission(self, request, obj=None):
        """A deletion would be public at once; a product is withdrawn by a reviewed change."""
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        draft = review.open_change(obj)
        values = draft.values if draft is not None else {}
        return type(form.__name__, (DraftInitialForm, form), {"draft_values": values})

    # A save writes the product's draft change, never the product.

    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        product = Product.objects.get(pk=form.instance.pk) if change else None
        values = review.proposed_differences(product, form.cleaned_data, form.fields)
        draft = review.open_change(product)
        if draft is None and not values:
            form.instance._review_change = None
            return
        form.instance._review_change = review.propose_values(
            product, values, user=request.user, reason=form.cleaned_data["change_reason"]
        )

    def construct_change_message(self, request, form, formsets, add=False):
        return construct_change_message(form, [], add)  # the inline is read-only

    def log_addition(self, request, obj, message):
        change = getattr(obj, "_review_change", None)
        return super().log_addition(request, change, message) if change else None

    def log_change(self, request, obj, message):
        change = getattr(obj, "_review_change", None)
        return super().log_change(request, change, message) if change else None

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj)

    def response_change(self, request, obj):
        return self._after_save(request, obj)

    def _after_save(self, request, obj):
        change = getattr(obj, "_review_change", None)
        if change is None:
            self.message_user(request, f"Nothing changed in {obj}.", messages.INFO)
            return redirect("admin:products_product_change", obj.pk)
        proposed = len(change.values)
        self.message_user(
            request,
            f"Your edit is saved in {change} ({proposed} field{'s' if proposed != 1 else ''} "
            "proposed). The public site shows the published product until a reviewer "
            "publishes the change: submit it for review when it is ready.",
            messages.SUCCESS,
        )
        return redirect(change.get_absolute_url())

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["open_change"] = review.open_change(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(ProductInformationSection)
class ProductInformationSectionAdmin(admin.ModelAdmin):
    """Published sections, read-only: a new text is uploaded and reviewed as a change."""

    list_display = ["product", "document", "section", "title"]
    list_filter = ["document", "product"]
    list_select_related = ["product"]
    search_fields = ["product__name", "title", "text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
