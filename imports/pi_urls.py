"""The product-information upload of a product, in the admin: upload, preview, confirm."""

from django.contrib import admin
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from . import pi_views

app_name = "product_information"

urlpatterns = [
    # The upload view checks the CSRF token itself, after setting the upload size limit.
    path("", admin.site.admin_view(csrf_exempt(pi_views.upload)), name="upload"),
    path("confirm/", admin.site.admin_view(pi_views.confirm), name="confirm"),
]
