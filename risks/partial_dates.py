"""Due dates as RMPs write them: "Q3 2024", "2031", "March 2025", "within 6 months of LPLV".

A partial date is normalised to the *last* day of the period it names, so a
milestone due "Q3 2024" is overdue from 1 October 2024, and milestones sort by
that date. Dates tied to an event have no calendar date.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    HALF_YEAR = "half", "Half-year"
    YEAR = "year", "Year"
    EVENT = "event", "Relative to an event (no calendar date)"


@dataclass(frozen=True)
class PartialDate:
    date: datetime.date | None
    precision: DatePrecision


MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS["sept"] = 9

_YEAR = r"(?P<year>(19|20)\d\d)"
_PATTERNS = [
    (DatePrecision.DAY, rf"^{_YEAR}-(?P<month>\d\d)-(?P<day>\d\d)$"),
    (DatePrecision.DAY, rf"^(?P<day>\d{{1,2}})[/.](?P<month>\d{{1,2}})[/.]{_YEAR}$"),
    (DatePrecision.DAY, rf"^(?P<day>\d{{1,2}})(st|nd|rd|th)? (?P<month_name>[a-z]+)\.? {_YEAR}$"),
    (DatePrecision.DAY, rf"^(?P<month_name>[a-z]+)\.? (?P<day>\d{{1,2}}),? {_YEAR}$"),
    (DatePrecision.MONTH, rf"^(?P<month_name>[a-z]+)\.?,? {_YEAR}$"),
    (DatePrecision.MONTH, rf"^(?P<month>\d{{1,2}})[/.-]{_YEAR}$"),
    (DatePrecision.MONTH, rf"^{_YEAR}-(?P<month>\d\d)$"),
    (DatePrecision.QUARTER, rf"^(q|quarter )(?P<quarter>[1-4])[ /-]*{_YEAR}$"),
    (DatePrecision.QUARTER, rf"^(?P<quarter>[1-4])(st|nd|rd|th)? ?(q|quarter)[ /-]*(of )?{_YEAR}$"),
    (DatePrecision.HALF_YEAR, rf"^(h|half |semester )(?P<half>[12])[ /-]*{_YEAR}$"),
    (DatePrecision.HALF_YEAR, rf"^(?P<half>[12])(st|nd)? ?(h|half)[ /-]*(of )?{_YEAR}$"),
    (DatePrecision.YEAR, rf"^(end of |by )?{_YEAR}$"),
]
_COMPILED = [(precision, re.compile(pattern)) for precision, pattern in _PATTERNS]


def _last_day(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _to_date(precision, parts):
    year = int(parts["year"])
    if precision == DatePrecision.YEAR:
        return datetime.date(year, 12, 31)
    if precision == DatePrecision.HALF_YEAR:
        return _last_day(year, 6 * int(parts["half"]))
    if precision == DatePrecision.QUARTER:
        return _last_day(year, 3 * int(parts["quarter"]))
    month = parts.get("month")
    month = int(month) if month else MONTHS[parts["month_name"]]
    if precision == DatePrecision.MONTH:
        return _last_day(year, month)
    return datetime.date(year, month, int(parts["day"]))


def parse_due(text):
    """Normalise a due date as written; raise ValueError on an empty or impossible date.

    Text that names no calendar period ("within 6 months of LPLV", "at study end")
    is a date relative to an event: it keeps no calendar date.
    """
    cleaned = " ".join((text or "").split()).strip(" .;:").lower()
    if not cleaned:
        raise ValueError("Write the due date as the document gives it, e.g. “Q3 2024” or “2031”.")
    for precision, pattern in _COMPILED:
        match = pattern.match(cleaned)
        if match and match.groupdict().get("month_name", "jan") in MONTHS:
            try:
                return PartialDate(_to_date(precision, match.groupdict()), precision)
            except ValueError:
                raise ValueError(f"“{text}” is not a real date.") from None
    if re.fullmatch(r"[\d\s/.\-]+", cleaned):
        raise ValueError(f"“{text}” is not a date this application understands.")
    return PartialDate(None, DatePrecision.EVENT)
