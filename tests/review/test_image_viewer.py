"""证书图片: private thumbnails made once (EXIF orientation and the saved rotation applied,
an icon for a hostile file) and the rotation a reviewer saves for the next one."""

import io
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from core import thumbnails
from core.errors import ServiceError
from core.models import AuditLogEntry, FileDisplay
from exam.models import EducationRecord
from exam.uploads import delete_files_on_commit
from review.file_display import LOG_FILE_ROTATED, file_rotation_set
from tests.builders import in_health_business
from tests.hostile_files import png_claiming
from tests.review.materials import education
from tests.storage import is_stored, stored_files, use_test_storage

RED, BLUE = (220, 20, 20), (20, 20, 220)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    use_test_storage(settings, tmp_path)  # the disk, or the bucket (tests/storage.py)


def photo(orientation: int = 1, size: tuple[int, int] = (1200, 600)) -> bytes:
    """A landscape JPEG, left half red, right half blue; `orientation` in its EXIF."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def record(application, content: bytes, name: str = "diploma.jpg") -> EducationRecord:
    obj = education(application, image=False)
    obj.image.save(name, ContentFile(content))
    return obj


def file_url(application, obj, *suffix: str) -> str:
    name = "review_reviewapplication_file" + ("_rotate" if suffix else "")
    return reverse(f"admin:{name}", args=[application.pk, "educationrecord", obj.pk])


def login(client, reviewers, username):
    client.force_login(in_health_business(reviewers[username]))
    return client


def decoded(response) -> Image.Image:
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def colour_at(image: Image.Image, x: float, y: float) -> str:
    r, _, b = image.convert("RGB").getpixel((int(image.width * x), int(image.height * y)))
    return "red" if r > b else "blue"


def test_thumbnail_is_made_once_small_and_private(client, apps, reviewers):
    application = apps["a_pending"]
    obj = record(application, photo())
    client = login(client, reviewers, "unit_a")
    response = client.get(file_url(application, obj), {"thumb": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    thumb = decoded(response)
    assert thumb.format == "WEBP" and max(thumb.size) == thumbnails.THUMBNAIL_SIDE
    made = stored_files(thumbnails.THUMBNAIL_FOLDER)
    assert len(made) == 1
    assert FileDisplay.objects.get(name=obj.image.name).thumbnail == made[0]
    # The second request serves the stored one: nothing decoded, nothing stored.
    with mock.patch.object(thumbnails, "thumbnail_render") as render:
        again = client.get(file_url(application, obj), {"thumb": "1"})
    assert again.status_code == 200 and not render.called
    assert decoded(again).size == thumb.size
    assert stored_files(thumbnails.THUMBNAIL_FOLDER) == made
    # Without ?thumb=1 the original, unchanged.
    full = client.get(file_url(application, obj))
    assert b"".join(full.streaming_content) == obj.image.open("rb").read()


def test_thumbnail_is_refused_out_of_scope_and_to_the_anonymous(client, apps, reviewers):
    application = apps["a_pending"]
    obj = record(application, photo())
    other = login(client, reviewers, "unit_b")
    assert other.get(file_url(application, obj), {"thumb": "1"}).status_code == 404
    other.logout()
    anonymous = client.get(file_url(application, obj), {"thumb": "1"})
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert stored_files(thumbnails.THUMBNAIL_FOLDER) == []  # nothing made for them


def test_thumbnail_follows_the_exif_orientation(client, apps, reviewers):
    # Orientation 6: the camera was turned; the picture is shown turned 90° clockwise,
    # so the stored left (red) half ends up on top.
    application = apps["a_pending"]
    obj = record(application, photo(orientation=6))
    client = login(client, reviewers, "unit_a")
    thumb = decoded(client.get(file_url(application, obj), {"thumb": "1"}))
    assert thumb.height > thumb.width
    assert colour_at(thumb, 0.5, 0.2) == "red" and colour_at(thumb, 0.5, 0.8) == "blue"


@pytest.mark.parametrize(
    "content",
    [
        png_claiming(20_000, 20_000),  # a decompression bomb's header
        photo()[:600],  # a truncated JPEG
        b"%PDF-1.4 not an image at all",
        b"<svg onload=alert(1)>",
    ],
    ids=["bomb", "truncated", "pdf", "svg"],
)
def test_a_hostile_image_gets_the_icon(client, apps, reviewers, content):
    application = apps["a_pending"]
    obj = record(application, content)
    client = login(client, reviewers, "unit_a")
    response = client.get(file_url(application, obj), {"thumb": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content == thumbnails.UNAVAILABLE_ICON
    assert response["X-Content-Type-Options"] == "nosniff"
    assert FileDisplay.objects.get(name=obj.image.name).unreadable
    assert stored_files(thumbnails.THUMBNAIL_FOLDER) == []
    with mock.patch.object(thumbnails, "thumbnail_render") as render:  # never tried again
        assert client.get(file_url(application, obj), {"thumb": "1"}).status_code == 200
    assert not render.called


def test_rotation_is_saved_logged_and_applied_to_the_thumbnail(
    client, apps, reviewers, django_capture_on_commit_callbacks
):
    application = apps["a_at_county"]  # seen by unit A and by the county
    obj = record(application, photo())
    unit = login(client, reviewers, "unit_a")
    old = decoded(unit.get(file_url(application, obj), {"thumb": "1"}))
    assert old.width > old.height
    old_name = FileDisplay.objects.get(name=obj.image.name).thumbnail
    with django_capture_on_commit_callbacks(execute=True):
        response = unit.post(file_url(application, obj, "rotate"), {"rotation": "90"})
    assert response.status_code == 200 and response.json() == {"rotation": 90}
    row = FileDisplay.objects.get(name=obj.image.name)
    assert row.rotation == 90 and row.thumbnail == ""
    assert not is_stored(old_name)  # the old thumbnail went with the commit
    entry = AuditLogEntry.objects.about(application).get(action=LOG_FILE_ROTATED)
    assert entry.actor == reviewers["unit_a"]
    assert (entry.from_state, entry.to_state) == ("0°", "90°")
    assert entry.remark == "学历信息旋转至90°"
    # The county's reviewer now gets the thumbnail turned: red (left) on top.
    county = login(client, reviewers, "county_jiangan")
    thumb = decoded(county.get(file_url(application, obj), {"thumb": "1"}))
    assert thumb.height > thumb.width and colour_at(thumb, 0.5, 0.2) == "red"
    # ...and the detail page opens the viewer at 90°.
    page = county.get(reverse("admin:review_reviewapplication_change", args=[application.pk]))
    html = page.content.decode()
    assert f'src="{file_url(application, obj)}?thumb=1"' in html
    assert 'data-viewer-rotation="90"' in html
    assert f'data-viewer-rotate="{file_url(application, obj, "rotate")}"' in html
    assert "review/image-viewer.js" in html and 'id="image-viewer"' in html
    # The same rotation again changes and logs nothing.
    county.post(file_url(application, obj, "rotate"), {"rotation": "90"})
    assert AuditLogEntry.objects.filter(action=LOG_FILE_ROTATED).count() == 1


def test_rotation_is_refused_out_of_scope_and_when_not_a_quarter_turn(client, apps, reviewers):
    application = apps["a_pending"]
    obj = record(application, photo())
    other = login(client, reviewers, "unit_b")
    assert other.post(file_url(application, obj, "rotate"), {"rotation": "90"}).status_code == 404
    unit = login(client, reviewers, "unit_a")
    assert unit.get(file_url(application, obj, "rotate")).status_code == 405
    response = unit.post(file_url(application, obj, "rotate"), {"rotation": "45"})
    assert response.status_code == 400 and response.json() == {"error": "旋转角度无效。"}
    assert not FileDisplay.objects.filter(rotation__gt=0).exists()
    assert not AuditLogEntry.objects.filter(action=LOG_FILE_ROTATED).exists()


def test_rotation_service_checks_who_may_see_the_application(apps, reviewers):
    application = apps["a_pending"]
    obj = record(application, photo())
    with pytest.raises(ServiceError, match="无权查看"):
        file_rotation_set(
            actor=reviewers["unit_b"],
            application=application,
            kind="educationrecord",
            obj_id=obj.pk,
            rotation=90,
        )
    # Another application's file through a visible one: not found.
    other = record(apps["b_pending"], photo())
    with pytest.raises(ServiceError, match="文件不存在"):
        file_rotation_set(
            actor=reviewers["unit_a"],
            application=application,
            kind="educationrecord",
            obj_id=other.pk,
            rotation=90,
        )
    assert not FileDisplay.objects.exists()
    assert not AuditLogEntry.objects.filter(action=LOG_FILE_ROTATED).exists()


def test_materials_list_shows_thumbnails_and_rotates_in_its_scope(client, apps, reviewers):
    application = apps["a_pending"]
    obj = record(application, photo(orientation=6))
    image = reverse("admin:review_verifyeducation_image", args=[obj.pk])
    rotate = reverse("admin:review_verifyeducation_image_rotate", args=[obj.pk])
    unit = login(client, reviewers, "unit_a")
    html = unit.get(reverse("admin:review_verifyeducation_changelist"), {"all": ""}).content
    assert f'<img src="{image}?thumb=1"'.encode() in html
    assert f'data-viewer-rotate="{rotate}"'.encode() in html
    thumb = decoded(unit.get(image, {"thumb": "1"}))
    assert thumb.height > thumb.width  # EXIF applied
    assert unit.post(rotate, {"rotation": "270"}).json() == {"rotation": 270}
    html = unit.get(reverse("admin:review_verifyeducation_changelist"), {"all": ""}).content
    assert b'data-viewer-rotation="270"' in html
    # EXIF 90° clockwise, then 270° more: back to landscape, red on the left.
    thumb = decoded(unit.get(image, {"thumb": "1"}))
    assert thumb.width > thumb.height and colour_at(thumb, 0.2, 0.5) == "red"
    other = login(client, reviewers, "unit_b")
    assert other.get(image, {"thumb": "1"}).status_code == 404
    assert other.post(rotate, {"rotation": "90"}).status_code == 404
    assert FileDisplay.objects.get(name=obj.image.name).rotation == 270


def test_a_deleted_file_takes_its_thumbnail_and_rotation_along(
    client, apps, reviewers, django_capture_on_commit_callbacks
):
    application = apps["a_pending"]
    obj = record(application, photo())
    client = login(client, reviewers, "unit_a")
    client.post(file_url(application, obj, "rotate"), {"rotation": "180"})
    client.get(file_url(application, obj), {"thumb": "1"})
    thumbnail = FileDisplay.objects.get(name=obj.image.name).thumbnail
    assert is_stored(thumbnail)
    # How a candidate's replaced or removed certificate goes (exam.uploads).
    with django_capture_on_commit_callbacks(execute=True):
        delete_files_on_commit([obj.image])
    assert not is_stored(obj.image.name) and not is_stored(thumbnail)
    assert not FileDisplay.objects.exists()
