from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from .. import selectors
from .filters import ProductFilter, StudyFilter
from .serializers import ProductDetailSerializer, ProductSummarySerializer, StudyListSerializer


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """Products with a published risk management plan (or product information only)."""

    lookup_field = "slug"
    filterset_class = ProductFilter

    def get_queryset(self):
        return selectors.public_products()

    def get_serializer_class(self):
        return ProductDetailSerializer if self.action == "retrieve" else ProductSummarySerializer

    def get_object(self):
        return selectors.product_detail(self.kwargs["slug"])


@extend_schema(description="Studies of the current published plans; filter by category or overdue.")
class StudyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StudyListSerializer
    filterset_class = StudyFilter

    def get_queryset(self):
        return selectors.current_studies().order_by("plan__product__name", "position", "id")
