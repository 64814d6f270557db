import re

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from .. import selectors
from .errors import INVALID_PARAMETERS, NOT_FOUND
from .filters import ProductFilter, StudyFilter
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
    filterset_class = ProductFilter

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
@extend_schema(description="Studies of the current published plans; filter by category or overdue.")
class StudyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StudyListSerializer
    filterset_class = StudyFilter

    def get_queryset(self):
        return selectors.current_studies().order_by("plan__product__name", "position", "id")
