"""A tiny PDF writer for tests: text to a multi-page PDF with a text layer, and a scan-like PDF.

Pure Python, no dependencies: Helvetica (a standard font every reader has) in WinAnsi encoding,
one text line per PDF line, LINES_PER_PAGE lines per A4 page. Characters WinAnsi cannot encode
are replaced (``winansi``), so a test compares the extracted text with ``winansi(text)``.
"""

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
LINES_PER_PAGE = 60
FONT_SIZE = 9
LEADING = 12.5
LEFT, TOP = 40, 800

# Characters that real summaries contain but WinAnsi cannot encode, and what stands in for them.
SUBSTITUTES = {
    "\uf0b7": "\u2022",  # Symbol-font bullet of Word documents -> bullet
    "\u2265": ">=",
    "\u2264": "<=",
    "\u2212": "-",  # minus sign
    "\u2192": "->",
    "\u2248": "~",
    "\t": " ",
}


def winansi(text):
    """``text`` as the PDF will hold it: substitutes applied, '?' for anything else unencodable."""
    chars = []
    for char in text.replace("\r\n", "\n").replace("\r", "\n"):
        char = SUBSTITUTES.get(char, char)
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            char = "?"
        chars.append(char)
    return "".join(chars)


def text_to_pdf(text: str) -> bytes:
    """A PDF whose pages show the lines of ``text``, LINES_PER_PAGE lines per page; a form feed
    (the page break in pdftotext output) starts a new page."""
    pages = []
    for chunk in winansi(text).split("\f"):
        lines = chunk.rstrip("\n").split("\n")
        pages += [
            lines[start : start + LINES_PER_PAGE] for start in range(0, len(lines), LINES_PER_PAGE)
        ]
    streams = [_text_stream(page) for page in pages or [[]]]
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    return _write_pdf(streams, resources=b"<< /Font << /F1 %d 0 R >> >>", extra=[font])


def image_only_pdf() -> bytes:
    """A one-page PDF that only paints an image (like a scan): no text operators at all."""
    pixels = bytes([0, 255, 255, 0])
    image = (
        b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream"
    )
    stream = b"q 400 0 0 400 100 300 cm /Im1 Do Q\n"
    return _write_pdf([stream], resources=b"<< /XObject << /Im1 %d 0 R >> >>", extra=[image])


def _escape(line):
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _text_stream(lines):
    parts = [f"BT\n/F1 {FONT_SIZE} Tf\n{LEADING} TL\n{LEFT} {TOP} Td\n"]
    for line in lines:
        line = line.rstrip()
        parts.append(f"({_escape(line)}) Tj T*\n" if line else "T*\n")
    parts.append("ET\n")
    return "".join(parts).encode("cp1252")


def _write_pdf(streams, *, resources, extra):
    """Objects: 1 catalog, 2 page tree, 3.. the ``extra`` objects, then a content stream and a
    page per stream. ``resources`` has one %d for the number of the first extra object."""
    first_extra = 3
    first_page = first_extra + len(extra)
    page_numbers = [first_page + 2 * index + 1 for index in range(len(streams))]
    kids = b" ".join(b"%d 0 R" % number for number in page_numbers)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(streams)),
        *extra,
    ]
    page_resources = resources % first_extra
    for index, stream in enumerate(streams):
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources %s /Contents %d 0 R >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, page_resources, first_page + 2 * index)
        )
    return assemble(objects)


def assemble(objects):
    """A PDF file of ``objects`` (numbered from 1; the first is the catalog), with its xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
