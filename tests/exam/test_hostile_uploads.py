"""Hostile files on the two pages that take uploads in different ways: 学历信息 (a material of
the health exam, staged by UploadField) and 实名认证 (identity photos, stored by the service).
Each one is refused with a Chinese message that says what is wrong, and nothing is stored;
the good ones are stored under the detected type and served with it."""

import functools

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exam.models import Application, EducationRecord, StagedUpload
from people import services as people_services
from people.models import IdentityVerification
from tests.builders import new_application
from tests.factories import fake_resident_id
from tests.hostile_files import (
    html_with_pdf_markers,
    image_bytes,
    pdf_bytes,
    png_claiming,
    png_of_zeros,
    truncated_jpeg,
)

pytestmark = pytest.mark.django_db

AUTO = reverse("account:identity_auto")

PDF_NOT_FOR_PHOTOS = "不接受PDF文件，只接受JPG、PNG格式。"
IMAGE_DAMAGED = "图片已损坏或不完整，无法打开，请重新选择。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/private-media-not-served/"},
        },
    }
    return tmp_path


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


@functools.cache
def hundred_megapixels() -> bytes:
    return png_of_zeros(10_000, 10_000)


# (file name, content) → (message on 学历信息, message on the identity photo page)
REFUSED = {
    "bomb": (
        lambda: ("diploma.png", png_claiming(20_000, 20_000)),
        "图片像素过多，最多允许4000万像素，请缩小尺寸后重新上传。",
        "图片像素过多，最多允许4000万像素，请缩小尺寸后重新上传。",
    ),
    "100-megapixels": (
        lambda: ("diploma.png", hundred_megapixels()),
        "图片像素过多（10000×10000），最多允许4000万像素，请缩小尺寸后重新上传。",
        "图片像素过多（10000×10000），最多允许4000万像素，请缩小尺寸后重新上传。",
    ),
    "html-with-pdf-markers": (
        lambda: ("diploma.pdf", html_with_pdf_markers()),
        "PDF文件已损坏或不是真正的PDF，无法打开，请重新导出后上传。",
        PDF_NOT_FOR_PHOTOS,
    ),
    "encrypted-pdf": (
        lambda: ("diploma.pdf", pdf_bytes(password="secret")),
        "PDF文件已加密（设有密码或权限限制），审核人员无法打开，请上传未加密的PDF。",
        PDF_NOT_FOR_PHOTOS,
    ),
    "valid-pdf-as-photo": (
        lambda: ("front.pdf", pdf_bytes()),
        None,  # accepted on 学历信息 (test_a_one_page_pdf_is_accepted)
        PDF_NOT_FOR_PHOTOS,
    ),
    "truncated-jpeg": (
        lambda: ("diploma.jpg", truncated_jpeg()),
        IMAGE_DAMAGED,
        IMAGE_DAMAGED,
    ),
}


# --- 学历信息 -------------------------------------------------------------------------------


@pytest.fixture
def app(health_project, tree, client) -> Application:
    application = new_application(health_project, tree["U420102001"])
    client.force_login(application.candidate.user)
    return application


def post_education(client, app: Application, name: str, content: bytes):
    data = {
        "action": "save",
        "level": "20",
        "school": "湖北中医药大学",
        "major": "护理学",
        "major_type": "medical",
        "study_form": "full_time",
        "duration_years": "4",
        "enrollment_date": "2010-09-01",
        "graduation_date": "2014-06-30",
        "diploma_no": "105071201405000123",
        "image": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
    }
    return client.post(reverse("apply:section", args=[app.pk, "education"]), data)


@pytest.mark.parametrize("case", [k for k, v in REFUSED.items() if v[1]])
def test_education_page_refuses(case, client, app, media):
    make, message, _ = REFUSED[case]
    response = post_education(client, app, *make())
    assert response.status_code == 200
    assert response.context["form"].errors["image"] == [message]
    assert message in response.content.decode()
    assert not EducationRecord.objects.exists()
    assert not StagedUpload.objects.exists()
    assert stored_files(media) == []


def test_a_one_page_pdf_is_accepted_and_served_as_pdf(client, app, media):
    content = pdf_bytes()
    response = post_education(client, app, "diploma.jpg", content)
    assert response.status_code == 302
    record = EducationRecord.objects.get(application=app)
    assert record.image.name.endswith(".pdf")
    served = client.get(reverse("apply:file", args=[app.pk, "educationrecord", record.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == content


def test_png_named_pdf_is_stored_and_served_as_png(client, app, media, reviewers):
    content = image_bytes("PNG")
    post_education(client, app, "back.pdf", content)
    record = EducationRecord.objects.get(application=app)
    assert record.image.name.endswith(".png") and "back" not in record.image.name
    for user, url in (
        (app.candidate.user, reverse("apply:file", args=[app.pk, "educationrecord", record.pk])),
        (
            reviewers["unit_a"],
            reverse(
                "admin:review_reviewapplication_file", args=[app.pk, "educationrecord", record.pk]
            ),
        ),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith('inline; filename="')
        assert response["Content-Disposition"].endswith('.png"')
        assert b"".join(response.streaming_content) == content


# --- 实名认证 (identity photos) --------------------------------------------------------------


@pytest.fixture
def candidate_client(client):
    candidate = people_services.candidate_register(phone="13900000001", password="secret-pass-1")
    client.force_login(candidate.user)
    return client


def identity_staff():
    staff = get_user_model().objects.create_user(username="identity-staff", is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="people", codename="change_identityverification"
        )
    )
    return staff


def post_identity(client, front: tuple[str, bytes], back: tuple[str, bytes] | None = None):
    back = back or ("back.png", image_bytes("PNG"))
    return client.post(
        AUTO,
        {
            "name": "张三",
            "id_number": fake_resident_id(),
            "front_image": SimpleUploadedFile(*front, content_type="image/png"),
            "back_image": SimpleUploadedFile(*back, content_type="image/png"),
        },
    )


@pytest.mark.parametrize("case", list(REFUSED))
def test_identity_page_refuses(case, candidate_client, media):
    make, _, message = REFUSED[case]
    response = post_identity(candidate_client, make())
    assert response.status_code == 200
    assert response.context["form"].errors["front_image"] == [message]
    assert message in response.content.decode()
    assert not IdentityVerification.objects.exists()
    assert stored_files(media) == []


def test_identity_photo_named_pdf_is_stored_and_served_as_png(candidate_client, client, media):
    front, back = image_bytes("JPEG"), image_bytes("PNG")
    response = post_identity(candidate_client, ("front.png", front), ("back.pdf", back))
    assert response.status_code == 302
    verification = IdentityVerification.objects.get()
    assert verification.front_image.name.endswith(".jpg")
    assert verification.back_image.name.endswith(".png")
    assert "back" in verification.back_image.name and "pdf" not in verification.back_image.name

    client.force_login(identity_staff())
    for side, content, content_type in (
        ("front", front, "image/jpeg"),
        ("back", back, "image/png"),
    ):
        url = reverse("admin:people_identityverification_photo", args=[verification.pk, side])
        response = client.get(url)
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith('inline; filename="')
        assert response["Content-Disposition"].endswith(
            f'.{content_type[6:].replace("jpeg", "jpg")}"'
        )
        assert b"".join(response.streaming_content) == content


def test_an_identity_photo_stored_before_under_the_candidates_name_is_served_by_content(
    client, media
):
    """Rows written before the check kept the candidate's file name (`back.pdf` holding a
    PNG), and were served as application/pdf: the type now comes from the content."""
    candidate = people_services.candidate_register(phone="13900000001", password="secret-pass-1")
    verification = IdentityVerification.objects.create(
        candidate=candidate,
        method=IdentityVerification.Method.MANUAL,
        id_type="passport",
        name="JOHN SMITH",
        id_number="E12345678",
    )
    verification.back_image.save("back.pdf", ContentFile(image_bytes("PNG")), save=True)
    assert verification.back_image.name.endswith("back.pdf")
    client.force_login(identity_staff())
    response = client.get(
        reverse("admin:people_identityverification_photo", args=[verification.pk, "back"])
    )
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="back.png"'
