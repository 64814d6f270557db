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


def build_facet(query, param, title, counts, labels):
    """``counts``: {value: count}; ``labels``: [(value, label)] in display order."""
    facet = Facet(param, title)
    selected = query.get(param)
    for value, label in labels:
        count = counts.get(value, 0)
        if count or selected == str(value):
            facet.values.append(
                FacetValue(label, count, selected == str(value), toggle_url(query, param, value))
            )
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
