"""Read an uploaded document into text: UTF-8 text files and PDFs with a text layer."""

import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings

logger = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = {".txt", ".pdf"}
MAX_PDF_PAGES = 1000


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


def max_upload_bytes():
    return settings.IMPORT_MAX_BYTES


def read_document(content: bytes, file_name: str) -> SourceDocument:
    """Extract the text of ``content``; raise ImportRejected with a readable reason."""
    name = PurePath(file_name or "").name or "the file"
    suffix = PurePath(name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise ImportRejected(f"{name}: only .txt and .pdf files can be imported.")
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
        raise ImportRejected(f"{name} is not a PDF file (it does not start with %PDF).")
    else:
        text = _plain_text(content, name)
    text = normalise_newlines(text)
    if not text.strip():
        raise ImportRejected(f"{name} contains no text.")
    return SourceDocument(file_name=name, content=content, text=text)


def normalise_newlines(text):
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").replace("\x00", "")


def _plain_text(content, name):
    if b"\x00" in content[:8192]:
        raise ImportRejected(f"{name} is a binary file, not text: upload the .txt or .pdf summary.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            f"{name} is not UTF-8 text (invalid byte at position {error.start}): "
            "save it as UTF-8 and upload it again."
        ) from None
    controls = sum(1 for char in text[:8192] if ord(char) < 32 and char not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 8192):
        raise ImportRejected(f"{name} is a binary file, not text: upload the .txt or .pdf summary.")
    return text


def _pdf_text(content, name):
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ImportRejected(f"{name} is an encrypted PDF: upload an unprotected copy.")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ImportRejected(f"{name} has more than {MAX_PDF_PAGES} pages.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ImportRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        logger.info("Unreadable PDF %s: %s", name, error)
        raise ImportRejected(
            f"{name} is not a readable PDF ({error.__class__.__name__})."
        ) from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise ImportRejected(
            f"{name} has no text layer (a scanned image?): only PDFs with selectable text can be "
            "imported."
        )
    return text
