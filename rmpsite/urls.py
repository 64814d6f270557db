from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .admin_login import LoginForm

admin.site.site_header = "RMP Browser curation"
admin.site.site_title = "RMP Browser curation"
admin.site.index_title = "Curate products and risk management plans"
admin.site.login_form = LoginForm

handler400 = "rmpsite.views.bad_request"
handler404 = "rmpsite.views.page_not_found"
handler500 = "rmpsite.views.server_error"

urlpatterns = [
    path("", include("browse.urls")),
    path("admin/audit/", include("curation.urls")),
    path(
        "admin/products/product/<int:product_id>/information/",
        include("imports.pi_urls"),  # upload a product's information as a draft change
    ),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz_ready, name="healthz"),  # readiness, as it always answered
    path("healthz/live", views.healthz_live, name="healthz-live"),
    path("healthz/ready", views.healthz_ready, name="healthz-ready"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/", include("browse.api.urls")),
]
