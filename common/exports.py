"""Every public list also answers ?format=csv, ?format=xlsx and ?format=json with the same
filters. CSV and JSON are streamed: the response starts at once and holds a few hundred rows
at a time. The .xlsx is written row by row to a temporary file (XlsxWriter's constant-memory
mode keeps one row in memory) and that file is streamed out.

The two serve different readers. JSON is for programs: machine keys (``Column.name``) and
codes. CSV is for people, most of whom open it in Excel: UTF-8 with a byte order mark (without
it Excel reads the file as its local code page and "Still’s" or "≥65" come out garbled),
human column titles (``Column.title``) and labels rather than codes (``Column.text``). A column
can belong to one format only (``Column.formats``). The .xlsx has the CSV's columns, with real
dates (typed cells shown as 2025-06-30), the header row frozen, and a second sheet, "About",
saying which page, filters and data version the rows came from.
"""

import csv
import dataclasses
import datetime
import io
import tempfile
from dataclasses import dataclass

import xlsxwriter
from django.core.exceptions import BadRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, StreamingHttpResponse

FORMATS = ("html", "csv", "xlsx", "json")


def requested_format(request):
    """The format asked for: html (default), csv, xlsx or json; any other value is a 400."""
    value = request.GET.get("format", "html")
    if value not in FORMATS:
        raise BadRequest(
            "The format parameter must be csv, xlsx or json (or left out for a web page)."
        )
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
    """The columns of the CSV, and of the .xlsx (the same table for people)."""
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
    if kind is datetime.datetime:  # a moment, in UTC to the second: 2025-06-30 14:05:09
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
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


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_CHARS = 32767  # what an Excel cell holds
XLSX_MAX_LINK = 255  # characters of a HYPERLINK formula's address
WIDTH_MIN, WIDTH_MAX = 8, 60  # column widths, in characters


def _width(value):
    if isinstance(value, datetime.date):
        return 10
    return min(len(str(value)), WIDTH_MAX)


def _linkable(address):
    """An address Excel can hold as a link: http(s), at most XLSX_MAX_LINK characters."""
    return address.startswith(("http://", "https://")) and len(address) <= XLSX_MAX_LINK


def _sheet_name(title):
    """An Excel sheet name: at most 31 characters, none of []:*?/\\."""
    name = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    return name[:31] or "Rows"


def _write_xlsx(output, rows, columns, sheet, about):
    book = xlsxwriter.Workbook(
        output,
        {"constant_memory": True, "remove_timezone": True, "strings_to_urls": False},
    )
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    time_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    link_format = book.add_format({"font_color": "blue", "underline": 1})
    table = book.add_worksheet(_sheet_name(sheet))
    widths = [max(WIDTH_MIN, _width(column.heading)) for column in columns]
    for index, column in enumerate(columns):
        table.write_string(0, index, column.heading, header)
    table.freeze_panes(1, 0)
    cells = [column.cell for column in columns]
    addresses = [_is_address(column.name) for column in columns]
    row_number = 0
    for row_number, row in enumerate(rows, start=1):
        for index, cell in enumerate(cells):
            value = cell(row)
            kind = type(value)
            link = addresses[index] and kind is str
            if kind is list or kind is tuple:
                value = "; ".join(map(str, value))
                kind = str
            if value is None or value == "":
                continue
            if kind is str:
                value = value[:XLSX_MAX_CHARS]
                if link and _linkable(value):
                    # A HYPERLINK formula, not write_url: XlsxWriter keeps every hyperlink
                    # of a sheet in memory until it closes, even in constant-memory mode.
                    formula = '=HYPERLINK("{0}","{0}")'.format(value.replace('"', '""'))
                    table.write_formula(row_number, index, formula, link_format, value)
                else:
                    table.write_string(row_number, index, value)
            elif kind is datetime.datetime:  # a moment, shown in UTC
                if value.tzinfo is not None:
                    value = value.astimezone(datetime.UTC)
                table.write_datetime(row_number, index, value, time_format)
            elif kind is datetime.date:
                table.write_datetime(row_number, index, value, date_format)
            elif kind is bool:
                table.write_boolean(row_number, index, value)
            elif kind is int or kind is float:
                table.write_number(row_number, index, value)
            else:
                table.write_string(row_number, index, str(value)[:XLSX_MAX_CHARS])
            width = _width(value)
            if width > widths[index]:
                widths[index] = width
    for index, width in enumerate(widths):
        table.set_column(index, index, width + 2)
    if columns:
        table.autofilter(0, 0, max(row_number, 1), len(columns) - 1)
    sheet_about = book.add_worksheet("About")
    label_format = book.add_format({"bold": True, "valign": "top"})
    sheet_about.set_column(0, 0, 24)
    sheet_about.set_column(1, 1, 90)
    for number, (label, value) in enumerate([*about, ("Rows", row_number)]):
        sheet_about.write_string(number, 0, label, label_format)
        if isinstance(value, datetime.datetime):
            sheet_about.write_datetime(number, 1, value, time_format)
        elif isinstance(value, int):
            sheet_about.write_number(number, 1, value)
        else:
            sheet_about.write_string(number, 1, str(value)[:XLSX_MAX_CHARS])
    book.close()


def xlsx_response(rows, columns, filename, *, sheet="Rows", about=()):
    """``rows`` as an Excel workbook: the CSV's columns on the first sheet (``sheet``), with
    the header row frozen, an autofilter, typed dates and numbers, addresses as links and
    widths fitted to the text (up to WIDTH_MAX characters); ``about`` (pairs of label and
    value) on a second sheet, "About".

    Memory stays flat: XlsxWriter's constant-memory mode writes each row to a temporary file
    as soon as the next begins; the workbook is assembled in another temporary file, which
    the response streams and closes (deleting it). Text is always written as text, never as
    a formula, so cells need no quoting as in the CSV.
    """
    # Closed, and so deleted, by the response once sent (or here if writing fails).
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        _write_xlsx(output, rows, csv_columns(columns), sheet, about)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def export(request, rows, columns, filename, *, about=(), **meta):
    """The CSV, .xlsx or JSON response for ``rows``, or None when a web page was asked for.

    ``about``: what the .xlsx's About sheet says of the rows (label, value pairs), or a
    callable returning them (called for an .xlsx only); ``meta``: the JSON object's keys
    before its results.
    """
    fmt = requested_format(request)
    if fmt == "csv":
        return csv_response(rows, columns, filename)
    if fmt == "xlsx":
        about = about() if callable(about) else about
        sheet = filename.replace("-", " ").capitalize()  # "safety-concerns": "Safety concerns"
        return xlsx_response(rows, columns, filename, sheet=sheet, about=about)
    if fmt == "json":
        return json_response(rows, columns, **meta)
    return None
