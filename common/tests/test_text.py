"""The one pluraliser, and the headings of the public lists that count with it."""

from common.text import counted


def test_counted_says_one_thing_or_many():
    assert counted(1, "studies") == "1 study"
    assert counted(0, "safety concerns") == "0 safety concerns"
    assert counted(2.5, "hours", "g") == "2.5 hours"


def test_the_lists_headings_separate_thousands():
    """At 15,000 products the headings read "19,903 studies", not "19903 studies"."""
    from browse.views.studies import heading

    assert heading(19903, ["overdue"]) == "19,903 studies · overdue"
    assert counted(15000, "products", ",") == "15,000 products"
    assert counted(1, "products", ",") == "1 product"
