"""Thumbnails of stored images: made once per file (and rotation), kept in the same storage
as the original and as private as it (served only by the views that serve the original,
after their permission check). Photos are turned upright by their EXIF orientation and then
by the rotation a reviewer chose (core.models.FileDisplay).

A file Pillow cannot read safely (not an image, truncated, a decompression bomb) is marked
once and shown as an icon; nothing here raises on a hostile file.
"""

import hashlib
import io
import logging
import posixpath
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from PIL import Image, ImageOps

from core.files import JPG, PNG, private_file_response, sniff
from core.models import FileDisplay

logger = logging.getLogger(__name__)

THUMBNAIL_FOLDER = "thumbnails"
THUMBNAIL_SIDE = 320  # pixels on the long side
THUMBNAIL_QUALITY = 70
# Pillow's transposes for a clockwise turn of the picture.
CLOCKWISE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}
# Shown instead of a thumbnail that cannot be made (an <img> needs an image, not an error).
UNAVAILABLE_ICON = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="160" height="110" viewBox="0 0 160 110">'
    b'<rect width="160" height="110" fill="#f1f5f9"/>'
    b'<path d="M58 34h44v42H58z" fill="none" stroke="#94a3b8" stroke-width="3"/>'
    b'<path d="M62 70l12-14 9 10 7-7 8 11" fill="none" stroke="#94a3b8" stroke-width="3"/>'
    b'<path d="M52 84L108 28" stroke="#b91c1c" stroke-width="3"/></svg>'
)


def rotations_for(*, names: Iterable[str]) -> dict[str, int]:
    """The chosen rotation of each stored name that has one (one query for a page)."""
    wanted = {name for name in names if name}
    if not wanted:
        return {}
    rows = FileDisplay.objects.filter(name__in=wanted).exclude(rotation=0)
    return dict(rows.values_list("name", "rotation"))


def thumbnail_name(original: str, rotation: int) -> str:
    digest = hashlib.sha256(original.encode()).hexdigest()[:32]
    return posixpath.join(THUMBNAIL_FOLDER, f"{digest}-{rotation}.webp")


def thumbnail_render(handle, *, rotation: int = 0) -> bytes | None:  # noqa: ANN001 - a file
    """The thumbnail's WebP bytes, or None when the file is not an image we read safely."""
    head = handle.read(2048)
    handle.seek(0)
    if sniff(head) not in (JPG, PNG):
        return None
    try:
        with Image.open(handle) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if width * height > settings.UPLOAD_MAX_PIXELS:
                return None
            # JPEG: decode at a reduced scale right away (a 12 MP photo in a fraction of the
            # time); the EXIF orientation is kept.
            image.draft("RGB", (THUMBNAIL_SIDE * 2, THUMBNAIL_SIDE * 2))
            upright = ImageOps.exif_transpose(image)
            if rotation in CLOCKWISE:
                upright = upright.transpose(CLOCKWISE[rotation])
            upright = upright.convert("RGB")
            upright.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            out = io.BytesIO()
            upright.save(out, format="WEBP", quality=THUMBNAIL_QUALITY, method=4)
            return out.getvalue()
    except Exception:  # any hostile file: an icon, never a 500
        logger.warning("thumbnail failed for an unreadable image", exc_info=True)
        return None


def thumbnail_make(*, field_file: FieldFile) -> str | None:
    """The stored name of the file's thumbnail, made on the first call; None: show the icon.
    The caller has checked that the user may see the file."""
    row, _ = FileDisplay.objects.get_or_create(name=field_file.name)
    if row.unreadable:
        return None
    if row.thumbnail:
        return row.thumbnail
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        return None
    try:
        data = thumbnail_render(handle, rotation=row.rotation)
    finally:
        field_file.close()
    if data is None:
        FileDisplay.objects.filter(pk=row.pk).update(unreadable=True)
        return None
    storage = field_file.storage
    saved = storage.save(thumbnail_name(row.name, row.rotation), ContentFile(data))
    # Another request (or a rotation) may have come first: keep theirs, drop ours.
    won = FileDisplay.objects.filter(pk=row.pk, thumbnail="", rotation=row.rotation).update(
        thumbnail=saved
    )
    if not won:
        storage.delete(saved)
        row.refresh_from_db()
        return row.thumbnail or None
    return saved


def thumbnails_forget(*, files: Iterable[tuple[Storage, str]]) -> None:
    """Stored files that were deleted (storage, name): their thumbnails and display rows go
    too, so no copy of a removed certificate stays behind."""
    storages = dict((name, storage) for storage, name in files if name)
    rows = FileDisplay.objects.filter(name__in=storages)
    for name, thumbnail in rows.exclude(thumbnail="").values_list("name", "thumbnail"):
        storages[name].delete(thumbnail)
    rows.delete()


def thumbnail_response(field_file: FieldFile) -> HttpResponse | FileResponse:
    """The thumbnail of a stored file, to the one user the caller has allowed; the icon when
    there is none."""
    name = thumbnail_make(field_file=field_file)
    if name:
        try:
            handle = field_file.storage.open(name, "rb")
        except FileNotFoundError:
            # Removed behind our back: forget it, the next request makes it again.
            FileDisplay.objects.filter(name=field_file.name).update(thumbnail="")
        else:
            return private_file_response(
                handle,
                filename=posixpath.basename(name),
                as_attachment=False,
                content_type="image/webp",
            )
    response = HttpResponse(UNAVAILABLE_ICON, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
