"""Forms of the product-information upload: the file, then the confirmation of the preview.

The uploaded bytes wait between preview and confirm as those of an RMP summary do
(``forms.keep_upload``); the confirmation carries their SHA-256 and the file name, the
curator's reason, and the explicit confirmations the preview asked for.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from .extract import ACCEPTED_SUFFIXES, ImportRejected, check_file_name, max_upload_bytes
from .forms import SHA256, UPLOAD_GONE, UPLOAD_UNKNOWN, kept_upload


class InformationUploadForm(forms.Form):
    file = forms.FileField(
        label="Product information",
        allow_empty_file=True,  # the reader says "… is empty" like any other rejection
        help_text=(
            "The EU product information (Annex I, II and III as published with the EPAR) as "
            "a PDF with selectable text or a .txt file, or a US label as text. You see the "
            "sections found and how they differ from the published ones before anything is "
            "written; confirming makes a draft that a reviewer publishes."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ACCEPTED_SUFFIXES))}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_file_name(upload.name)
        except ImportRejected as error:
            raise ValidationError(str(error)) from None
        limit = max_upload_bytes()
        if upload.size > limit:
            raise ValidationError(
                f"{upload.name} is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(limit)}."
            )
        return upload


class ConfirmInformationForm(forms.Form):
    sha256 = forms.RegexField(
        regex=SHA256,
        widget=forms.HiddenInput,
        error_messages={"required": UPLOAD_UNKNOWN, "invalid": UPLOAD_UNKNOWN},
    )
    file_name = forms.CharField(
        max_length=300, widget=forms.HiddenInput, error_messages={"required": UPLOAD_UNKNOWN}
    )
    confirm_mismatch = forms.BooleanField(required=False)
    confirm_few_sections = forms.BooleanField(
        required=False,
        label="This document replaces all of the published product information",
    )
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Recorded in the audit trail of the draft, with your name and the time.",
        error_messages={
            "required": "Say why you load this document: it goes into the audit trail."
        },
    )

    def __init__(self, *args, preview=None, **kwargs):
        super().__init__(*args, **kwargs)
        if preview is not None:
            named = preview.named.full_name or "no product"
            self.fields[
                "confirm_mismatch"
            ].label = f"This document is for {preview.product.name} although it names {named}"
            if not preview.mismatch:
                self.fields["confirm_mismatch"].widget = forms.HiddenInput()
            if not preview.few_sections:
                self.fields["confirm_few_sections"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        if "sha256" in cleaned:
            content = kept_upload(cleaned["sha256"])
            if content is None:
                raise ValidationError(UPLOAD_GONE)
            cleaned["content"] = content
        return cleaned
