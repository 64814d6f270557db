import datetime

import pytest

from risks.partial_dates import DatePrecision, parse_due


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("Q3 2024", datetime.date(2024, 9, 30), DatePrecision.QUARTER),
        ("q1/2025", datetime.date(2025, 3, 31), DatePrecision.QUARTER),
        ("4Q 2026", datetime.date(2026, 12, 31), DatePrecision.QUARTER),
        ("2031", datetime.date(2031, 12, 31), DatePrecision.YEAR),
        ("end of 2027", datetime.date(2027, 12, 31), DatePrecision.YEAR),
        ("H1 2025", datetime.date(2025, 6, 30), DatePrecision.HALF_YEAR),
        ("March 2025", datetime.date(2025, 3, 31), DatePrecision.MONTH),
        ("Feb 2024", datetime.date(2024, 2, 29), DatePrecision.MONTH),
        ("06/2027", datetime.date(2027, 6, 30), DatePrecision.MONTH),
        ("2025-11", datetime.date(2025, 11, 30), DatePrecision.MONTH),
        ("31 March 2025", datetime.date(2025, 3, 31), DatePrecision.DAY),
        ("2025-03-15", datetime.date(2025, 3, 15), DatePrecision.DAY),
        ("15/03/2025", datetime.date(2025, 3, 15), DatePrecision.DAY),
        ("within 6 months of LPLV", None, DatePrecision.EVENT),
        ("At study end", None, DatePrecision.EVENT),
    ],
)
def test_due_dates_as_written_are_normalised_to_the_end_of_their_period(text, date, precision):
    parsed = parse_due(text)
    assert (parsed.date, parsed.precision) == (date, precision)


@pytest.mark.parametrize("text", ["", "   ", "31/02/2024", "2024-13-01", "13/2025", "12.34"])
def test_impossible_or_empty_due_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_due(text)
