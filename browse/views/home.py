from django.shortcuts import render

from .. import selectors
from ..selectors import publications
from .following import milestones_feed, publications_feed
from .products import publication_changes_url

RECENT_PUBLICATIONS = 5


def home(request):
    recent = publications.publications(limit=RECENT_PUBLICATIONS)
    for publication in recent:
        publication.changes_url = publication_changes_url(publication)
    publications_link, milestones_link = publications_feed(request), milestones_feed(request)
    return render(
        request,
        "browse/home.html",
        {
            "stats": selectors.database_summary(),
            "recent_publications": recent,
            "overdue": selectors.overdue_milestones(limit=10),
            "feeds": [publications_link, milestones_link],
            "publications_feed": publications_link,
            "milestones_feed": milestones_link,
        },
    )
