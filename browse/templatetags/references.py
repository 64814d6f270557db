"""The links of cited product-information sections, as the risk page lists them.

A plan lists hundreds of references; one tag per reference renders them much faster than the
equivalent template branches. Each takes a reference as ``resolve_reference``
(browse/views/products.py) describes it: label, title, url, external, note.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


def _titled(ref):
    return format_html("{} {}", ref["label"], ref["title"]) if ref["title"] else ref["label"]


@register.simple_tag
def reference_link(ref):
    """A reference after a routine measure's text: label and title, and where it leads."""
    if ref["external"]:
        return format_html(
            '<a class="cite external" rel="external noopener" href="{}">{} – {}</a>',
            ref["url"],
            _titled(ref),
            ref["note"],
        )
    if ref["url"]:
        return format_html(
            '<a class="cite" href="{}">{} {}</a>', ref["url"], ref["label"], ref["title"]
        )
    return format_html('{} <span class="muted">({})</span>', _titled(ref), ref["note"])


@register.simple_tag
def cited_section(ref):
    """A section in the overview table's column of sections cited: the label, linked."""
    if ref["external"]:
        link = format_html(
            '<a class="cite external" rel="external noopener" href="{url}" '
            'title="{title} – {note}" aria-label="{label} – {note}">{label}</a>',
            url=ref["url"],
            title=ref["title"],
            note=ref["note"],
            label=ref["label"],
        )
    elif ref["url"]:
        link = format_html('<a href="{}" title="{}">{}</a>', ref["url"], ref["title"], ref["label"])
    else:
        link = ref["label"]
    return format_html('<span class="cited">{}</span>', link)
