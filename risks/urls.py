from django.urls import path

from .views import concerns, home, search, studies

app_name = "risks"

urlpatterns = [
    path("", home.home, name="home"),
    path("risks/", concerns.concern_list, name="concerns"),
    path("compare/", concerns.compare, name="compare"),
    path("studies/", studies.study_list, name="studies"),
    path("search/", search.search, name="search"),
]
