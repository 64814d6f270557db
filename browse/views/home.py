from django.shortcuts import render

from .. import selectors


def home(request):
    return render(
        request,
        "browse/home.html",
        {
            "stats": selectors.database_summary(),
            "recent_plans": selectors.recently_published_plans(limit=5),
            "overdue": selectors.overdue_milestones(limit=10),
        },
    )
