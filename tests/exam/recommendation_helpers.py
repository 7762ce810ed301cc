"""Shared by the 推荐信息 tests: private media storage (autouse), a draft TCM application with
its teachers, their proofs, and the QR link's steps."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from core.models import AuditLogEntry
from exam import recommender_services as rs
from exam.models import Application, Recommender
from tests.builders import new_application
from tests.hostile_files import image_bytes
from tests.teacher_codes import confirm_identity

Role = Recommender.Role
Status = Recommender.Status
R, S = Role.RECOMMENDER, Role.SUPERVISOR


@pytest.fixture(autouse=True, name="media")
def media_fixture(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/private-media-not-served/"},
        },
    }
    return tmp_path


def signature_png(*, ink: bool = True, background=(0, 0, 0, 0), size=(300, 150)) -> bytes:
    image = Image.new("RGBA", size, background)
    if ink:
        ImageDraw.Draw(image).line([(20, 100), (120, 40), (260, 90)], fill=(0, 0, 0, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(name="app")
def app_fixture(tree, tcm_project) -> Application:
    return new_application(tcm_project, tree["420102"], track="apprenticeship")


def actor(application):
    return application.candidate.user


def add(application, physician, role=R, **kwargs):
    return rs.recommender_add(
        actor=actor(application),
        application=application,
        role=role,
        name=kwargs.get("name", physician.name),
        id_number=kwargs.get("id_number", physician.id_number),
    )


def staged(application, content=None):
    """A staged upload as UploadField hands it over."""
    from exam.uploads import stage_upload

    return stage_upload(
        candidate=application.candidate,
        upload=upload("proof.png", content or image_bytes()),
        content_type="image/png",
    )


def upload_all(teacher):
    files = {kind: staged(teacher.application) for kind, _ in rs.TEACHER_UPLOADS[teacher.role]}
    rs.recommender_attachments_save(
        actor=actor(teacher.application), recommender=teacher, files=files
    )


def actions(application) -> list[str]:
    return list(
        AuditLogEntry.objects.about(application)
        .filter(action__startswith="recommender.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def invite(teacher) -> str:
    if not teacher.attachments.exists():
        upload_all(teacher)
    return rs.recommender_invite(actor=actor(teacher.application), recommender=teacher)


def nonce_of(teacher) -> str:
    return Recommender.objects.get(pk=teacher.pk).invitation_nonce


def fresh(teacher) -> Recommender:
    return Recommender.objects.get(pk=teacher.pk)


def sign_through_services(teacher, png=None) -> Recommender:
    invite(teacher)
    nonce = nonce_of(teacher)
    confirm_identity(teacher, nonce)
    return rs.recommender_sign(
        recommender=teacher,
        nonce=nonce,
        pledge_accepted=True,
        evaluation="医德高尚，疗效确切。",
        opinion="同意推荐。",
        signature_png_bytes=png or signature_png(),
    )
