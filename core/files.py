"""Serving private files: the one response every stored upload and every job result goes
through (identity photos, exam attachments and certificates, staged uploads, a background
job's xlsx). The caller has checked who asks; nothing here knows a model.

Every such response is `Cache-Control: private, no-store` (personal data never sits in a
shared cache) and `X-Content-Type-Options: nosniff` (the browser keeps to the declared type).
"""

import re
from pathlib import PurePath
from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

JPG, PNG, PDF = "jpg", "png", "pdf"
CONTENT_TYPES = {JPG: "image/jpeg", PNG: "image/png", PDF: "application/pdf"}


def sniff(head: bytes) -> str | None:
    """The kind of a file from its first bytes (None: not one we accept)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    # The PDF header may follow a little junk; readers accept it within the first 1 KB.
    if b"%PDF-" in head[:1024]:
        return PDF
    return None


def download_name(stored: str, kind: str | None) -> str:
    """A harmless file name for Content-Disposition: the stored stem in plain ASCII and the
    extension of the content."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", PurePath(stored).stem).strip("_")[:60] or "file"
    return f"{stem}.{kind or 'bin'}"


def private_file_response(
    handle: IO[bytes], *, filename: str, as_attachment: bool, content_type: str | None = None
) -> FileResponse:
    """Stream an open file to the one user the caller has allowed. Without `content_type`,
    Django takes it from the file name."""
    response = FileResponse(
        handle, content_type=content_type, as_attachment=as_attachment, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_response(field_file: FieldFile, *, as_attachment: bool = False) -> FileResponse:
    """Stream a stored upload (permission already checked by the caller) with the type of its
    content. New files carry the right extension; files stored before that (identity photos
    kept the candidate's name) are served right too, because the type comes from the bytes."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件不存在。") from exc
    kind = sniff(handle.read(2048))
    handle.seek(0)
    return private_file_response(
        handle,
        content_type=CONTENT_TYPES.get(kind or "", "application/octet-stream"),
        # Anything that is not one of ours is never shown inline.
        as_attachment=as_attachment or kind is None,
        filename=download_name(field_file.name or "", kind),
    )
