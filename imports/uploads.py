"""Receiving an uploaded document: the size limit holds while the request is read.

Django would store a file of any size (in a temporary file) before the form could look at
it. The upload page instead reads with ``SizeLimitedUploadHandler`` only: it keeps at most
``limit`` bytes of a file on disk and, past the limit, drops the temporary file and counts
the rest without keeping it. The form then sees an ``OversizedUpload``, which has the name
and size of the file but none of its content, and refuses it.
"""

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from .extract import max_upload_bytes


class OversizedUpload(UploadedFile):
    """A file that was larger than the limit: its name and size, none of its content."""

    def __init__(self, name, content_type, size, charset):
        super().__init__(None, name, content_type, size, charset)

    def open(self, mode=None):
        raise self._not_kept()

    def read(self, *args):
        raise self._not_kept()

    def chunks(self, chunk_size=None):
        raise self._not_kept()

    def _not_kept(self):
        return ValueError(f"{self.name} was over the size limit: its content was not kept.")


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Stores each uploaded file in a temporary file, up to ``limit`` bytes of it."""

    def __init__(self, request=None, limit=None):
        super().__init__(request)
        self.limit = max_upload_bytes() if limit is None else limit
        self.oversized = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        if not self.oversized and start + len(raw_data) > self.limit:
            self.oversized = True
            self.file.close()  # a temporary file is deleted when closed
        if self.oversized:
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        if self.oversized:
            return OversizedUpload(self.file_name, self.content_type, file_size, self.charset)
        return super().file_complete(file_size)


def limit_upload_size(request):
    """Read the files of ``request`` with the size limit; call before anything reads them."""
    request.upload_handlers = [SizeLimitedUploadHandler(request)]
