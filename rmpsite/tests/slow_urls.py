"""The site's URLs and one public page whose query never ends on its own (tests only)."""

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path

from rmpsite.urls import handler400, handler404, handler500
from rmpsite.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]

# Counts to a billion: minutes on either database, unless the request's limit stops it.
ENDLESS = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1e9) "
    "SELECT COUNT(*) FROM n",
    "postgresql": "SELECT pg_sleep(600)",
}


def endless(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ENDLESS[connection.vendor])
        (count,) = cursor.fetchone()
    return HttpResponse(f"finished: {count}")


urlpatterns = [path("endless/", endless), *site_urlpatterns]
