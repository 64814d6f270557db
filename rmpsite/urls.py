from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

admin.site.site_header = "RMP Browser curation"
admin.site.site_title = "RMP Browser curation"
admin.site.index_title = "Curate products and risk management plans"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="api:api-root", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/", include("risks.api.urls")),
]
