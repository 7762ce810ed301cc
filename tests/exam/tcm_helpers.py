"""Shared by the TCM page tests: private media storage (autouse), upload builders, URLs, and
draft applications at 江岸区, logged in."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from exam.models import Attachment, Section
from tests.builders import new_application
from tests.hostile_files import pdf_bytes

JIANGAN, WUCHANG = "420102", "420106"


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


def image_bytes(fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 80)).save(buffer, format=fmt)
    return buffer.getvalue()


PDF = pdf_bytes()


def png(name="a.png"):
    return SimpleUploadedFile(name, image_bytes(), content_type="image/png")


def pdf(name="a.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def section_url(application, code, query=""):
    return reverse("apply:section", args=[application.pk, code]) + query


def section(application, code) -> Section:
    return application.sections.get(code=code)


def kinds(application, code):
    return sorted(
        Attachment.objects.filter(application=application, section_code=code).values_list(
            "kind", flat=True
        )
    )


@pytest.fixture(name="app_a")
def app_a_fixture(tree, tcm_project, client):
    """A draft 师承 application at 江岸区, logged in."""
    application = new_application(tcm_project, tree[JIANGAN], track="apprenticeship")
    client.force_login(application.candidate.user)
    return application


@pytest.fixture(name="app_p")
def app_p_fixture(tree, tcm_project, client):
    """A draft 多年实践 application at 江岸区, logged in."""
    application = new_application(tcm_project, tree[JIANGAN], track="practice")
    client.force_login(application.candidate.user)
    return application


BASIC = {
    "ethnicity": "汉族",
    "political_status": "群众",
    "health_status": "健康",
    "occupation": "乡村医生",
    "work_unit": "江岸区某村卫生室",
    "home_address": "湖北省武汉市江岸区解放大道1号",
    "mailing_address": "湖北省武汉市江岸区解放大道1号",
    "postal_code": "430010",
    "household_registration": "湖北省武汉市江岸区",
}


def place(county=JIANGAN, city="420100", **extra):
    return {
        "division_province": "420000",
        "division_city": city,
        "division": county,
        "address": "解放大道100号",
        "place_name": "江岸区某中医诊所",
        "started_on": "2015-03-01",
        "ended_on": "2020-02-28",
        "experience": "随师学习针灸。",
        **extra,
    }
