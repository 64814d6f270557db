"""Text laid out in columns ("pdftotext -layout", a table saved as text): cells apart again.

A block of lines (between blank lines) in which text stands in columns separated by three or
more spaces is a table row: each column's lines become a cell of their own, the cells one after
the other with a blank line between them, as a table saved cell by cell reads. Prose (single
spaces, or the double spaces of justified text) is left as it is.
"""

import re

_GAP = re.compile(r"\S( {3,})(?=\S)")
_TOLERANCE = 2


def separate_columns(text):
    out, block = [], []
    for line in text.split("\n"):
        if line.strip():
            block.append(line.rstrip())
            continue
        out += _block(block)
        out.append(line)
        block = []
    out += _block(block)
    return "\n".join(out)


def _segments(line):
    """(start, text) of the runs of ``line`` separated by three or more spaces."""
    segments, start = [], len(line) - len(line.lstrip(" "))
    for gap in _GAP.finditer(line):
        end = gap.start(1)
        segments.append((start, line[start:end]))
        start = gap.end(1)
    segments.append((start, line[start:]))
    return [(position, text) for position, text in segments if text.strip()]


def _block(lines):
    if not lines or not any(_GAP.search(line) for line in lines):
        return lines
    starts = sorted(
        {position for line in lines for position, _ in _segments(line)}
        | {0}  # a row whose first column is empty still starts there
    )
    columns = []
    for position in starts:
        if not columns or position - columns[-1] > _TOLERANCE:
            columns.append(position)
    if len(columns) < 2:
        return lines
    cells = [[] for _ in columns]
    for line in lines:
        for position, text in _segments(line):
            index = max(i for i, start in enumerate(columns) if start <= position + _TOLERANCE)
            cells[index].append(text.strip())
    out = []
    for cell in cells:
        if cell:
            if out:
                out.append("")
            out += cell
    return out
