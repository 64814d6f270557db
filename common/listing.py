"""Helpers shared by the public list pages: validation messages, bounded pagination, and the
links that the list partials (templates/_partials/) show."""

from dataclasses import dataclass

from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404

from .facets import active_filters


def form_error_message(*forms):
    """The sentence a reader is shown for the errors of bound forms (or FilterSets' forms).

    Each field's messages follow its label ("Region: Select a valid choice. …"), so that a
    reader knows which value to change, whichever page or form the errors come from; a
    hidden field's label means nothing to a reader, so its messages stand alone, as do
    messages about several fields. A message repeated by several fields is given once.
    """
    parts = []
    for form in forms:
        for name, errors in form.errors.items():
            text = " ".join(errors)
            if name in form.fields and not form[name].is_hidden:
                text = f"{form[name].label}: {text}"
            if text not in parts:
                parts.append(text)
    return " ".join(parts)


def valid_filterset(filterset, *forms):
    """The filterset, or BadRequest with a readable message if the parameters are invalid.

    ``forms``: other forms validated with the filters (the page number), whose errors are
    reported in the same message.
    """
    valid = [filterset.is_valid(), *(form.is_valid() for form in forms)]
    if not all(valid):
        raise BadRequest(form_error_message(filterset.form, *forms))
    return filterset


def page_of(object_list, per_page, number, count=None):
    """Page ``number`` (already a whole number) of ``object_list``; past the end is a 404.

    ``count``: the number of items when known already (counted from the read model), so
    that the paginator does not count them again."""
    paginator = Paginator(object_list, per_page)
    if count is not None:
        paginator.count = count  # a cached property: given, it is not computed
    try:
        return paginator.page(number)
    except EmptyPage:
        raise Http404("There is no such page.") from None


def paginate(request, object_list, per_page, count=None):
    """A page of ``object_list``; a malformed page number is a 400, a page past the end a 404."""
    number = request.GET.get("page") or 1
    try:
        return page_of(object_list, per_page, number, count)
    except PageNotAnInteger:
        raise BadRequest("The page number must be a whole number.") from None


@dataclass(frozen=True)
class Pagination:
    """What _partials/_pagination.html shows: previous and next, and links to nearby pages.

    ``links``: (number, url) for the first and last pages and those near this one; the
    current page has no url, and "…" (no url) stands for the pages left out, so that a list
    shows a few links however many pages it has.
    """

    page: object
    previous_url: str | None
    next_url: str | None
    links: list


def pagination(query, page):
    paginator = page.paginator
    links = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        linked = number not in (page.number, paginator.ELLIPSIS)
        links.append((number, query.url(page=number) if linked else None))
    return Pagination(
        page,
        query.url(page=page.previous_page_number()) if page.has_previous() else None,
        query.url(page=page.next_page_number()) if page.has_next() else None,
        links,
    )


def list_links(query, form, filter_params, page=None):
    """The context of the list partials: every link made from ``query`` the same way.

    ``filter_params``: the parameters of ``form`` shown as active filters, in that order;
    "clear all filters" removes them all and keeps the others (the sort order).
    """
    return {
        "active_filters": active_filters(query, form, filter_params),
        "clear_filters_url": query.without(*filter_params),
        "pagination": pagination(query, page) if page is not None else None,
        "csv_url": query.url(format="csv"),
        "xlsx_url": query.url(format="xlsx"),
        "json_url": query.url(format="json"),
    }


# The text filter (``q``) of a list: its cost grows with each word, so the words are capped.
MAX_TEXT_WORDS = 8
MIN_WORD_LENGTH = 2
MAX_TEXT_LENGTH = 200


def validate_text_terms(value):
    """Refuse a text filter with too many words, a word too short, or too long in all.

    A ``ValidationError`` whose message says the limit (the list answers 400 with it); the
    typed text is never part of the message.
    """
    words = value.split()
    if len(value) > MAX_TEXT_LENGTH:
        raise ValidationError(
            "Type at most %(limit)d characters (this text has %(count)d).",
            code="text_too_long",
            params={"limit": MAX_TEXT_LENGTH, "count": len(value)},
        )
    if len(words) > MAX_TEXT_WORDS:
        raise ValidationError(
            "Type at most %(limit)d words (this text has %(count)d).",
            code="too_many_words",
            params={"limit": MAX_TEXT_WORDS, "count": len(words)},
        )
    short = [word for word in words if len(word) < MIN_WORD_LENGTH]
    if short:
        raise ValidationError(
            "Each word needs at least %(limit)d characters; leave out single letters.",
            code="word_too_short",
            params={"limit": MIN_WORD_LENGTH},
        )
