"""Read an uploaded document into text: UTF-8 text files and PDFs with a text layer.

Anything else is refused with a message for the person importing: the type is judged by the
file's first bytes, not its name; archives are never opened; a PDF is read within limits on
how far its compressed content may unpack (a "PDF bomb" is refused, not decompressed).
"""

import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings

from .furniture import without_running_lines

logger = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = {".txt", ".pdf"}
MAX_PDF_PAGES = 1000
# How far a PDF's compressed streams may unpack: any one stream, and the page content of
# the whole document. A 1,000-page summary holds about 4 MB of page content.
PDF_MAX_STREAM_BYTES = 16 * 1024 * 1024
PDF_MAX_CONTENT_BYTES = 32 * 1024 * 1024
# Binary file types recognised by their first bytes ("magic numbers"), to say what was
# uploaded instead of a summary. Archives among them are never opened.
SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or a Word, Excel or OpenDocument file, which are ZIPs)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word or Excel file"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program (ELF)"),
]
UPLOAD_THE_SUMMARY = "upload the summary as a .txt file or a PDF."
UNICODE_BOMS = [
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
]


class ImportRejected(Exception):
    """The document cannot be imported; the message says why, for the person importing."""


@dataclass(frozen=True)
class SourceDocument:
    file_name: str
    content: bytes
    text: str

    @property
    def sha256(self):
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self):
        return len(self.content)


def check_file_name(name):
    """Raise ImportRejected unless ``name`` ends in a suffix the importer reads."""
    if PurePath(name).suffix.lower() not in ACCEPTED_SUFFIXES:
        raise ImportRejected(f"{name}: only .txt and .pdf files can be imported.")


def max_upload_bytes():
    return settings.IMPORT_MAX_BYTES


def read_document(content: bytes, file_name: str) -> SourceDocument:
    """Extract the text of ``content``; raise ImportRejected with a readable reason."""
    name = PurePath(file_name or "").name or "the file"
    suffix = PurePath(name).suffix.lower()
    check_file_name(name)
    if not content:
        raise ImportRejected(f"{name} is empty.")
    limit = max_upload_bytes()
    if len(content) > limit:
        raise ImportRejected(
            f"{name} is {len(content) / 1048576:.1f} MB; the limit is {limit / 1048576:.0f} MB."
        )
    if content.startswith(b"%PDF"):
        text = _pdf_text(content, name)
    elif suffix == ".pdf":
        kind = file_type(content)
        if kind:
            raise ImportRejected(f"{name} is {kind}, not a PDF: {UPLOAD_THE_SUMMARY}")
        raise ImportRejected(f"{name} is not a PDF file (it does not start with %PDF).")
    else:
        text = without_running_lines(_plain_text(content, name))
    text = normalise_newlines(text)
    if not text.strip():
        raise ImportRejected(f"{name} contains no text.")
    return SourceDocument(file_name=name, content=content, text=text)


def file_type(content):
    """What ``content`` is by its first bytes, if it is a known type that is not text."""
    for signature, kind in SIGNATURES:
        if content.startswith(signature):
            return kind
    return None


def normalise_newlines(text):
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").replace("\x00", "")


def _plain_text(content, name):
    encoding = _utf16_or_32(content)
    if encoding:
        raise ImportRejected(
            f"{name} is {encoding} text, not UTF-8: save it as UTF-8 and upload it again."
        )
    kind = file_type(content)
    if b"\x00" in content[:8192]:
        if kind:
            raise ImportRejected(f"{name} is {kind}, not a text file: {UPLOAD_THE_SUMMARY}")
        raise ImportRejected(f"{name} is a binary file, not text: upload the .txt or .pdf summary.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if kind:
            raise ImportRejected(
                f"{name} is {kind}, not a text file: {UPLOAD_THE_SUMMARY}"
            ) from None
        raise ImportRejected(
            f"{name} is not UTF-8 text (invalid byte at position {error.start}): "
            "save it as UTF-8 and upload it again."
        ) from None
    controls = sum(1 for char in text[:8192] if ord(char) < 32 and char not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 8192):
        raise ImportRejected(f"{name} is a binary file, not text: upload the .txt or .pdf summary.")
    return text


def _utf16_or_32(content):
    """ "UTF-16" or "UTF-32" for text in those encodings (by its BOM, or ASCII with zeros)."""
    for bom, encoding in UNICODE_BOMS:
        if content.startswith(bom):
            return encoding
    sample = content[:8192]
    for half in (sample[0::2], sample[1::2]):
        if len(half) >= 8 and half.count(0) == len(half) and sample.count(0) < len(sample):
            return "UTF-16"
    return None


def _pdf_text(content, name):
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import DependencyError, LimitReachedError, PyPdfError

    if b"%%EOF" not in content[-1024:]:
        raise ImportRejected(
            f"{name} is not a readable PDF: it does not end with %%EOF, so it is incomplete "
            "(cut short while downloading or copying?). Download it again."
        )
    limits = {
        f"{kind}_maximum_output_length": PDF_MAX_STREAM_BYTES
        for kind in ("zlib", "lzw", "run_length", "brotli", "array_based_stream")
    }
    try:
        with apply_configuration(**limits):
            reader = PdfReader(io.BytesIO(content))
            _decrypt(reader, name)
            if len(reader.pages) > MAX_PDF_PAGES:
                raise ImportRejected(f"{name} has more than {MAX_PDF_PAGES} pages.")
            pages, unpacked = [], 0
            for page in reader.pages:
                contents = page.get_contents()
                unpacked += len(contents.get_data()) if contents is not None else 0
                if unpacked > PDF_MAX_CONTENT_BYTES:
                    raise LimitReachedError("page content")
                pages.append(page.extract_text() or "")
    except ImportRejected:
        raise
    except LimitReachedError as error:
        logger.info("PDF %s over the limits: %s", name, error)
        raise ImportRejected(
            f"{name} cannot be imported: its content unpacks to more than the importer reads "
            f"({PDF_MAX_CONTENT_BYTES // 1048576} MB of page content, "
            f"{PDF_MAX_STREAM_BYTES // 1048576} MB in any one part), far more than any summary "
            "holds; it may be a “PDF bomb”."
        ) from None
    except DependencyError:
        raise ImportRejected(_encrypted(name)) from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        logger.info("Unreadable PDF %s: %s", name, error)
        raise ImportRejected(
            f"{name} is not a readable PDF: its structure is damaged "
            f"({error.__class__.__name__}). Open it in a PDF reader and save it again, or "
            "upload the summary as a .txt file."
        ) from None
    text = "\n\n".join(pages)
    if text.strip():
        text = _layout_text(content, name) or text
    if not text.strip():
        raise ImportRejected(
            f"{name} has no text layer (it may be a scan): only PDFs with selectable text can "
            "be imported. Upload the summary as a .txt file, or a PDF with selectable text."
        )
    return text


def _layout_text(content, name):
    """The text read from the layout (tables cell by cell), or None if that reading fails."""
    from pdfminer.pdfparser import PDFSyntaxError

    from .pdf_layout import layout_text

    try:
        return layout_text(content)
    except (PDFSyntaxError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        logger.info("PDF %s read without its layout: %s", name, error)
        return None


def _decrypt(reader, name):
    """Open a PDF protected only against changes (empty password); refuse any other."""
    if reader.is_encrypted and not reader.decrypt(""):
        raise ImportRejected(_encrypted(name))


def _encrypted(name):
    return f"{name} is an encrypted PDF: upload an unprotected copy."
