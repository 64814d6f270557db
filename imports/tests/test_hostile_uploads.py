"""Hostile and broken uploads are refused on the upload form, and nothing is written.

Each case goes through the admin upload page as a curator: the answer is the form again
(400) with the message under the file field, and afterwards the database holds the same rows
(history included), no upload waits in IMPORT_UPLOAD_DIR and no temporary file is left.
"""

import io
import struct
import zipfile
import zlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from pypdf import PdfWriter

from imports.extract import PDF_MAX_CONTENT_BYTES, PDF_MAX_STREAM_BYTES
from imports.tests.pdf import assemble, image_only_pdf, text_to_pdf
from imports.uploads import OversizedUpload
from risks.seed import SEED_DIR

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/imports/importlog/upload/"
LEMTRADA = SEED_DIR / "sources" / "004_28828877f4a64970.txt"
MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)
SUMMARY = "Summary of risk management plan for Résumé (résumé)\n\nThe medicine and its use\n"
UPLOAD_THE_SUMMARY = "upload the summary as a .txt file or a PDF."
BOMB = (
    "{} cannot be imported: its content unpacks to more than the importer reads "
    f"({PDF_MAX_CONTENT_BYTES // MB} MB of page content, {PDF_MAX_STREAM_BYTES // MB} MB in "
    "any one part), far more than any summary holds; it may be a “PDF bomb”."
)


@pytest.fixture(autouse=True)
def upload_dirs(settings, tmp_path):
    """Where a kept upload and Django's temporary upload files would go: both watched."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "tmp"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    return settings.IMPORT_UPLOAD_DIR, settings.FILE_UPLOAD_TEMP_DIR


def database_rows():
    """Rows per model, every model: plans, import log and warnings, history tables."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def refused(curator_client, upload_dirs):
    """Upload (name, content); assert the form shows exactly ``message`` and nothing is kept."""

    def check(name, content, message, **file_options):
        before = database_rows()
        response = curator_client.post(
            UPLOAD_URL, {"file": SimpleUploadedFile(name, content, **file_options)}
        )
        assert response.status_code == 400
        assert response.templates[0].name == "admin/imports/upload.html"
        assert response.context["form"].errors["file"] == [message]
        assert escape(message) in response.content.decode()
        assert database_rows() == before
        uploads, temporary = upload_dirs
        assert not uploads.exists() or list(uploads.iterdir()) == []
        assert list(temporary.iterdir()) == []
        return response

    return check


# PDFs built for the cases: a page per content stream, each stream with its own filter.


def pdf_with_streams(*streams):
    """A PDF with one page per (dictionary entries, data) content stream."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    pages = []
    for entries, data in streams:
        objects.append(b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), entries, data))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>"
            % len(objects)
        )
        pages.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(pages), len(pages))
    return assemble(objects)


def deflated_spaces(megabytes):
    """A zlib stream that inflates to ``megabytes`` MB of spaces (about 1 KB per MB).

    Built from one compressed megabyte repeated (each ends in a full flush, so the copies
    join up), with the checksum of the whole: no need to compress the whole.
    """
    chunk = b" " * MB
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.flush()[:-4]  # the final empty block, without the checksum of 2 MB
    checksum = 1
    for _ in range(megabytes):
        checksum = zlib.adler32(chunk, checksum)
    return first + block * (megabytes - 1) + last + struct.pack(">I", checksum)


def encrypted(pdf, user_password, owner_password="owner-secret"):
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bomb(megabytes=64):
    """A ZIP of one entry of ``megabytes`` MB of zeros: about 1,000 times its own size."""
    out = io.BytesIO()
    archive = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    with archive, archive.open("summary.txt", "w") as entry:
        for _ in range(megabytes):
            entry.write(bytes(MB))
    return out.getvalue()


@pytest.fixture
def unopened_zip_bomb(monkeypatch):
    """A ZIP bomb; the test fails should anything open a ZIP archive."""
    bomb = zip_bomb()

    def refuse(*args, **kwargs):
        raise AssertionError("an uploaded archive was opened")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)
    return bomb


# (a) Size


def test_a_file_over_the_limit_is_refused_and_not_kept_while_the_request_is_read(refused, settings):
    settings.IMPORT_MAX_BYTES = 64 * 1024
    response = refused(
        "big.txt", b"Summary " * (MB // 8), "big.txt is 1.0\xa0MB; the limit is 64.0\xa0KB."
    )
    upload = response.context["form"].files["file"]
    assert isinstance(upload, OversizedUpload)
    assert upload.size == MB
    assert upload.file is None  # past the limit, nothing of it was kept


def test_a_file_at_the_limit_is_read(curator_client, settings):
    content = SUMMARY.encode()
    settings.IMPORT_MAX_BYTES = len(content)
    response = curator_client.post(UPLOAD_URL, {"file": SimpleUploadedFile("at.txt", content)})
    assert response.status_code == 400  # past the size check, the parser reads it
    assert response.context["form"].errors["file"] == [
        "No safety concerns found: the list of important risks and missing information "
        "(section II.A) is missing or empty."
    ]


def test_form_fields_over_djangos_memory_limit_are_a_bad_request(curator_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # 2.5 MB by default; files do not count
    before = database_rows()
    response = curator_client.post(
        UPLOAD_URL,
        {"file": SimpleUploadedFile("lemtrada.txt", LEMTRADA.read_bytes()), "product": "x" * 2048},
    )
    assert response.status_code == 400
    assert (
        "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE." in response.content.decode()
    )
    assert database_rows() == before


def test_the_upload_still_needs_its_csrf_token(curator, upload_dirs):
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    before = database_rows()
    response = client.post(
        UPLOAD_URL, {"file": SimpleUploadedFile("lemtrada.txt", LEMTRADA.read_bytes())}
    )
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()
    assert database_rows() == before
    assert list(upload_dirs[1].iterdir()) == []


# (b) Type: judged by the first bytes, not the name or the declared content type


def test_a_png_named_pdf_is_refused(refused):
    refused(
        "scan.pdf",
        PNG,
        f"scan.pdf is a PNG image, not a PDF: {UPLOAD_THE_SUMMARY}",
        content_type="application/pdf",
    )


def test_a_program_named_pdf_is_refused(refused):
    refused(
        "summary.pdf", EXE, f"summary.pdf is a Windows program, not a PDF: {UPLOAD_THE_SUMMARY}"
    )


def test_a_png_named_txt_is_refused(refused):
    refused(
        "summary.txt",
        PNG,
        f"summary.txt is a PNG image, not a text file: {UPLOAD_THE_SUMMARY}",
        content_type="text/plain",
    )


def test_a_file_neither_txt_nor_pdf_is_refused_by_its_name(refused):
    refused("summary.exe", EXE, "summary.exe: only .txt and .pdf files can be imported.")


# (c) Text that is not UTF-8


def test_latin_1_text_is_refused(refused):
    refused(
        "latin1.txt",
        SUMMARY.encode("latin-1"),
        "latin1.txt is not UTF-8 text (invalid byte at position 37): save it as UTF-8 and "
        "upload it again.",
    )


def test_utf_16_text_is_refused(refused):
    refused(
        "utf16.txt",
        SUMMARY.encode("utf-16"),
        "utf16.txt is UTF-16 text, not UTF-8: save it as UTF-8 and upload it again.",
    )


def test_utf_16_text_without_a_byte_order_mark_is_refused(refused):
    refused(
        "utf16le.txt",
        SUMMARY.encode("utf-16-le"),
        "utf16le.txt is UTF-16 text, not UTF-8: save it as UTF-8 and upload it again.",
    )


# (d) A PDF without a text layer


def test_a_scanned_pdf_without_a_text_layer_is_refused(refused):
    refused(
        "scan.pdf",
        image_only_pdf(),
        "scan.pdf has no text layer (it may be a scan): only PDFs with selectable text can be "
        "imported. Upload the summary as a .txt file, or a PDF with selectable text.",
    )


# (e) Bombs: archives are never opened; PDF streams unpack within limits


def test_a_zip_bomb_is_refused_unopened(refused, unopened_zip_bomb):
    refused(
        "summary.zip", unopened_zip_bomb, "summary.zip: only .txt and .pdf files can be imported."
    )


def test_a_zip_bomb_named_txt_is_refused_unopened(refused, unopened_zip_bomb):
    refused(
        "summary.txt",
        unopened_zip_bomb,
        "summary.txt is a ZIP archive (or a Word, Excel or OpenDocument file, which are ZIPs), "
        f"not a text file: {UPLOAD_THE_SUMMARY}",
    )


def test_a_zip_bomb_named_pdf_is_refused_unopened(refused, unopened_zip_bomb):
    refused(
        "summary.pdf",
        unopened_zip_bomb,
        "summary.pdf is a ZIP archive (or a Word, Excel or OpenDocument file, which are ZIPs), "
        f"not a PDF: {UPLOAD_THE_SUMMARY}",
    )


def test_a_pdf_bomb_is_refused(refused):
    bomb = pdf_with_streams((b"/Filter /FlateDecode", deflated_spaces(256)))
    assert len(bomb) < MB / 3  # 256 MB of page content in less than 350 KB
    refused("bomb.pdf", bomb, BOMB.format("bomb.pdf"))


def test_a_pdf_whose_pages_unpack_to_too_much_together_is_refused(refused):
    megabytes = PDF_MAX_STREAM_BYTES // MB - 1  # each page within the limit of one part
    pages = PDF_MAX_CONTENT_BYTES // (megabytes * MB) + 1
    stream = (b"/Filter /FlateDecode", deflated_spaces(megabytes))
    refused("pages.pdf", pdf_with_streams(*[stream] * pages), BOMB.format("pages.pdf"))


# Broken and protected PDFs


def test_a_truncated_pdf_is_refused(refused):
    pdf = text_to_pdf(LEMTRADA.read_text())
    refused(
        "cut.pdf",
        pdf[: len(pdf) // 2],
        "cut.pdf is not a readable PDF: it does not end with %%EOF, so it is incomplete (cut "
        "short while downloading or copying?). Download it again.",
    )


def test_a_corrupt_pdf_is_refused(refused):
    refused(
        "corrupt.pdf",
        b"%PDF-1.7\n" + bytes(range(256)) * 16 + b"\n%%EOF\n",
        "corrupt.pdf is not a readable PDF: its structure is damaged (PdfReadError). Open it in "
        "a PDF reader and save it again, or upload the summary as a .txt file.",
    )


def test_a_password_protected_pdf_is_refused(refused):
    refused(
        "locked.pdf",
        encrypted(text_to_pdf(LEMTRADA.read_text()), "a-password"),
        "locked.pdf is an encrypted PDF: upload an unprotected copy.",
    )


def test_a_pdf_protected_only_against_changes_is_read(curator_client):
    pdf = encrypted(text_to_pdf(LEMTRADA.read_text()), user_password="")
    response = curator_client.post(UPLOAD_URL, {"file": SimpleUploadedFile("lemtrada.pdf", pdf)})
    assert response.status_code == 200
    assert response.context["preview"].counts()["safety concerns"] == 23
