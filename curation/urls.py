from django.contrib import admin
from django.urls import path

from . import views

app_name = "curation"

urlpatterns = [
    path("plans/<int:pk>/", admin.site.admin_view(views.plan_trail), name="plan_trail"),
    path("plans/<int:pk>/csv/", admin.site.admin_view(views.plan_trail_csv), name="plan_trail_csv"),
]
