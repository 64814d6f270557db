from django import template

from ..queues import review_queues

register = template.Library()


@register.simple_tag(takes_context=True)
def curation_queues(context):
    """The signed-in user's review queue and drafts (``curation.queues``) for the admin home."""
    return review_queues(context["request"].user)
