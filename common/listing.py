"""Helpers shared by the public list pages: validation messages and bounded pagination."""

from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404


def form_error_message(form):
    """One plain sentence from a bound form's errors (shown escaped on the 400 page)."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else "Input"
        parts.append(f"{label or name}: {' '.join(errors)}")
    return "This filter cannot be used. " + " ".join(parts)


def valid_filterset(filterset):
    """The filterset, or BadRequest with a readable message if the parameters are invalid."""
    if not filterset.is_valid():
        raise BadRequest(form_error_message(filterset.form))
    return filterset


def page_of(object_list, per_page, number):
    """Page ``number`` (already a whole number) of ``object_list``; past the end is a 404."""
    try:
        return Paginator(object_list, per_page).page(number)
    except EmptyPage:
        raise Http404("There is no such page.") from None


def paginate(request, object_list, per_page):
    """A page of ``object_list``; a malformed page number is a 400, a page past the end a 404."""
    number = request.GET.get("page") or 1
    try:
        return page_of(object_list, per_page, number)
    except PageNotAnInteger:
        raise BadRequest("The page number must be a whole number.") from None


def query_without(query, *params):
    """The query string without ``params`` (e.g. to build page links)."""
    query = query.copy()
    for param in params:
        query.pop(param, None)
    return query.urlencode()
