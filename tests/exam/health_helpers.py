"""Shared by the health-exam candidate-site tests: private media storage (autouse), uploads,
URLs, and a draft application at 单位A, logged in."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from exam.models import (
    Application,
    Section,
)
from tests.builders import new_application

UNIT_A = "U420102001"


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


def image_bytes(fmt: str = "PNG", colour=(10, 120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str = "cert.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or image_bytes(), content_type="image/png")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def section_url(application: Application, code: str) -> str:
    return reverse("apply:section", args=[application.pk, code])


def overview_url(application: Application) -> str:
    return reverse("apply:overview", args=[application.pk])


def section(application: Application, code: str) -> Section:
    return application.sections.get(code=code)


@pytest.fixture(name="unit")
def unit_fixture(tree):
    return tree[UNIT_A]


@pytest.fixture(name="app")
def app_fixture(health_project, unit, client):
    application = new_application(health_project, unit)
    client.force_login(application.candidate.user)
    return application


def education_data(**overrides) -> dict:
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
        "certification_report_no": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def add_education(client, app, **overrides):
    overrides.setdefault("image", upload("diploma.png"))
    data = education_data(**overrides)
    return client.post(section_url(app, "education"), data)


TITLE = {
    "action": "save",
    "title_name": "护师",
    "title_level": "junior",
    "certificate_no": "2019042012345",
    "issued_on": "2019-10-12",
    "issuing_authority": "湖北省卫生健康委员会",
}
