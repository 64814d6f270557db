"""URL parameters of the safety-concern list (/risks/) and the compare page (/compare/)."""

import django_filters
from django import forms

from common.listing import MAX_TEXT_LENGTH, validate_text_terms
from products.models import Product, Region
from risks.models import ConcernCategory
from risks.normalise import spelling_variants
from risks.published import containing_all

from ..selectors.comparison import products_of_substance
from ..selectors.concerns import comparable_products_called
from .public_product import PublicProductFilter

SORTS = [("products", "Most products first")]
TEXT_FIELDS = ("name", "evidence", "risk_factors")


class SafetyConcernFilter(django_filters.FilterSet):
    """Filters over current safety concerns: the read model's rows (``PublishedConcern``)."""

    q = django_filters.CharFilter(
        method="filter_text",
        label="Text",
        max_length=MAX_TEXT_LENGTH,
        validators=[validate_text_terms],
    )
    substance = django_filters.CharFilter(
        method="filter_substance", label="Active substance", max_length=200
    )
    category = django_filters.ChoiceFilter(choices=ConcernCategory.choices, label="Category")
    region = django_filters.ChoiceFilter(
        field_name="region", choices=Region.choices, label="Region"
    )
    product = PublicProductFilter(
        label="Product",
        field_name="product",
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
        # ``text`` holds the TEXT_FIELDS in lower case, one per line, under a trigram index.
        words = [[v.lower() for v in spelling_variants(word)] for word in value.split()]
        data = self.form.cleaned_data
        few_rows = any(data.get(name) for name in ("product", "substance", "group"))
        return containing_all(queryset, words, few_rows=few_rows)

    def filter_substance(self, queryset, name, value):
        products = Product.objects.filter(substances__name__iexact=value.strip())
        return queryset.filter(product__in=products.values("pk"))

    def keep(self, queryset, name, value):
        """Parameters that shape the page, not the rows (the selector reads them)."""
        return queryset


class CommaSeparatedInput(forms.TextInput):
    """A text input that reads repeated parameters (``products=a&products=b``) as ``a, b``."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if values is None or isinstance(values, str):
            values = [values]
        return ", ".join(value.strip() for value in values if value and value.strip()) or None


def split_names(text):
    """The comma-separated parts of ``text``, in order, without repeats (ignoring case).

    A product whose name has a comma cannot be typed by name: its parts are looked up as
    names of their own (and reported as unknown), so it is typed by its slug, which never
    has one.
    """
    parts = {}
    for part in text.split(","):
        part = part.strip()
        if part:
            parts.setdefault(part.casefold(), part)
    return list(parts.values())


class ProductComparisonForm(forms.Form):
    """``products``: 2 to 4 public products with a published plan, in the order typed.

    Each is typed as its name or its slug (the last part of its page's address), ignoring
    case, separated by commas; a pasted ``?products=ivozall,clolar`` and repeated parameters
    read the same. Only the products named are read from the database, in one query. Drafts
    are refused like unknown names, with the same message, so that a draft's existence never
    shows. Fewer than two products is valid: the page then shows the form as a picker.

    ``substance`` instead names an active substance: all its products with a published plan
    are compared, when there are 2 to 4 of them (else the form is invalid, with a message).
    """

    MAX_PRODUCTS = 4

    products = forms.CharField(
        label="Products to compare",
        required=False,
        max_length=1000,
        widget=CommaSeparatedInput,
        help_text=(
            "2 to 4 product names or addresses, separated by commas, e.g. Lemtrada, Uplizna"
        ),
    )

    substance = forms.CharField(
        label="Active substance",
        required=False,
        max_length=200,
        help_text="Compare all the products of an active substance, e.g. clofarabine.",
    )

    @classmethod
    def showing(cls, products):
        """An unbound form whose input lists ``products`` as a reader would type them.

        By name, unless the name also names another product or has a comma: then by slug.
        """
        typed = [
            product.slug if product.name_is_shared or "," in product.name else product.name
            for product in products
        ]
        return cls(initial={"products": ", ".join(typed)})

    def clean_products(self):
        texts = split_names(self.cleaned_data["products"])
        if len(texts) > self.MAX_PRODUCTS:
            raise forms.ValidationError(
                f"Choose at most {self.MAX_PRODUCTS} products (you chose {len(texts)})."
            )
        found = comparable_products_called(texts)
        products, errors = [], []
        for text in texts:
            key = text.casefold()
            called = [p for p in found if p.slug.casefold() == key] or [
                p for p in found if p.name.casefold() == key
            ]
            if not called:
                errors.append(
                    f"There is no published risk management plan for the product “{text}”. "
                    "Type its name or the last part of its page's address, as the products "
                    "list shows them."
                )
            elif len(called) > 1:
                slugs = " or ".join(product.slug for product in called)
                errors.append(
                    f"Several products with a published risk management plan are called "
                    f"“{text}”: type the last part of the address of the one you mean ({slugs})."
                )
            elif called[0] not in products:  # its name and its slug both typed
                products.append(called[0])
        if errors:
            raise forms.ValidationError(errors)
        return products

    def clean(self):
        data = super().clean()
        name = (data.get("substance") or "").strip()
        if not name or self.errors:
            return data
        if data.get("products"):
            raise forms.ValidationError(
                "Name the products to compare or an active substance, not both."
            )
        substance, products = products_of_substance(name)
        if substance is None:
            raise forms.ValidationError(f"There is no active substance “{name}”.")
        if len(products) < 2:
            raise forms.ValidationError(
                f"Only {len(products)} product of {substance.name} has a published risk "
                "management plan: there is nothing to compare it with."
                if products
                else f"No product of {substance.name} has a published risk management plan."
            )
        if len(products) > self.MAX_PRODUCTS:
            raise forms.ValidationError(
                f"{len(products)} products of {substance.name} have a published risk management "
                f"plan; a comparison takes at most {self.MAX_PRODUCTS}: choose them by name "
                f"({', '.join(product.slug for product in products)})."
            )
        data["products"] = products
        data["substance"] = substance
        return data

    @property
    def ready(self):
        """True when the form is valid and names enough products for a comparison."""
        return self.is_valid() and len(self.cleaned_data["products"]) >= 2
