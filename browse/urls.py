"""The public site: every page regulatory staff browse (the JSON API is in browse.api.urls)."""

from django.urls import path

from . import feeds
from .views import concerns, home, plan_items, products, search, studies

app_name = "browse"

urlpatterns = [
    path("", home.home, name="home"),
    path("feeds/publications/", feeds.PublicationsFeed(), name="publications_feed"),
    path("feeds/studies/overdue/", feeds.OverdueMilestonesFeed(), name="milestones_feed"),
    path("risks/", concerns.concern_list, name="concerns"),
    path("risks/feed/", feeds.RiskFeed(), name="risk_feed"),
    path("compare/", concerns.compare, name="compare"),
    path("studies/", studies.study_list, name="studies"),
    path("search/", search.search, name="search"),
    path("products/", products.product_list, name="products"),
    path("products/<slug:slug>/", products.product_detail, name="product"),
    path("products/<slug:slug>/feed/", feeds.ProductFeed(), name="product_feed"),
    path("products/<slug:slug>/print/", products.product_print, name="product_print"),
    path(
        "products/<slug:slug>/information/",
        products.product_information,
        name="product_information",
    ),
    path("products/<slug:slug>/risks/<slug:concern>/", plan_items.concern_page, name="concern"),
    path("products/<slug:slug>/studies/<slug:study>/", plan_items.study_page, name="study"),
    path("products/<slug:slug>/changes/", products.product_changes, name="product_changes"),
    path(
        "products/<slug:slug>/versions/<str:version>/",
        products.product_version,
        name="product_version",
    ),
]
