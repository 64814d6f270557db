"""What a downloaded list says of itself: the About sheet of every list's .xlsx."""

from datetime import UTC

from django.utils import timezone

from audit.models import DataVersion

IGNORED_PARAMS = ("format", "page")


def export_about(request, shows):
    """(label, value) pairs for the .xlsx's About sheet: the page the rows came from, what
    they are (``shows``, the page's heading), the filters, the public data version (a draft
    saved never moves it) and the time of the export, in UTC."""
    filters = [
        f"{name} = {value}"
        for name, values in request.GET.lists()
        if name not in IGNORED_PARAMS
        for value in values
        if value
    ]
    query = request.GET.copy()
    for name in IGNORED_PARAMS:
        query.pop(name, None)
    page = request.build_absolute_uri(request.path)
    if query:
        page += "?" + query.urlencode()
    version = DataVersion.recent()
    changed = version.public_changed_at
    return [
        ("Page", page),
        ("Shows", shows),
        ("Filters", "; ".join(filters) or "none: every published row"),
        (
            "Data version",
            f"{version.public_counter}, published data as of "
            + (f"{changed.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if changed else "the start"),
        ),
        ("Exported", f"{timezone.now():%Y-%m-%d %H:%M:%S} UTC"),
        ("Contents", "Published data only: drafts and versions in review are never exported."),
    ]
