"""The text of a PDF read from its layout (pdfplumber): ruled tables cell by cell, the rest line
by line, page headers and footers left out.

A flattened text layer runs a table's cells together (a caption, a label cell and its value
cell become one line). Here each cell of a ruled table becomes a block of its own, followed by
a blank line, as a table saved cell by cell reads; a table's header row repeated at the top of
the next page is left out; the lines in the top and bottom margins that recur on several pages
(running header, "Page N") are left out too. Text outside tables keeps its lines, with a blank
line where the layout leaves a gap (a new paragraph).
"""

import io
import re
from collections import Counter

from .furniture import WATERMARK, furniture_key, recurring

_MARGIN = 0.075  # of the page height: where running headers and footers stand
# A glyph without a Unicode mapping at the start of a line is a bullet (Word's Symbol font).
_UNMAPPED_BULLET = re.compile(r"^\(cid:\d+\)\s*")


def layout_text(content):
    """The text of the PDF ``content``; raises whatever pdfplumber raises on a broken file."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        pages = [_page_items(page) for page in pdf.pages]
    furniture = _recurring_margin_lines(pages)
    out, previous_header = [], None
    for items in pages:
        first_table = True
        for kind, value, in_margin in items:
            if kind == "line":
                furniture_line = in_margin and furniture_key(value) in furniture
                if not furniture_line or WATERMARK.search(value):
                    out.append(_bullet(value))
                continue
            if kind == "gap":
                out.append("")
                continue
            rows = value
            if first_table and previous_header and rows and rows[0] == previous_header:
                rows = rows[1:]  # the header row repeated after a page break
            first_table = False
            previous_header = value[0] if value else None
            out.append("")
            for row in rows:
                for cell in row:
                    if cell and cell.strip():
                        out += [_bullet(line.strip()) for line in cell.split("\n")]
                        out.append("")
        out.append("")
    return "\n".join(out)


def _line_text(line, left):
    """The line's text, with a leading space where it starts one space right of the margin
    (what a bullet glyph the extraction cannot read leaves behind)."""
    text = line["text"].strip()
    indent, size = line["x0"] - left, line["bottom"] - line["top"]
    return f" {text}" if 0.2 * size <= indent <= 0.45 * size else text


def _bullet(line):
    return _UNMAPPED_BULLET.sub("\u2022 ", line)


def _page_items(page):
    """("line", text, in_margin), ("gap", "", False) and ("table", rows, False), top down."""
    tables = [table for table in page.find_tables() if _is_table(table)]
    boxes = [table.bbox for table in tables]

    def outside(obj):
        if obj.get("object_type") != "char":
            return True
        if not _level(obj):
            return False  # a diagonal watermark: read apart below, not merged into the lines
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    lines = page.filter(outside).extract_text_lines(return_chars=False)
    margin = Counter(round(line["x0"]) for line in lines).most_common(1)
    left = margin[0][0] if margin else 0
    placed = [(line["top"], line["bottom"], "line", _line_text(line, left)) for line in lines]
    placed += [(table.bbox[1], table.bbox[3], "table", table) for table in tables]
    placed.sort(key=lambda item: item[0])
    items, previous = [], None
    for index, (top, bottom, kind, value) in enumerate(placed):
        if kind == "table":
            rows = [[cell or "" for cell in row] for row in value.extract()]
            items.append(("table", rows, False))
            previous = None
            continue
        height = bottom - top
        if previous is not None and top - previous > 0.6 * height:
            items.append(("gap", "", False))
        items.append(("line", value, _apart_in_margin(placed, index, page.height)))
        previous = bottom
    rotated = " ".join("".join(c["text"] for c in page.chars if not _level(c)).split())
    if rotated:
        items.append(("line", rotated, False))  # a diagonal watermark, on a line of its own
    return items


def _level(char):
    """A character printed level (not turned, like a diagonal "no longer authorised")."""
    matrix = char.get("matrix") or (1, 0, 0, 1)
    return abs(matrix[1]) < 1e-3 and abs(matrix[2]) < 1e-3


def _apart_in_margin(placed, index, page_height):
    """Whether line ``index`` is a running header or footer: the first or last thing on the
    page, in the top or bottom margin, set apart from the body by more than a line's height."""
    top, bottom = placed[index][:2]
    height = bottom - top
    if index == 0 and top < _MARGIN * page_height:
        following = placed[1][0] if len(placed) > 1 else page_height
        return following - bottom > 1.5 * height
    if index == len(placed) - 1 and bottom > (1 - _MARGIN) * page_height:
        return top - placed[index - 1][1] > 1.5 * height if index else True
    return False


def _is_table(table):
    """A ruled table with at least two cells (a single framed box is text)."""
    return len(table.cells) >= 2


def _recurring_margin_lines(pages):
    """Running header and footer lines: apart in a margin on at least half the pages."""
    return recurring(
        [
            [
                furniture_key(value)
                for kind, value, in_margin in items
                if kind == "line" and in_margin
            ]
            for items in pages
        ]
    )
