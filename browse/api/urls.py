from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import ProductViewSet, StudyViewSet

app_name = "api"

router = DefaultRouter()
router.register("products", ProductViewSet, basename="product")
router.register("studies", StudyViewSet, basename="study")

urlpatterns = [path("v1/", include(router.urls))]
