"""Facet counts beside each filter value, each with an add or remove link (Datasette style)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    param: str
    title: str
    values: list = field(default_factory=list)
    more: int = 0  # values with a count that are not shown (see build_facet's ``limit``)


def toggle_url(query, param, value):
    """The current query with ``param=value`` added, or removed when already selected."""
    query = query.copy()
    query.pop("page", None)
    if query.get(param) == str(value):
        query.pop(param)
    else:
        query[param] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def build_facet(query, param, title, counts, labels, *, limit=None, total=None):
    """The facet of ``param``: each value with a count, and the selected one, with its link.

    ``counts``: {value: count}; ``labels``: [(value, label)] in display order.

    With ``limit``, the facet shows the ``limit`` values with the highest counts, most
    frequent first (ties keep the order of ``labels``), and the selected value wherever it
    ranks; ``facet.more`` says how many other values have a count. When ``counts`` and
    ``labels`` hold only the top values (a query with a LIMIT), ``total`` says how many
    values have a count in all. Without ``limit``, every value with a count is shown.
    """
    facet = Facet(param, title)
    selected = query.get(param)
    candidates = [
        (value, label, counts.get(value, 0), selected == str(value)) for value, label in labels
    ]
    candidates = [item for item in candidates if item[2] or item[3]]
    if total is None:
        total = sum(1 for item in candidates if item[2])
    if limit is not None:
        candidates.sort(key=lambda item: -item[2])
        candidates = [item for rank, item in enumerate(candidates) if rank < limit or item[3]]
    for value, label, count, is_selected in candidates:
        facet.values.append(FacetValue(label, count, is_selected, toggle_url(query, param, value)))
    facet.more = max(total - sum(1 for value in facet.values if value.count), 0)
    return facet


def active_filters(query, form, params):
    """[(label, value label, remove url)] for each valid, non-empty filter in ``params``."""
    result = []
    for param in params:
        value = form.cleaned_data.get(param) if form.is_valid() else None
        if value in (None, ""):
            continue
        bound = form[param]
        choices = dict(getattr(bound.field, "choices", []) or [])
        shown = choices.get(value, choices.get(str(value), value))
        result.append((bound.label, shown, toggle_url(query, param, query.get(param))))
    return result
