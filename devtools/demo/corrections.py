"""What a demo candidate corrects after 允许修改 (issue 16 §1): in the section the reviewer
left unlocked, a typed value, a material's number and its photo, a TCM attachment and a
病案 — so the reviewers' 修改内容 tab has something to show. Written directly, as the demo
writes what candidates fill in (devtools/demo/actors.py), inside the section's save."""

import random
import re

from devtools.demo import media as demo_media
from devtools.demo.content import MATERIAL_STYLES, store_file
from exam.models import MATERIAL_MODELS, Application, Attachment, CaseRecord, Section

CORRECTED_NOTE = "（已按审核意见补充）"
# The field of each material a candidate most often gets wrong: a number. (A 医师执业证's
# number is the registry's, in the 对比库: only its photo is replaced.)
NUMBER_FIELDS = {
    "educationrecord": "diploma_no",
    "titlecertificate": "certificate_no",
    "physicianqualification": "certificate_no",
    "nurselicense": "certificate_no",
}
DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def corrected_data(data: dict) -> dict:
    """The section's data with its first longer Chinese text completed (dates, codes and
    lists untouched)."""
    for key, value in data.items():
        if (
            isinstance(value, str)
            and len(value) >= 6
            and not DATE.match(value)
            and re.search(r"[\u4e00-\u9fff]", value)
            and not value.endswith(CORRECTED_NOTE)
        ):
            return data | {key: value + CORRECTED_NOTE}
    return data


def _new_number(value: str, rng: random.Random) -> str:
    digits = f"{rng.randrange(100):02d}"
    return (value[:-2] + digits) if len(value) > 2 else value + digits


def correct_rows(application: Application, section: Section, rng: random.Random) -> None:
    """The rows behind `section`: one material gets a new number and a new photo (health);
    one attachment is replaced and one 病案 corrected (TCM)."""
    variant = demo_media.VARIANTS + application.pk  # a photo no other candidate has
    for model in MATERIAL_MODELS:
        if section.code != model.SECTION_CODE:
            continue
        material = model.objects.filter(application=application).order_by("id").first()
        if material is None:
            continue
        name = model._meta.model_name
        field = NUMBER_FIELDS.get(name)
        if field:
            setattr(material, field, _new_number(getattr(material, field) or "", rng))
        elif name == "supplementaryinfo":
            material.note = "已按审核意见补充说明。"
        image = demo_media.certificate_png(MATERIAL_STYLES[name], variant)
        store_file(material.image, f"{application.pk}_{name}_corrected.png", image)
        material.save()
    old = (
        Attachment.objects.filter(
            application=application, section_code=section.code, recommender=None
        )
        .order_by("id")
        .first()
    )
    if old is not None:
        content = demo_media.certificate_png("tcm", variant)
        new = Attachment(
            application=application,
            section_code=old.section_code,
            kind=old.kind,
            label=old.label,
            content_type=demo_media.PNG,
            size=len(content),
        )
        store_file(new.file, f"{application.pk}_{old.kind}_corrected.png", content)
        new.save()
        old.delete()  # the candidate's replacement: the row goes (its file stays on disk)
    if section.code == "expertise":
        case = CaseRecord.objects.filter(application=application).order_by("number").first()
        if case is not None:
            case.treatment += CORRECTED_NOTE
            case.save()
