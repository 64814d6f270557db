"""The curation admin of products, their substances, companies and information sections.

Every write carries a reason (``audit.admin``). A product and its information sections
share ``Product.revision`` as the token that detects concurrent edits; a substance or a
company uses its latest historical row.
"""

from django.contrib import admin
from django.db import models

from audit.admin import AuditedAdminMixin, HistoryGuard, RevisionGuard

from .models import Company, Product, ProductInformationSection, Substance


def product_changes(product_pk):
    """History of a product and of its information sections (deleted ones included)."""
    return [
        Product.history.filter(id=product_pk),
        ProductInformationSection.history.filter(product_id=product_pk),
    ]


def product_guard(path):
    return RevisionGuard(Product, path, changes=product_changes)


@admin.register(Substance)
class SubstanceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    edit_guard = HistoryGuard(Substance)
    search_fields = ["name"]


@admin.register(Company)
class CompanyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    edit_guard = HistoryGuard(Company)
    search_fields = ["name"]


class ProductInformationSectionInline(admin.TabularInline):
    model = ProductInformationSection
    fields = ["position", "document", "section", "title"]
    extra = 0
    show_change_link = True


@admin.register(Product)
class ProductAdmin(AuditedAdminMixin, admin.ModelAdmin):
    edit_guard = product_guard("")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "substance_names", "region", "authorisation_status", "updated_at"]
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
        return super().get_queryset(request).prefetch_related("substances")

    @admin.display(description="active substances")
    def substance_names(self, product):
        return ", ".join(substance.name for substance in product.substances.all())


@admin.register(ProductInformationSection)
class ProductInformationSectionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    edit_guard = product_guard("product")
    fixed_on_change = ["product"]
    list_display = ["product", "document", "section", "title"]
    list_filter = ["document", "product"]
    list_select_related = ["product"]
    search_fields = ["product__name", "title", "text"]
    autocomplete_fields = ["product"]
