import django_filters
from django.utils import timezone

from products.models import AuthorisationStatus, Product, Region
from risks.models import Study, StudyCategory, StudyDesign, StudyStatus


class ProductFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(choices=Region.choices)
    authorisation_status = django_filters.ChoiceFilter(choices=AuthorisationStatus.choices)
    substance = django_filters.CharFilter(
        field_name="substances__name", lookup_expr="iexact", distinct=True
    )

    class Meta:
        model = Product
        fields = ["region", "authorisation_status", "substance"]


class StudyFilter(django_filters.FilterSet):
    category = django_filters.TypedChoiceFilter(choices=StudyCategory.choices, coerce=int)
    status = django_filters.ChoiceFilter(choices=StudyStatus.choices)
    design = django_filters.ChoiceFilter(choices=StudyDesign.choices)
    product = django_filters.CharFilter(field_name="plan__product__slug")
    overdue = django_filters.ChoiceFilter(
        choices=[("true", "Overdue"), ("false", "Not overdue")], method="filter_overdue"
    )

    class Meta:
        model = Study
        fields = ["category", "status", "design", "product", "overdue"]

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        overdue = queryset.overdue(today)
        return overdue if value == "true" else queryset.exclude(pk__in=overdue.values("pk"))
