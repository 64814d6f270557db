"""Facet counts beside each filter value, each with an add or remove link (Datasette style),
and the filters in force, each with its remove link. Every link comes from a ``Query``.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int
    selected: bool
    url: str  # adds the value, or removes it when selected
    at_least: bool = False  # more match than were counted: ``count`` is a floor


@dataclass
class Facet:
    param: str
    title: str
    values: list = field(default_factory=list)
    more: int = 0  # values with a count that are not shown (see build_facet's ``limit``)
    more_at_least: bool = False  # more values have a count than were counted: a floor


def build_facet(
    query, param, title, counts, labels, *, limit=None, total=None, selected_label=None, floors=()
):
    """The facet of ``param``: each value with a count, and the selected one, with its link.

    ``query``: the page's ``common.querystring.Query``; ``counts``: {value: count};
    ``labels``: [(value, label)] in display order.

    With ``limit``, the facet shows the ``limit`` values with the highest counts, most
    frequent first (ties keep the order of ``labels``), and the selected value wherever it
    ranks; ``facet.more`` says how many other values have a count. When ``counts`` and
    ``labels`` hold only the top values (a query with a LIMIT), ``total`` says how many
    values have a count in all, and ``selected_label`` labels the selected value if
    ``labels`` does not hold it: it stays shown, with no count, so that it can be removed.
    Without ``limit``, every value with a count is shown. ``floors``: the values whose count
    is a floor (more match than were counted).
    """
    facet = Facet(param, title)
    selected = query.get(param)
    labels = list(labels)
    if selected_label and selected is not None and selected not in {str(v) for v, _ in labels}:
        labels.append((selected, selected_label))
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
        url = query.toggled(param, value)
        facet.values.append(FacetValue(label, count, is_selected, url, value in floors))
    facet.more = max(total - sum(1 for value in facet.values if value.count), 0)
    return facet


@dataclass(frozen=True)
class ActiveFilter:
    label: str  # the field's label: "Region"
    value: str  # the value's label: "European Union"
    remove_url: str


def active_filters(query, form, params):
    """An ActiveFilter for each valid, non-empty filter of ``form`` in ``params``."""
    result = []
    data = form.cleaned_data if form.is_valid() else {}
    for param in params:
        value = data.get(param)
        if value in (None, ""):
            continue
        bound = form[param]
        choices = {str(key): label for key, label in getattr(bound.field, "choices", ())}
        shown = choices.get(str(value), value)
        result.append(ActiveFilter(bound.label, str(shown), query.without(param)))
    return result
