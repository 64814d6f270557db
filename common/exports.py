"""Every public list also answers ?format=csv and ?format=json with the same filters, both
streamed: the response starts at once and holds a few hundred rows at a time."""

import csv
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


@dataclass(frozen=True)
class Column:
    name: str
    value: object  # callable(row) -> str | list | number | None


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
        Column(column.name, absolute(column.value)) if _is_address(column.name) else column
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
    """Stream rows as CSV; multi-valued cells are joined with "; ". Memory stays flat."""

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([column.name for column in columns])
        for count, row in enumerate(rows, start=1):
            if count % ROWS_PER_WRITE == 1:  # the header at once, then every ROWS_PER_WRITE
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
            writer.writerow([_cell(column.value(row)) for column in columns])
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_response(rows, columns, **meta):
    """Stream rows as one JSON object: ``meta``'s keys, ``results`` (a list of objects, one
    per row) and ``count`` (the number of results, written after them). Memory stays flat:
    rows are encoded ROWS_PER_WRITE at a time, whatever their number."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)

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
