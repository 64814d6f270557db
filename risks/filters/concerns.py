"""URL parameters of the safety-concern list (/risks/) and the compare page (/compare/)."""

import django_filters
from django import forms
from django.db.models import Q

from products.models import Product, Region

from ..models import ConcernCategory
from ..normalise import spelling_variants
from .products import PublicProductFilter

SORTS = [("products", "Most products first")]
TEXT_FIELDS = ("name", "evidence", "risk_factors")


class SafetyConcernFilter(django_filters.FilterSet):
    """Filters over current safety concerns."""

    q = django_filters.CharFilter(method="filter_text", label="Text", max_length=200)
    substance = django_filters.CharFilter(
        method="filter_substance", label="Active substance", max_length=200
    )
    category = django_filters.ChoiceFilter(choices=ConcernCategory.choices, label="Category")
    region = django_filters.ChoiceFilter(
        field_name="plan__product__region", choices=Region.choices, label="Region"
    )
    product = PublicProductFilter(
        label="Product",
        field_name="plan__product",
        max_length=200,
        help_text="Its name, or the last part of its page's address.",
    )
    group = django_filters.CharFilter(
        field_name="group_key", label="Group", max_length=400, widget=forms.HiddenInput
    )
    sort = django_filters.ChoiceFilter(
        choices=SORTS, method="keep", label="Sort groups by", empty_label="Name (A–Z)"
    )

    def filter_text(self, queryset, name, value):
        """Every word, in either spelling (haemorrhage/hemorrhage), in the name or texts."""
        matching = Q()
        for word in value.split():
            any_field = Q()
            for variant in spelling_variants(word):
                for field in TEXT_FIELDS:
                    any_field |= Q(**{f"{field}__icontains": variant})
            matching &= any_field
        return queryset.filter(matching)

    def filter_substance(self, queryset, name, value):
        products = Product.objects.filter(substances__name__iexact=value.strip())
        return queryset.filter(plan__product__in=products.values("pk"))

    def keep(self, queryset, name, value):
        """Parameters that shape the page, not the rows (the selector reads them)."""
        return queryset


class CommaSeparatedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that also read ``products=a,b`` (a pasted link) as two values."""

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name) or []
        slugs = []
        for value in values:
            for part in str(value).split(","):
                part = part.strip()
                if part and part not in slugs:
                    slugs.append(part)
        return slugs


class ProductComparisonForm(forms.Form):
    """``products``: 2 to 4 public products with a published plan, as slugs, in the URL order.

    Fewer than two is valid: the page then shows this form as a product picker.
    """

    MAX_PRODUCTS = 4

    products = forms.MultipleChoiceField(
        label="Products to compare",
        required=False,
        widget=CommaSeparatedCheckboxes,
        error_messages={
            "invalid_choice": (
                "There is no published risk management plan for the product “%(value)s”. "
                "Choose products from the list."
            )
        },
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = list(products)

    def clean_products(self):
        slugs = self.cleaned_data["products"]
        if len(slugs) > self.MAX_PRODUCTS:
            raise forms.ValidationError(
                f"Choose at most {self.MAX_PRODUCTS} products (you chose {len(slugs)})."
            )
        return slugs

    @property
    def ready(self):
        """True when the form is valid and names enough products for a comparison."""
        return self.is_valid() and len(self.cleaned_data["products"]) >= 2
