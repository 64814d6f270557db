"""Forms of the admin import pages, and the uploads kept between preview and confirm.

An uploaded summary is previewed first and written only when the curator confirms. In
between, its bytes wait in settings.IMPORT_UPLOAD_DIR under their SHA-256; the confirm form
carries only that hash, the file name and the chosen product.
"""

import hashlib
import os
import re
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from products.models import Product

from .extract import ACCEPTED_SUFFIXES, ImportRejected, check_file_name, max_upload_bytes

SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
UPLOAD_MAX_AGE = 24 * 60 * 60  # seconds an uploaded file waits for its confirmation
UPLOAD_GONE = (
    "The uploaded file is no longer waiting for confirmation: it was imported or cancelled "
    "already, or it expired after 24 hours. Upload it again."
)
UPLOAD_UNKNOWN = "The confirmation does not name an uploaded file. Upload the summary again."
# Files one upload may import together (each is parsed while the request waits); a larger
# batch goes through the command, ``import_rmp_summary DIR``.
MAX_FILES = 20


def upload_dir():
    return Path(settings.IMPORT_UPLOAD_DIR)


def keep_upload(content):
    """Store ``content`` until it is confirmed or cancelled; return its SHA-256."""
    sha256 = hashlib.sha256(content).hexdigest()
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _discard_expired(directory)
    partial = directory / f".{sha256}.{os.getpid()}.part"
    partial.write_bytes(content)
    partial.replace(directory / sha256)
    return sha256


def kept_upload(sha256):
    """The bytes stored under ``sha256``, or None if they are gone, expired or altered."""
    if not SHA256.match(sha256 or ""):
        return None
    path = upload_dir() / sha256
    try:
        if time.time() - path.stat().st_mtime > UPLOAD_MAX_AGE:
            path.unlink(missing_ok=True)
            return None
        content = path.read_bytes()
    except FileNotFoundError:
        return None
    return content if hashlib.sha256(content).hexdigest() == sha256 else None


def discard_upload(sha256):
    if SHA256.match(sha256 or ""):
        (upload_dir() / sha256).unlink(missing_ok=True)


def _discard_expired(directory):
    cutoff = time.time() - UPLOAD_MAX_AGE
    for path in directory.iterdir():
        if SHA256.match(path.name) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes one file or several; cleans to a list of uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return [single_file_clean(None, initial)]  # "This field is required."
            return [single_file_clean(item, initial) for item in data]
        return [single_file_clean(data, initial)]


class RmpSummaryUploadForm(forms.Form):
    file = MultipleFileField(
        label="RMP summary",
        allow_empty_file=True,  # the importer says "… is empty" like any other rejection
        help_text=(
            "The EU RMP public summary as a .txt file or a PDF with selectable text. One file "
            "is previewed before anything is written; several files (at most "
            f"{MAX_FILES}) are each imported at once as a draft, and the next page lists what "
            "became of each."
        ),
        widget=MultipleFileInput(attrs={"accept": ",".join(sorted(ACCEPTED_SUFFIXES))}),
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="Match by name, or create a new product",
        help_text=(
            "Import into this product as its next plan version (one file only). Leave empty to "
            "use the product of the same name, or to create a new product when there is none."
        ),
    )

    accept_incomplete = forms.BooleanField(
        label="Confirm an incomplete import",
        required=False,
        help_text=(
            "A summary that lacks a part the template requires (II.A, II.B, II.C) is refused. "
            "Tick to import it anyway: every gap becomes a warning that blocks submission "
            "until it is resolved."
        ),
    )
    reason = forms.CharField(
        label="Reason for the import",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=(
            "Recorded in the audit trail of everything the import creates. Required for "
            "several files; for one file the preview page asks for it."
        ),
    )

    def clean_file(self):
        uploads = self.cleaned_data["file"]
        if len(uploads) > MAX_FILES:
            raise ValidationError(
                f"{len(uploads)} files chosen; at most {MAX_FILES} can be imported at once. "
                "Import a larger batch with the command import_rmp_summary DIR."
            )
        limit = max_upload_bytes()
        errors = []
        for upload in uploads:
            try:
                check_file_name(upload.name)
            except ImportRejected as error:
                errors.append(str(error))
                continue
            if upload.size > limit:
                errors.append(
                    f"{upload.name} is {filesizeformat(upload.size)}; "
                    f"the limit is {filesizeformat(limit)}."
                )
        if errors:
            raise ValidationError(errors)
        return uploads

    def clean(self):
        cleaned = super().clean()
        if len(cleaned.get("file") or []) > 1:
            if cleaned.get("product"):
                self.add_error(
                    "product",
                    "Choose a product only for one file: with several, each summary goes to "
                    "the product of its own name.",
                )
            if not (cleaned.get("reason") or "").strip():
                self.add_error(
                    "reason",
                    "Say why you import these files: several files are imported at once, and "
                    "the reason goes into the audit trail.",
                )
        return cleaned

    @property
    def several(self):
        return len(self.cleaned_data.get("file") or []) > 1


class ConfirmImportForm(forms.Form):
    """The hidden fields of the preview page; ``clean`` finds the stored upload."""

    sha256 = forms.RegexField(
        regex=SHA256,
        widget=forms.HiddenInput,
        error_messages={"required": UPLOAD_UNKNOWN, "invalid": UPLOAD_UNKNOWN},
    )
    file_name = forms.CharField(
        max_length=300, widget=forms.HiddenInput, error_messages={"required": UPLOAD_UNKNOWN}
    )
    product = forms.SlugField(required=False, widget=forms.HiddenInput)
    accept_incomplete = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason for the import",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Recorded in the audit trail of everything the import creates.",
        error_messages={"required": "Say why you import this file: it goes into the audit trail."},
    )

    def clean(self):
        cleaned = super().clean()
        if "sha256" in cleaned:
            content = kept_upload(cleaned["sha256"])
            if content is None:
                raise ValidationError(UPLOAD_GONE)
            cleaned["content"] = content
        return cleaned
