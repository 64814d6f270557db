import re

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from .. import selectors
from ..filters.products import ProductFilter
from ..filters.studies import StudyFilterSet
from ..selectors import studies as study_selectors
from .errors import INVALID_PARAMETERS, NOT_FOUND
from .serializers import ProductDetailSerializer, ProductSummarySerializer, StudyListSerializer

SLUG = r"[-a-zA-Z0-9_]+"  # the values of a SlugField, as the site's addresses take them
SLUG_PARAMETER = OpenApiParameter(
    "slug",
    str,
    OpenApiParameter.PATH,
    pattern=f"^{SLUG}$",
    description="The last part of the address of the product's page.",
)


def documented_errors(list_serializer, detail_serializer, detail_parameters=()):
    """The responses of a read-only viewset, its 400 and 404 answers included."""
    return extend_schema_view(
        list=extend_schema(
            responses={200: list_serializer, 400: INVALID_PARAMETERS, 404: NOT_FOUND}
        ),
        retrieve=extend_schema(
            parameters=list(detail_parameters),
            responses={200: detail_serializer, 404: NOT_FOUND},
        ),
    )


@documented_errors(ProductSummarySerializer, ProductDetailSerializer, [SLUG_PARAMETER])
class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """Products with a published risk management plan (or product information only)."""

    lookup_field = "slug"
    filterset_class = ProductFilter  # the products page's: same parameters, same validation

    def get_queryset(self):
        return selectors.public_products()

    def get_serializer_class(self):
        return ProductDetailSerializer if self.action == "retrieve" else ProductSummarySerializer

    def get_object(self):
        slug = self.kwargs["slug"]
        if not re.fullmatch(SLUG, slug):  # no product has it (PostgreSQL refuses a NUL in it)
            raise Http404
        return selectors.product_detail(slug)


@documented_errors(StudyListSerializer, StudyListSerializer)
@extend_schema(
    description="Studies of the current published plans, by product unless sorted otherwise; "
    "the filters are those of the studies page (/studies/)."
)
class StudyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StudyListSerializer
    filterset_class = StudyFilterSet  # the studies page's: same parameters, same validation

    def get_queryset(self):
        # The page's selector (its sorts need the next due date it annotates), by product.
        return study_selectors.sort_studies(study_selectors.study_list(), "product")
