"""Every public list also answers ?format=csv and ?format=json with the same filters, both
streamed: the response starts at once and holds a few hundred rows at a time.

The two serve different readers. JSON is for programs: machine keys (``Column.name``) and
codes. CSV is for people, most of whom open it in Excel: UTF-8 with a byte order mark (without
it Excel reads the file as its local code page and "Still’s" or "≥65" come out garbled),
human column titles (``Column.title``) and labels rather than codes (``Column.text``). A column
can belong to one format only (``Column.formats``).
"""

import csv
import dataclasses
import io
from dataclasses import dataclass

from django.core.exceptions import BadRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse

FORMATS = ("html", "csv", "json")


def requested_format(request):
    """The format asked for: html (default), csv or json; any other value is a 400."""
    value = request.GET.get("format", "html")
    if value not in FORMATS:
        raise BadRequest("The format parameter must be csv or json (or left out for a web page).")
    return value


BOM = "\ufeff"  # UTF-8's byte order mark, b"\xef\xbb\xbf": Excel then reads the file as UTF-8


@dataclass(frozen=True)
class Column:
    name: str  # the JSON key
    value: object  # callable(row) -> str | list | number | date | None (JSON, and CSV by default)
    title: str = ""  # the CSV header (the name if left empty)
    text: object = None  # callable(row) -> the CSV cell, when it differs from the JSON value
    formats: tuple = ("csv", "json")

    @property
    def heading(self):
        return self.title or self.name

    @property
    def cell(self):
        return self.text or self.value


def csv_columns(columns):
    return [column for column in columns if "csv" in column.formats]


def json_columns(columns):
    return [column for column in columns if "json" in column.formats]


def _is_address(name):
    return name == "url" or name.endswith("_url")


def absolute_urls(request, columns):
    """``columns`` with the addresses of the ``url`` and ``*_url`` columns made absolute.

    An export is read away from the site (a spreadsheet, an e-mail), where a path such as
    /products/x/ leads nowhere: the address is completed with the request's scheme and host.
    """

    def absolute(value):
        def cell(row):
            address = value(row)
            if isinstance(address, list | tuple):
                return [request.build_absolute_uri(item) for item in address]
            return request.build_absolute_uri(address) if address else address

        return cell

    return [
        dataclasses.replace(
            column,
            value=absolute(column.value),
            text=column.text and absolute(column.text),
        )
        if _is_address(column.name)
        else column
        for column in columns
    ]


FORMULA_STARTS = frozenset("=+-@\t\r")


def csv_safe(text):
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


def _cell(value):
    kind = type(value)
    if kind is str:
        return csv_safe(value)
    if value is None:
        return ""
    if kind is list or kind is tuple:
        return csv_safe("; ".join(map(str, value)))
    return value


ROWS_PER_WRITE = 256  # rows sent as one piece: per-row pieces cost more than the rows


def csv_response(rows, columns, filename):
    """Stream rows as CSV for a spreadsheet: UTF-8 with a byte order mark, a header row of
    column titles, multi-valued cells joined with "; ", dates as ISO dates (2025-06-30).
    Memory stays flat."""
    columns = csv_columns(columns)

    def lines():
        buffer = io.StringIO()
        buffer.write(BOM)
        writer = csv.writer(buffer)
        writer.writerow([column.heading for column in columns])
        cells = [column.cell for column in columns]
        for count, row in enumerate(rows, start=1):
            if count % ROWS_PER_WRITE == 1:  # the header at once, then every ROWS_PER_WRITE
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
            writer.writerow([_cell(cell(row)) for cell in cells])
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_response(rows, columns, **meta):
    """Stream rows as one JSON object: ``meta``'s keys, ``results`` (a list of objects, one
    per row) and ``count`` (the number of results, written after them). Memory stays flat:
    rows are encoded ROWS_PER_WRITE at a time, whatever their number."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    columns = json_columns(columns)

    def pieces():
        head = encoder.encode(meta)[:-1]  # without its closing brace
        yield head + (', "results": [' if meta else '"results": [')
        count, batch = 0, []
        for row in rows:
            batch.append(encoder.encode({column.name: column.value(row) for column in columns}))
            count += 1
            if len(batch) == ROWS_PER_WRITE:
                yield ("," if count > ROWS_PER_WRITE else "") + ",".join(batch)
                batch = []
        if batch:
            yield ("," if count > len(batch) else "") + ",".join(batch)
        yield f'], "count": {count}}}'

    return StreamingHttpResponse(pieces(), content_type="application/json")


def export(request, rows, columns, filename, **meta):
    """The CSV or JSON response for ``rows``, or None when a web page was asked for."""
    fmt = requested_format(request)
    if fmt == "csv":
        return csv_response(rows, columns, filename)
    if fmt == "json":
        return json_response(rows, columns, **meta)
    return None
