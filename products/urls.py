from django.urls import path

from . import views

app_name = "products"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("<slug:slug>/", views.product_detail, name="detail"),
    path("<slug:slug>/print/", views.product_print, name="print"),
    path("<slug:slug>/information/", views.product_information, name="information"),
    path("<slug:slug>/changes/", views.product_changes, name="changes"),
    path("<slug:slug>/versions/<str:version>/", views.product_version, name="version"),
]
