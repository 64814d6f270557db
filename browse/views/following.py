"""The Atom feeds a page offers: announced in its ``<head>`` and linked as "Follow (Atom)"."""

from django.urls import reverse

from common.querystring import Query


def feed(request, title, view_name, *args, **params):
    """A feed for a template: its title and absolute address (``params`` as its query)."""
    url = reverse(view_name, args=args)
    if params:
        url += "?" + Query(params).encoded()
    return {"title": title, "url": request.build_absolute_uri(url)}


def publications_feed(request):
    return feed(request, "Plans published", "browse:publications_feed")


def milestones_feed(request):
    return feed(request, "Study milestones overdue or newly due", "browse:milestones_feed")


def product_feed(request, product):
    return feed(
        request, f"{product.name}: plan versions published", "browse:product_feed", product.slug
    )


def risk_feed(request, group, name):
    return feed(
        request,
        f"{name}: publications of products listing it",
        "browse:risk_feed",
        group=group,
    )
