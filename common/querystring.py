"""The one way pages write their links: the current query with a parameter set or removed.

A list page's links (facet values, the "remove" link of each active filter, pages, sort
orders, downloads) are all its current query with one thing changed. ``Query.of_form`` reads
that query from the page's bound form (a FilterSet's ``form``) rather than from the raw
address: it holds only the parameters the form validated, spelt as an address spells them
(a product typed by name becomes its slug, a date ISO 8601), in the order the form declares
its fields. So one set of filters has one address whatever order or spelling was typed (the
page cache keeps one copy), and parameters the page does not read are not carried on from
link to link.
"""

from django.utils.http import urlencode

# Parameters that belong to one link and are never carried to the next: a link that changes
# the filters starts again on the first page, and a download link is not a page's address.
TRANSIENT = ("page", "format")


def param_value(field, value):
    """A cleaned value as an address spells it.

    A form field whose cleaned value is an object (a product) says how to spell it with a
    ``param_value(value)`` method; dates are ISO 8601; anything else is its text.
    """
    if hasattr(field, "param_value"):
        return field.param_value(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class Query:
    """The parameters in force on a page, and the links that change them.

    ``params`` maps names to values; empty values and ``TRANSIENT`` parameters are left out.
    Links list the parameters in ``order`` (then any others, then the page and the format).
    """

    def __init__(self, params=None, order=()):
        params = params or {}
        self.params = {
            name: str(value)
            for name, value in params.items()
            if value not in (None, "") and name not in TRANSIENT
        }
        self.order = [*order, *(name for name in self.params if name not in order)]

    @classmethod
    def of_form(cls, form):
        """The valid parameters of a bound form, in the order it declares its fields."""
        data = form.cleaned_data if form.is_valid() else {}
        params = {
            name: param_value(field, data[name])
            for name, field in form.fields.items()
            if data.get(name) not in (None, "")
        }
        return cls(params, order=list(form.fields))

    def get(self, name, default=None):
        return self.params.get(name, default)

    def encoded(self, **changes):
        """This query with ``changes`` (None removes a parameter), URL-encoded, without "?"."""
        params = {**self.params, **changes}
        items = [(name, str(value)) for name, value in params.items() if value not in (None, "")]
        return urlencode(sorted(items, key=lambda item: self._rank(item[0])))

    def _rank(self, name):
        if name in TRANSIENT:
            return len(self.order) + 1 + TRANSIENT.index(name)
        return self.order.index(name) if name in self.order else len(self.order)

    def url(self, **changes):
        """The link to this page with ``changes``: "?a=1&b=2", or "?" for no parameter."""
        return "?" + self.encoded(**changes)

    def toggled(self, name, value):
        """The link of a filter value: adds ``name=value``, or removes it when it is in force."""
        value = str(value)
        return self.url(**{name: None if self.get(name) == value else value})

    def without(self, *names):
        """The link to this page without the parameters ``names``."""
        return self.url(**dict.fromkeys(names))

    def items(self, *names):
        """(name, value) of the parameters ``names`` in force, e.g. for hidden form inputs."""
        return [(name, self.params[name]) for name in names if name in self.params]
