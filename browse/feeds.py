"""Atom feeds of the published data (Django's syndication framework).

- ``/feeds/publications/``: every publication of a plan version;
- ``/products/<slug>/feed/``: one product's publications;
- ``/risks/feed/?group=<key>``: publications of the products listing a safety concern of one
  group of the /risks/ page (the same ``group`` parameter as the page);
- ``/feeds/studies/overdue/``: study milestones overdue or due within 30 days.

A publication's entry says what changed (the "In short" line of the public changes page)
and links to that page, comparing the version with the one before it. Entry ids are tag
URIs made of the version's (or milestone's) permanent address and a date of its own, so an
entry keeps its id across renders; ``updated`` is the publication time. Feeds read published
data only (``browse.selectors.publications``) and, like every public page, are cached and
validated against the public data version by ``rmpsite.page_cache``.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django import forms
from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify

from common.listing import form_error_message
from common.querystring import Query

from .selectors import public_products
from .selectors import publications as selectors
from .views.products import publication_changes_url, version_url

ENTRIES = 20  # publications per feed
MILESTONES = 50


def tag_uri(url, day, fragment=""):
    """A tag URI (RFC 4151) of an absolute address and a date: the entry's lasting id.

    "tag:example.org,2025-06-30:/products/x/versions/2/" (``fragment`` after a "#").
    """
    bits = urlsplit(url)
    return f"tag:{bits.hostname},{day:%Y-%m-%d}:{bits.path}" + (f"#{fragment}" if fragment else "")


@dataclass(frozen=True)
class Entry:
    title: str
    link: str  # absolute
    description: str  # HTML
    id: str
    updated: datetime


@dataclass(frozen=True)
class Channel:
    title: str
    link: str  # the page the feed follows, absolute
    subtitle: str
    entries: list
    query: str = ""  # the feed's own query string (what it reads), for its self link


def publication_entry(request, publication, note=""):
    """The entry of one publication: what changed, linking to the changes page (``note``: a
    first paragraph, text)."""
    plan, product, previous = publication.plan, publication.product, publication.previous
    link = request.build_absolute_uri(publication_changes_url(publication))
    # The version's own page; for a label that cannot be part of an address, the product's
    # page and the version's id.
    permanent = version_url(product, plan)
    fragment = "" if permanent else f"version-{plan.pk}"
    dated = f", dated {plan.date:%-d %B %Y}" if plan.date else ""
    description = format_html(
        '{}<p>{}</p><p>{} {}{}, published here {} UTC{}.</p><p><a href="{}">{}</a></p>',
        format_html("<p>{}</p>", note) if note else "",
        publication.summary_text,
        product.name,
        f"plan version {plan.version}",
        dated,
        f"{plan.published_at:%-d %B %Y %H:%M}",
        f"; compared with version {previous.version}" if previous else "",
        link,
        "What changed" if previous else "Version history",
    )
    return Entry(
        title=f"{product.name}: plan version {plan.version} published",
        link=link,
        description=description,
        id=tag_uri(
            request.build_absolute_uri(permanent or product.get_absolute_url()),
            plan.published_at,
            fragment,
        ),
        updated=plan.published_at,
    )


def milestone_entry(request, milestone):
    study = milestone.study
    product = study.plan.product
    link = request.build_absolute_uri(study.get_absolute_url())
    due = milestone.due_date
    if milestone.state == "overdue":
        state = f"overdue since {due:%-d %B %Y}"
    else:
        state = f"due on {due:%-d %B %Y}"
    description = format_html(
        "<p>{}: {} ({}).</p><ul>{}</ul>",
        milestone.description,
        milestone.due,
        state,
        format_html_join(
            "",
            "<li>{}</li>",
            [
                (f"Product: {product.name}",),
                (f"Study: {study.name}",),
                (f"Category: {study.get_category_display()}",),
                (f"Status: {study.get_status_display()}",),
                (f"Plan version {study.plan.version}",),
            ],
        ),
    )
    # The study's permanent address, the milestone's words, due date and state: the same
    # entry in every version of the plan that keeps the milestone, a new one when it moves.
    state_key = milestone.state.replace(" ", "-")
    fragment = f"{slugify(milestone.description)}-{due:%Y%m%d}-{state_key}"
    return Entry(
        title=f"{milestone.state.capitalize()}: {product.name}, {study.name}: "
        f"{milestone.description}, due {milestone.due}",
        link=link,
        description=description,
        id=tag_uri(link, due, fragment),
        updated=milestone.since,
    )


class EntriesFeed(Feed):
    """An Atom feed of ``Channel.entries``: every entry is built by ``get_object``, which
    has the request (a Feed instance serves every request, so it keeps none)."""

    feed_type = Atom1Feed
    author_name = "RMP Browser"

    def channel(self, request, *args, **kwargs):
        raise NotImplementedError

    def get_object(self, request, *args, **kwargs):
        channel = self.channel(request, *args, **kwargs)
        # The feed's own address: its path and the parameters it reads, no others (a cached
        # feed is shared by every address that differs only in parameters it does not read).
        address = request.build_absolute_uri(request.path)
        return channel, f"{address}?{channel.query}" if channel.query else address

    def title(self, obj):
        return obj[0].title

    def link(self, obj):
        return obj[0].link

    def subtitle(self, obj):
        return obj[0].subtitle

    def feed_url(self, obj):
        return obj[1]

    def feed_guid(self, obj):
        return obj[1]

    def items(self, obj):
        return obj[0].entries

    def item_title(self, item):
        return item.title  # Atom titles are text: the writer escapes them

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        return item.id

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.updated

    def item_pubdate(self, item):
        return item.updated


class PublicationsFeed(EntriesFeed):
    def channel(self, request):
        return Channel(
            title="RMP Browser: risk management plans published",
            link=request.build_absolute_uri(reverse("browse:home")),
            subtitle="Each plan version published here, with what changed from the one before.",
            entries=[
                publication_entry(request, publication)
                for publication in selectors.publications(limit=ENTRIES)
            ],
        )


class ProductFeed(EntriesFeed):
    def channel(self, request, slug):
        product = get_object_or_404(public_products().prefetch_related(None), slug=slug)
        return Channel(
            title=f"{product.name}: risk management plan versions published",
            link=request.build_absolute_uri(product.get_absolute_url()),
            subtitle=f"Each version of {product.name}'s plan published here, with what changed.",
            entries=[
                publication_entry(request, publication)
                for publication in selectors.publications(limit=ENTRIES, product=product)
            ],
        )


class GroupForm(forms.Form):
    group = forms.CharField(
        max_length=400,
        error_messages={
            "required": "Name a group of safety concerns, as the /risks/ page links it: ?group=…",
            "max_length": "A group has at most %(limit_value)d characters.",
        },
    )


class RiskFeed(EntriesFeed):
    def channel(self, request):
        form = GroupForm(request.GET)
        if not form.is_valid():
            raise BadRequest(form_error_message(form))
        group = form.cleaned_data["group"]
        name = selectors.group_name(group)
        if name is None:
            raise Http404("No published safety concern is in this group.")
        listed = selectors.group_listings(group)
        query = Query({"group": group}).encoded()
        page = reverse("browse:concerns") + "?" + query
        return Channel(
            title=f"{name}: publications of the products listing this safety concern",
            link=request.build_absolute_uri(page),
            subtitle=f"Each plan version published of a product listing {name}, with what changed.",
            entries=[
                publication_entry(request, publication, listed.get(publication.product.pk, ""))
                for publication in selectors.publications(limit=ENTRIES, group=group)
            ],
            query=query,
        )


class OverdueMilestonesFeed(EntriesFeed):
    def channel(self, request):
        return Channel(
            title="RMP Browser: study milestones overdue or newly due",
            link=request.build_absolute_uri(reverse("browse:studies") + "?overdue=true"),
            subtitle="Milestones of the current plans' studies that are overdue, or due within "
            f"{selectors.SOON.days} days, with no report recorded.",
            entries=[
                milestone_entry(request, milestone)
                for milestone in selectors.due_milestones(limit=MILESTONES)
            ],
        )
