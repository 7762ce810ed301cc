"""Materials for the 专项信息 tests: 学历信息 and 护士执业证 rows on the scenario's applications."""

import datetime

import pytest
from django.core.files.base import ContentFile

from exam.models import EducationRecord, NurseLicense
from people.models import EducationLevel

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
BACHELOR, COLLEGE = "20", "30"  # 本科, 大专 (GB/T 4658 categories)

# Which scenario applications hold a 大专 record (the others: 本科).
COLLEGE_APPS = {"a_pending", "a_at_city", "c_at_county"}


@pytest.fixture
def material_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/not-served/"},
        },
    }


def education(
    application,
    *,
    level: str = BACHELOR,
    image: bool = True,
    school: str = "湖北中医药大学",
    enrolled: int = 2010,
    graduated: int = 2015,
    major_type: str = "medical",
) -> EducationRecord:
    return EducationRecord.objects.create(
        application=application,
        level=EducationLevel.objects.get(code=level),
        graduation_date=datetime.date(graduated, 6, 30),
        school=school,
        certification_report_no="A1234567890",
        study_form="full_time",
        major_type=major_type,
        duration_years=5,
        enrollment_date=datetime.date(enrolled, 9, 1),
        major="护理学",
        diploma_no=f"10497{graduated}00{application.pk:04d}",
        image=ContentFile(PNG, name="edu.png") if image else "",
    )


def nurse_license(application) -> NurseLicense:
    return NurseLicense.objects.create(
        application=application,
        certificate_no=f"2015420{application.pk:05d}",
        practice_institution=application.entry_institution.name,
        issued_on=datetime.date(2016, 3, 1),
        image=ContentFile(PNG, name="nurse.png"),
    )


@pytest.fixture
def materials(apps, material_media):
    """One 学历信息 per scenario application (大专 for COLLEGE_APPS, 本科 otherwise; the
    draft's has no image) and a 护士执业证 for the applications at unit A's chain."""
    records = {
        name: education(
            app,
            level=COLLEGE if name in COLLEGE_APPS else BACHELOR,
            image=name != "a_draft",
            school="武汉大学" if name == "b_pending" else "湖北中医药大学",
            graduated=2018 if name in COLLEGE_APPS else 2015,
        )
        for name, app in apps.items()
    }
    nurses = {
        name: nurse_license(apps[name]) for name in ("a_pending", "a_at_county", "c_at_county")
    }
    return {"education": records, "nurse": nurses}
