"""Completeness of the health exam's sections (卫生专业技术资格考试).

基础信息: its four typed values. 学历信息: at least one record with its 毕业证书 image.
The optional certificates: declared absent (没有此证书), or the material saved with every
required field and its image (补充信息: the image only for 抗疫一线 candidates)."""

from collections.abc import Callable
from typing import Any

from exam.models import (
    Application,
    EducationRecord,
    Material,
    NurseLicense,
    PhysicianLicense,
    PhysicianQualification,
    SupplementaryInfo,
    TitleCertificate,
)

NOT_APPLICABLE_KEY = "not_applicable"
BASIC_KEYS = ("phone", "ethnicity", "political_status", "work_started_on")

# model, its required fields, whether 没有此证书 is offered
MATERIALS: dict[str, tuple[type[Material], tuple[str, ...], bool]] = {
    "title": (
        TitleCertificate,
        ("title_name", "title_level", "certificate_no", "issued_on", "issuing_authority"),
        True,
    ),
    "physician_qualification": (
        PhysicianQualification,
        ("certificate_no", "category", "level", "issued_on"),
        True,
    ),
    "physician_license": (
        PhysicianLicense,
        ("certificate_no", "category", "scope", "practice_institution", "issued_on"),
        True,
    ),
    "nurse_license": (
        NurseLicense,
        ("certificate_no", "practice_institution", "issued_on"),
        True,
    ),
    "supplementary": (SupplementaryInfo, ("work_started_on", "years_in_specialty"), False),
}


def _filled(value: Any) -> bool:
    return value not in (None, "")


def basic_complete(application: Application, data: dict[str, Any]) -> bool:
    return all(_filled(data.get(key)) for key in BASIC_KEYS)


def education_complete(application: Application, data: dict[str, Any]) -> bool:
    return any(
        record.image
        for record in EducationRecord.objects.filter(application=application).only("image")
    )


def _material_rule(code: str) -> Callable[[Application, dict[str, Any]], bool]:
    model, required, offers_none = MATERIALS[code]

    def rule(application: Application, data: dict[str, Any]) -> bool:
        if offers_none and data.get(NOT_APPLICABLE_KEY) is True:
            return True
        material = model.objects.filter(application=application).order_by("pk").first()
        if material is None or not all(_filled(getattr(material, f)) for f in required):
            return False
        needs_image = material.covid_frontline if model is SupplementaryInfo else True
        return bool(material.image) or not needs_image

    return rule


RULES: dict[str, Callable[[Application, dict[str, Any]], bool]] = {
    "basic": basic_complete,
    "education": education_complete,
    **{code: _material_rule(code) for code in MATERIALS},
}
