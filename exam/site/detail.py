"""查看详情 on the candidate site: every section as entered, with the candidate's own file
links. Reads only, a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass, field
from typing import Any

from exam import sections as exam_sections
from exam.models import MATERIAL_MODELS, Application, Attachment, ExamKind, Section
from exam.section_display import material_fields, section_fields
from exam.site.registry import file_url


@dataclass
class FileItem:
    label: str
    url: str
    is_image: bool


@dataclass
class Block:
    code: str
    label: str
    status: str
    status_label: str
    fields: list[tuple[str, Any]] = field(default_factory=list)
    files: list[FileItem] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # materials: {fields, file}


EMPTY = "—"


def _is_image_name(name: str) -> bool:
    return name.lower().endswith((".png", ".jpg", ".jpeg"))


def _block_fields(kind: str, section: Section) -> list[tuple[str, Any]]:
    """TCM sections and the health 基础信息 keep their values in Section.data; the other health
    sections are material rows (shown as such); their data only says 没有此证书, or is a draft."""
    if kind == ExamKind.TCM_EXPERTISE or section.code in exam_sections.HEALTH_SECTION_FIELDS:
        return section_fields(kind, section.code, section.data, empty=EMPTY)
    if (section.data or {}).get("not_applicable"):
        return [("本项", "没有此证书（不适用）")]
    return []


def build(application: Application) -> dict[str, Any]:
    kind = application.project.kind
    by_code = {s.code: s for s in Section.objects.filter(application=application)}
    files: dict[str, list[FileItem]] = {}
    for attachment in Attachment.objects.filter(application=application).select_related(
        "recommender"
    ):
        label = attachment.label
        if attachment.recommender_id:
            label = f"{attachment.recommender.name}：{label}"
        files.setdefault(attachment.section_code, []).append(
            FileItem(label, file_url(application, "attachment", attachment.pk), attachment.is_image)
        )
    rows: dict[str, list[dict[str, Any]]] = {}
    if kind == ExamKind.HEALTH_QUALIFICATION:
        for model in MATERIAL_MODELS:
            queryset = model.objects.filter(application=application)
            if model._meta.model_name == "educationrecord":
                queryset = queryset.select_related("level")
            for obj in queryset:
                image = (
                    FileItem(
                        model.LABEL,
                        file_url(application, model._meta.model_name, obj.pk),
                        _is_image_name(obj.image.name),
                    )
                    if obj.image
                    else None
                )
                rows.setdefault(model.SECTION_CODE, []).append(
                    {"fields": material_fields(obj, empty=EMPTY), "file": image}
                )
    blocks = []
    for definition in exam_sections.sections_for(kind, application.track):
        section = by_code.get(definition.code)
        if section is None:
            continue
        blocks.append(
            Block(
                code=section.code,
                label=definition.label,
                status=section.status,
                status_label=section.get_status_display(),
                fields=_block_fields(kind, section),
                files=files.get(section.code, []),
                rows=rows.get(section.code, []),
            )
        )
    is_tcm = kind == ExamKind.TCM_EXPERTISE
    return {
        "blocks": blocks,
        "is_tcm": is_tcm,
        "case_records": list(application.case_records.all()) if is_tcm else [],
        "teachers": list(application.recommenders.all()) if is_tcm else [],
        "locked_status": Section.Status.LOCKED,
    }
