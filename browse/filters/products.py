"""The products list's URL parameters (/products/ and /api/v1/products/)."""

import django_filters
from django.db.models import Q

from browse.selectors.products import has_additional_measure, has_concern, has_study
from common.listing import MAX_TEXT_LENGTH, validate_text_terms
from products.models import AuthorisationStatus, Product, Region
from risks.models import (
    AdditionalMeasureKind,
    ConcernCategory,
    StudyCategory,
)

SORTS = {
    "name": ("name", "Name"),
    "-updated": ("-updated_at", "Recently changed"),
    "region": ("region", "Region"),
}


class ProductFilter(django_filters.FilterSet):
    """The parameters of the products list: the page, its CSV and JSON, and the API's list
    (/api/v1/products/) all validate and filter with this one FilterSet."""

    q = django_filters.CharFilter(
        method="filter_text",
        label="Text",
        max_length=MAX_TEXT_LENGTH,
        validators=[validate_text_terms],
    )
    substance = django_filters.CharFilter(
        field_name="substances__name",
        lookup_expr="iexact",
        label="Active substance",
        help_text="Its full name (international non-proprietary name); capitals do not matter.",
        max_length=200,
    )
    region = django_filters.ChoiceFilter(choices=Region.choices)
    status = django_filters.ChoiceFilter(
        field_name="authorisation_status",
        choices=AuthorisationStatus.choices,
        label="Authorisation status",
    )
    concern = django_filters.ChoiceFilter(
        choices=ConcernCategory.choices, method="filter_concern", label="Has a safety concern"
    )
    measure = django_filters.ChoiceFilter(
        choices=AdditionalMeasureKind.choices,
        method="filter_measure",
        label="Has an additional measure",
    )
    study = django_filters.TypedChoiceFilter(
        choices=StudyCategory.choices, coerce=int, method="filter_study", label="Has a study"
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (_, label) in SORTS.items()],
        method="sort_by",
        label="Sort by",
        empty_label="Name",
    )

    class Meta:
        model = Product
        fields = []

    def filter_text(self, queryset, name, value):
        matching = Q()
        for word in value.split():
            matching &= (
                Q(name__icontains=word)
                | Q(substances__name__icontains=word)
                | Q(indication__icontains=word)
            )
        ids = Product.objects.filter(matching).values("pk")
        return queryset.filter(pk__in=ids)

    def filter_concern(self, queryset, name, value):
        return queryset.filter(has_concern(value))

    def filter_measure(self, queryset, name, value):
        return queryset.filter(has_additional_measure(value))

    def filter_study(self, queryset, name, value: int):  # the hint types it in the API schema
        return queryset.filter(has_study(value))

    def sort_by(self, queryset, name, value):
        return queryset.order_by(SORTS[value][0], "name")
