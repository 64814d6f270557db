"""build_facet: the values shown, their order and links, and how many more there are."""

from django.http import QueryDict

from common.facets import build_facet
from common.querystring import Query

COUNTS = {"a": 5, "b": 3, "c": 3, "d": 1, "e": 0}
LABELS = [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"), ("d", "Delta"), ("e", "Epsilon")]


def shown(facet):
    return [(value.label, value.count, value.selected) for value in facet.values]


def test_without_a_limit_every_value_with_a_count_shows_in_the_given_order():
    facet = build_facet(Query(QueryDict("region=EU")), "x", "Letter", {"d": 1, "a": 5}, LABELS)
    assert shown(facet) == [("Alpha", 5, False), ("Delta", 1, False)]
    assert facet.more == 0
    assert [value.url for value in facet.values] == ["?region=EU&x=a", "?region=EU&x=d"]


def test_a_limit_shows_the_most_frequent_values_ties_in_the_given_order():
    facet = build_facet(Query(QueryDict("")), "x", "Letter", COUNTS, reversed(LABELS), limit=2)
    assert shown(facet) == [("Alpha", 5, False), ("Gamma", 3, False)]
    assert facet.more == 2  # Beta and Delta; Epsilon has no count


def test_a_selected_value_outside_the_limit_stays_shown_with_its_remove_link():
    facet = build_facet(Query(QueryDict("x=d&page=3")), "x", "Letter", COUNTS, LABELS, limit=2)
    assert shown(facet) == [("Alpha", 5, False), ("Beta", 3, False), ("Delta", 1, True)]
    assert facet.values[-1].url == "?"  # removes the filter (and the page)
    assert facet.more == 1  # Gamma


def test_a_selected_value_inside_the_limit_takes_its_place():
    facet = build_facet(Query(QueryDict("x=b")), "x", "Letter", COUNTS, LABELS, limit=2)
    assert shown(facet) == [("Alpha", 5, False), ("Beta", 3, True)]
    assert facet.more == 2


def test_total_counts_the_values_a_query_left_out():
    top = {"a": 5, "b": 3}
    facet = build_facet(Query(QueryDict("")), "x", "Letter", top, LABELS[:2], limit=2, total=901)
    assert shown(facet) == [("Alpha", 5, False), ("Beta", 3, False)]
    assert facet.more == 899
