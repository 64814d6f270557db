"""The studies' URL parameters, validated: the same FilterSet serves the page, its CSV and
JSON, and the API's study list (/api/v1/studies/)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from common.listing import MAX_TEXT_LENGTH, validate_text_terms
from risks import study_text
from risks.models import Milestone, StudyCategory, StudyDesign, StudyStatus

from ..selectors.studies import (
    DEFAULT_SORT,
    OVERDUE_CHOICES,
    overdue_on,
    sort_studies,
)
from .public_product import PublicProductFilter

ISO_DATE = "%Y-%m-%d"
DATE_ERRORS = {"invalid": "Enter a date as YYYY-MM-DD, for example 2024-09-30."}
SORT_CHOICES = [
    ("due", "Earliest due date"),
    ("product", "Product"),
    ("category", "Category"),
]


class PageForm(forms.Form):
    """The page number of the studies page: not a filter, but validated with the filters.

    Not part of the FilterSet, which the API shares: the API's pagination reads its own
    ``page`` and ``page_size``.
    """

    page = forms.IntegerField(min_value=1, required=False)


class StudyFilterForm(forms.Form):
    """Checks across filters."""

    def clean(self):
        data = super().clean()
        after, before = data.get("due_after"), data.get("due_before")
        if after and before and after > before:
            raise ValidationError("due_after must be on or before due_before.")
        return data


def _date_filter(label):
    return django_filters.DateFilter(
        label=label,
        method="filter_due",
        input_formats=[ISO_DATE],
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )


class StudyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Text in code, name, title or purpose",
        method="filter_text",
        max_length=MAX_TEXT_LENGTH,
        validators=[validate_text_terms],
    )
    category = django_filters.ChoiceFilter(
        choices=StudyCategory.choices, empty_label="Any category"
    )
    status = django_filters.ChoiceFilter(choices=StudyStatus.choices, empty_label="Any status")
    design = django_filters.ChoiceFilter(choices=StudyDesign.choices, empty_label="Any design")
    product = PublicProductFilter(
        label="Product",
        field_name="plan__product",
        max_length=200,
        help_text="Its name, or the last part of its page's address.",
    )
    due_after = _date_filter("Milestone due on or after")
    due_before = _date_filter("Milestone due on or before")
    overdue = django_filters.ChoiceFilter(
        label="Overdue",
        choices=OVERDUE_CHOICES,
        method="filter_overdue",
        empty_label="Overdue or not",
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=SORT_CHOICES, method="filter_sort", empty_label=None
    )

    # The filters a reader can remove, in the order the heading names them.
    FILTER_PARAMS = ("category", "status", "design", "product", "due_after", "due_before",
                     "overdue", "q")  # fmt: skip

    class Meta:
        form = StudyFilterForm
        fields = []  # every filter is declared above

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    # Filtering

    def filter_text(self, queryset, name, value):
        return queryset.filter(study_text.containing(value, queryset.db))

    def filter_due(self, queryset, name, value):
        """A study matches when one milestone falls within both bounds (inclusive)."""
        after = self.form.cleaned_data.get("due_after")
        before = self.form.cleaned_data.get("due_before")
        if name == "due_before" and after:
            return queryset  # applied together with due_after
        milestones = Milestone.objects.filter(study=OuterRef("pk"))
        if after:
            milestones = milestones.filter(due_date__gte=after)
        if before:
            milestones = milestones.filter(due_date__lte=before)
        return queryset.filter(Exists(milestones))

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_on(self.today)
        return queryset.filter(overdue if value == "true" else ~overdue)

    def filter_sort(self, queryset, name, value):
        return sort_studies(queryset, value)

    # Describing what is shown

    @property
    def current_sort(self):
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

    def described_filters(self):
        """The filters in force as the heading says them: "category 1", "overdue", …"""
        data = self.form.cleaned_data
        words = {
            "category": lambda v: f"category {v}",
            "status": lambda v: StudyStatus(v).label.lower(),
            "design": lambda v: StudyDesign(v).label.lower(),
            "product": lambda v: v.name,
            "due_after": lambda v: f"due on or after {v.isoformat()}",
            "due_before": lambda v: f"due on or before {v.isoformat()}",
            "overdue": lambda v: "overdue" if v == "true" else "not overdue",
            "q": lambda v: f"matching '{v}'",
        }
        return [
            words[name](data[name])
            for name in self.FILTER_PARAMS
            if data.get(name) not in (None, "")
        ]
