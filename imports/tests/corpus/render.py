"""Render the corpus documents: each ``<name>.doc.yaml`` to the text a curator would save from
Word or pdftotext, and to a PDF with real ruled tables (reportlab), as regulators publish them.

A document is a list of blocks:

- ``title: ...``, ``h: ...`` (a heading), ``p: ...`` (a paragraph), ``caption: ...``;
- ``bullets: [...]`` (with the document's ``bullet`` character, or ``bullet:`` in the block);
- ``lines: [...]``: paragraphs one under the other with no space between them;
- ``table: {rows: [[cell, cell], ...], widths: [35, 65], header: N}``: a cell is a string or a
  list of paragraphs; a row of one cell spans the table; the first ``header`` rows repeat
  after a page break (as Word's "repeat header row" does);
- ``pagebreak: true``.

Options at the top of the file: ``text_tables`` (``cells``: every cell on lines of its own, as
Word's "save as plain text"; ``side``: the lines of a row's cells side by side in columns, as
``pdftotext -layout``), ``running_header`` (printed at the top of every page) with page numbers
"Page N", ``lines_per_page`` for the text, and ``cut_after`` (the document stops right after
this text, even mid-word: a truncated file; blocks after it are dropped).

Run ``python -m imports.tests.corpus.render OUTDIR`` to write every .txt and .pdf for reading.
"""

import copy
import io
import sys
import textwrap
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

HERE = Path(__file__).parent
TEXT_WIDTH = 96


def documents():
    return sorted(path.name.removesuffix(".doc.yaml") for path in HERE.glob("*.doc.yaml"))


@cache
def load(name):
    spec = yaml.safe_load((HERE / f"{name}.doc.yaml").read_text(encoding="utf-8"))
    if spec.get("base"):
        base = load(spec["base"])
        spec = {**{k: v for k, v in base.items() if k != "cut_after"}, **spec}
        spec["blocks"] = spec.get("blocks") or base["blocks"]
    spec = expand(spec)
    if spec.get("drop"):
        spec["blocks"] = drop(spec["blocks"], *spec["drop"])
    if spec.get("cut_after"):
        spec["blocks"] = cut(spec["blocks"], spec["cut_after"])
    return spec


def expand(spec):
    """Boilerplate blocks (``boilerplate: NAME``) replaced by their blocks, with ``{product}``."""
    if not any("boilerplate" in block for block in spec["blocks"]):
        return spec
    library = yaml.safe_load((HERE / "boilerplate.yaml").read_text(encoding="utf-8"))
    blocks = []
    for block in spec["blocks"]:
        if "boilerplate" in block:
            text = yaml.safe_dump(library[block["boilerplate"]], allow_unicode=True, width=10_000)
            text = text.replace("{product}", spec.get("product", ""))
            blocks += yaml.safe_load(text)
        else:
            blocks.append(block)
    return {**spec, "blocks": blocks}


def drop(blocks, first, until):
    """The blocks without those from the one reading ``first`` up to the one reading ``until``
    (a part missing from the file; to the end when no block reads ``until``)."""
    texts = [str(next(iter(block.values()))) for block in blocks]
    start = next(i for i, text in enumerate(texts) if text.startswith(first))
    following = (i for i, text in enumerate(texts) if i > start and text.startswith(until))
    end = next(following, len(blocks))
    return blocks[:start] + blocks[end:]


def cut(blocks, marker):
    """The blocks up to the first occurrence of ``marker``, the text stopping right after it."""
    out = []
    for block in blocks:
        block = copy.deepcopy(block)
        kind = next(iter(block))
        if kind == "table":
            rows = []
            for row in block["table"]["rows"]:
                cells = []
                for cell in row:
                    paragraphs = cell if isinstance(cell, list) else [cell]
                    kept = []
                    for paragraph in paragraphs:
                        if marker in paragraph:
                            kept.append(paragraph[: paragraph.index(marker) + len(marker)])
                            cells.append(kept)
                            rows.append(cells)
                            block["table"]["rows"] = rows
                            return [*out, block]
                        kept.append(paragraph)
                    cells.append(kept)
                rows.append(cells)
        elif kind == "bullets":
            for index, item in enumerate(block["bullets"]):
                if marker in item:
                    block["bullets"] = [
                        *block["bullets"][:index],
                        item[: item.index(marker) + len(marker)],
                    ]
                    return [*out, block]
        elif isinstance(block[kind], str) and marker in block[kind]:
            block[kind] = block[kind][: block[kind].index(marker) + len(marker)]
            return [*out, block]
        out.append(block)
    raise ValueError(f"cut_after {marker!r} is not in the document")


def paragraphs_of(cell):
    return [str(item) for item in (cell if isinstance(cell, list) else [cell])]


# Text -------------------------------------------------------------------------------------


def wrap(text, width):
    return textwrap.wrap(" ".join(str(text).split()), width=max(width, 12)) or [""]


def render_text(name):
    spec = load(name)
    pager = _Pager(spec)
    bullet = spec.get("bullet", "\u2022")
    for block in spec["blocks"]:
        kind = next(iter(block))
        value = block[kind]
        if kind in ("title", "h", "p", "caption"):
            pager.lines(wrap(value, TEXT_WIDTH))
            pager.blank()
        elif kind == "bullets":
            mark = block.get("bullet", bullet)
            for item in value:
                lines = wrap(item, TEXT_WIDTH - 2)
                pager.lines([f"{mark} {lines[0]}", *lines[1:]] if mark else lines)
            pager.blank()
        elif kind == "lines":
            for item in value:
                pager.lines(wrap(item, TEXT_WIDTH))
            pager.blank()
        elif kind == "pagebreak":
            pager.new_page()
        elif kind == "table":
            _text_table(pager, value, spec.get("text_tables", "cells"), bullet)
    return pager.text()


def _cell_lines(cell, width, bullet):
    lines = []
    for paragraph in paragraphs_of(cell):
        if paragraph.startswith("* "):
            wrapped = wrap(paragraph[2:], width - 2)
            lines += [f"{bullet} {wrapped[0]}", *wrapped[1:]]
        else:
            lines += wrap(paragraph, width)
    return lines


def _text_table(pager, table, style, bullet):
    widths = table.get("widths") or [100 // len(table["rows"][0])] * len(table["rows"][0])
    header_rows = []
    for index, row in enumerate(table["rows"]):
        if len(row) == 1:
            row_lines = [_cell_lines(row[0], TEXT_WIDTH, bullet)]
        else:
            row_lines = [
                _cell_lines(cell, TEXT_WIDTH * width // 100, bullet)
                for cell, width in zip(row, widths, strict=False)  # a cut row is shorter
            ]
        if style == "side":
            height = max(len(lines) for lines in row_lines)
            columns = [TEXT_WIDTH * width // 100 for width in widths][: len(row_lines)]
            block = [
                "   ".join(
                    (lines[i] if i < len(lines) else "").ljust(column)
                    for lines, column in zip(row_lines, columns, strict=True)
                ).rstrip()
                for i in range(height)
            ]
            chunks = [block]
        else:
            chunks = [lines for lines in row_lines if any(line.strip() for line in lines)]
        if index < table.get("header", 0):
            header_rows.append(chunks)
        else:
            pager.table_header = header_rows
        for chunk in chunks:
            pager.lines(chunk)
            pager.blank()
    pager.table_header = []


class _Pager:
    """Text lines in pages: a form feed, the running header and "Page N" at every break; the
    header rows of a table repeat at the top of the next page."""

    def __init__(self, spec):
        self.per_page = spec.get("lines_per_page", 50)
        self.header = spec.get("running_header")
        self.out = []
        self.page = 1
        self.on_page = 0
        self.table_header = []
        if self.header:
            self._emit(self.header)

    def _emit(self, line):
        self.out.append(line)
        self.on_page += 1

    def new_page(self):
        if self.header:
            self.out += ["", f"Page {self.page}"]
        self.out.append("\f" + (self.header or ""))
        self.page += 1
        self.on_page = 1
        for chunks in self.table_header:
            for chunk in chunks:
                for line in chunk:
                    self._emit(line)
                self._emit("")

    def lines(self, lines):
        for line in lines:
            if self.on_page >= self.per_page:
                self.new_page()
            self._emit(line)

    def blank(self):
        if self.out and self.out[-1] != "":
            self._emit("")

    def text(self):
        out = list(self.out)
        if self.header:
            out += ["", f"Page {self.page}"]
        return "\n".join(out).rstrip() + "\n"


# PDF --------------------------------------------------------------------------------------


def render_pdf(name):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    spec = load(name)
    bullet = spec.get("bullet", "\u2022")
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12, spaceAfter=5)
    heading = ParagraphStyle("h", parent=body, fontName="Helvetica-Bold", fontSize=11)
    title = ParagraphStyle("t", parent=body, fontName="Helvetica-Bold", fontSize=14, leading=17)
    caption = ParagraphStyle("c", parent=body, fontName="Helvetica-Bold", fontSize=9)
    listed = ParagraphStyle("b", parent=body, leftIndent=12, bulletIndent=2, spaceAfter=2)
    tight = ParagraphStyle("l", parent=body, spaceAfter=0)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11, spaceAfter=2)
    cell_bullet = ParagraphStyle("cb", parent=cell, leftIndent=9, bulletIndent=0)

    def para(text, style, mark=None):
        return Paragraph(escape(str(text)), style, bulletText=mark)

    story = []
    for block in spec["blocks"]:
        kind = next(iter(block))
        value = block[kind]
        if kind == "title":
            story.append(para(value, title))
        elif kind == "h":
            story.append(para(value, heading))
        elif kind == "p":
            story.append(para(value, body))
        elif kind == "caption":
            story.append(para(value, caption))
        elif kind == "bullets":
            mark = block.get("bullet", bullet)
            story += [para(item, listed, mark or None) for item in value]
            story.append(Spacer(1, 4))
        elif kind == "lines":
            story += [para(item, tight) for item in value]
            story.append(Spacer(1, 5))
        elif kind == "pagebreak":
            story.append(PageBreak())
        elif kind == "table":
            columns = len(max(value["rows"], key=len))
            widths = value.get("widths") or [100 / columns] * columns
            total = A4[0] - 40 * mm
            data, commands = [], []
            for index, row in enumerate(value["rows"]):
                cells = []
                for item in row:
                    flow = []
                    for paragraph in paragraphs_of(item):
                        if paragraph.startswith("* "):
                            flow.append(para(paragraph[2:], cell_bullet, bullet))
                        else:
                            flow.append(para(paragraph, cell))
                    cells.append(flow)
                cells += [""] * (columns - len(cells))  # a spanning row, or a cut one
                if len(row) == 1:
                    commands.append(("SPAN", (0, index), (-1, index)))
                    commands.append(("BACKGROUND", (0, index), (-1, index), colors.lightgrey))
                data.append(cells)
            table = Table(
                data,
                colWidths=[total * width / 100 for width in widths],
                repeatRows=value.get("header", 0),
                splitByRow=True,
            )
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        *commands,
                    ]
                )
            )
            story += [table, Spacer(1, 8)]
    header = spec.get("running_header")

    def decorate(canvas, document):
        if header:
            canvas.setFont("Helvetica", 8)
            canvas.drawString(20 * mm, A4[1] - 12 * mm, header)
            canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {document.page}")

    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=name,
        invariant=True,
    ).build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def main(outdir):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for name in documents():
        (outdir / f"{name}.txt").write_text(render_text(name), encoding="utf-8")
        (outdir / f"{name}.pdf").write_bytes(render_pdf(name))
        print(name)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var/corpus")
