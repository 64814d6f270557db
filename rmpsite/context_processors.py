from django.utils.functional import SimpleLazyObject


def data_version(request):
    """When the published data last changed: shown in every page footer (queried only if used)."""

    def latest():
        from browse.selectors import last_publication

        return last_publication()

    return {"data_version": SimpleLazyObject(latest)}
