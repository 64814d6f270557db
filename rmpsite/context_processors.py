from django.utils.functional import SimpleLazyObject

from audit.models import DataVersion


def data_version(request):
    """When the public data last changed: shown in every page footer (read only if shown).

    The public version (``DataVersion.public_changed_at``): a publication, a superseded
    version or a product record changed moves it, a draft saved does not. A worker keeps the
    version it read for a moment (``audit.versions``), so this is no query on most pages.
    """
    return {"data_version": SimpleLazyObject(lambda: DataVersion.recent().public_changed_at)}
