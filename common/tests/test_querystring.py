"""Query: every link of a list page is its valid query with one parameter changed."""

import datetime

from django import forms

from common.querystring import Query


class Thing:
    def __init__(self, slug):
        self.slug = slug


class ThingField(forms.CharField):
    """Cleans to an object, spelt in addresses by its slug."""

    def clean(self, value):
        text = super().clean(value)
        return Thing(text.lower()) if text else None

    def param_value(self, thing):
        return thing.slug


class ListForm(forms.Form):
    q = forms.CharField(required=False)
    thing = ThingField(required=False)
    after = forms.DateField(required=False)
    kind = forms.TypedChoiceField(required=False, choices=[(1, "One"), (2, "Two")], coerce=int)
    page = forms.IntegerField(required=False)


def test_of_form_keeps_the_valid_values_as_addresses_spell_them_in_declared_order():
    form = ListForm({"kind": "2", "junk": "x", "page": "3", "after": "2024-9-30", "thing": "AbC"})
    query = Query.of_form(form)
    assert query.params == {"thing": "abc", "after": "2024-09-30", "kind": "2"}
    assert query.url() == "?thing=abc&after=2024-09-30&kind=2"


def test_changes_take_the_declared_place_and_the_page_and_format_come_last():
    query = Query.of_form(ListForm({"kind": "1", "after": "2024-01-01"}))
    assert query.url(page=2, q="a b") == "?q=a+b&after=2024-01-01&kind=1&page=2"
    assert query.url(format="csv") == "?after=2024-01-01&kind=1&format=csv"
    assert query.without("kind", "after") == "?"
    assert query.encoded(kind=None) == "after=2024-01-01"


def test_toggled_adds_a_value_or_removes_it_when_in_force():
    query = Query({"region": "EU", "page": "4"}, order=["q", "region", "status"])
    assert query.params == {"region": "EU"}  # the page is never carried
    assert query.toggled("status", "authorised") == "?region=EU&status=authorised"
    assert query.toggled("region", "EU") == "?"
    assert query.toggled("region", "US") == "?region=US"


def test_an_invalid_form_gives_an_empty_query():
    assert Query.of_form(ListForm({"kind": "9", "q": "x"})).params == {}


def test_items_gives_the_named_parameters_in_force():
    query = Query({"a": "1", "b": "", "c": datetime.date(2024, 1, 1)})
    assert query.items("c", "b", "a") == [("c", "2024-01-01"), ("a", "1")]
