"""The public search page: /search/?q=…&kind=…&page=… (and &format=csv|json)."""

import dataclasses

from django import forms
from django.core.exceptions import BadRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render

from common.exports import Column, csv_response, json_columns, requested_format, xlsx_response
from common.facets import build_facet
from common.listing import form_error_message, list_links, page_of
from common.querystring import Query
from common.text import counted

from .. import search as site_search
from ..selectors import terms as term_selectors
from .downloads import export_about

PER_PAGE = 20
FILTER_PARAMS = ["q", "kind"]

EXPORT_COLUMNS = [  # JSON keys, CSV titles
    Column("kind", lambda row: row.kind, "Kind"),
    Column("label", lambda row: row.label, "What it is", formats=("csv",)),
    Column("product", lambda row: row.product, "Product"),
    Column("title", lambda row: row.title, "Title"),
    Column("snippet", lambda row: row.snippet, "Extract"),
    Column("url", lambda row: row.url, "Address"),
]


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        required=False,
        widget=forms.SearchInput,
        max_length=site_search.MAX_LENGTH,
        error_messages={
            "max_length": (
                "Type at most %(limit_value)d characters (this search has %(show_value)d)."
            )
        },
    )
    kind = forms.ChoiceField(
        label="Only",
        required=False,
        choices=[("", "All kinds of result"), *site_search.Kind.choices],
        error_messages={
            "invalid_choice": "The kind must be one of: " + ", ".join(site_search.Kind.values) + "."
        },
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            "invalid": "The page must be a whole number.",
            "min_value": "The page must be 1 or more.",
        },
    )


def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        raise BadRequest(form_error_message(form))
    query = form.cleaned_data["q"]
    kind = form.cleaned_data["kind"] or None
    page_number = form.cleaned_data["page"] or 1
    terms = site_search.Terms(query)  # a 400 with a message if it asks too much

    fmt = requested_format(request)
    if fmt != "html":
        rows = _absolute_urls(request, site_search.all_results(terms, kind))
        if fmt == "csv":
            return csv_response(rows, EXPORT_COLUMNS, "search")
        if fmt == "xlsx":
            shows = _heading(query, kind, 0, None).replace("No results", "Results")
            return xlsx_response(
                rows,
                EXPORT_COLUMNS,
                "search",
                sheet="Search results",
                about=export_about(request, shows),
            )
        return json_stream_response(rows, EXPORT_COLUMNS, query=query, kind=kind)

    page = None
    if not query:
        groups = []
    elif kind:
        results = site_search.kind_results(terms, kind)
        page = page_of(results, PER_PAGE, page_number)
        groups = [
            site_search.Group(
                site_search.Kind(kind), page.paginator.count, page.object_list, more=results.more
            )
        ]
    elif page_number != 1:
        raise Http404  # all kinds fit on one page: each group shows its first results
    else:
        groups = site_search.grouped_results(terms, limit=PER_PAGE)

    total = sum(group.count for group in groups)
    more = any(group.more for group in groups)
    show_terms = query and kind in (None, site_search.Kind.CONCERNS.value)
    risk_terms = term_selectors.terms_matching(query) if show_terms else []
    params = Query.of_form(form)
    return render(
        request,
        "browse/search.html",
        {
            "form": form,
            "query": query,
            "search_query": query,
            "kind": site_search.Kind(kind) if kind else None,
            "groups": [(group, params.url(kind=group.kind.value)) for group in groups],
            "total": total,
            "page": page,
            "heading": _heading(query, kind, total, page, more=more),
            "facets": [kind_facet(params, groups)] if query else [],
            "full_text": terms.full_text,
            "risk_terms": risk_terms,
            "max_words": site_search.MAX_WORDS,
            "max_results": site_search.MAX_RESULTS,
            **list_links(params, form, FILTER_PARAMS, page),
        },
    )


def kind_facet(params, groups):
    """The results of each kind, counted, each with a link to them alone (or back to all)."""
    return build_facet(
        params,
        "kind",
        "Results by kind",
        {group.kind.value: group.count for group in groups},
        site_search.Kind.choices,
        floors={group.kind.value for group in groups if group.more},
    )


def _heading(query, kind, total, page, *, more=False):
    if not query:
        return "Search"
    if more:
        count = f"More than {total:,} results"
    elif total:
        count = counted(total, "results", ",")
    else:
        count = "No results"
    parts = [f"{count} for '{query}'"]
    if kind:
        parts.append(site_search.Kind(kind).label.lower())
    if page is not None and page.paginator.num_pages > 1:
        parts.append(f"page {page.number} of {page.paginator.num_pages}")
    return " · ".join(parts)


def _absolute_urls(request, results):
    for result in results:
        yield dataclasses.replace(result, url=request.build_absolute_uri(result.url))


def json_stream_response(rows, columns, **meta):
    """``{**meta, "results": [...], "count": n}``, written as the rows are read: memory stays
    flat whatever the number of rows (the count comes last, once they are all written)."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    columns = json_columns(columns)

    def pieces():
        head = encoder.encode(meta)
        yield head[:-1] + (", " if meta else "") + '"results": ['
        count = 0
        batch = []
        for count, row in enumerate(rows, start=1):
            item = encoder.encode({column.name: column.value(row) for column in columns})
            batch.append(item if count == 1 else ", " + item)
            if len(batch) == 256:
                yield "".join(batch)
                batch = []
        yield "".join(batch) + f'], "count": {count}}}'

    return StreamingHttpResponse(pieces(), content_type="application/json")
