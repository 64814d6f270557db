import pytest
from django.urls import reverse

from common.addresses import AddressPattern


@pytest.mark.parametrize(
    ("view_name", "kwargs"),
    [
        ("browse:product", {"slug": "lemtrada"}),
        ("browse:study", {"slug": "lemtrada", "study": "pass-1-registry"}),
        ("browse:concern", {"concern": "pml", "slug": "lemtrada"}),  # any order of names
    ],
)
def test_a_pattern_formats_what_reverse_gives(view_name, kwargs):
    pattern = AddressPattern(view_name, *kwargs)
    assert pattern(**kwargs) == reverse(view_name, kwargs=kwargs)
    other = {name: f"{value}-2" for name, value in kwargs.items()}
    assert pattern(**other) == reverse(view_name, kwargs=other)
