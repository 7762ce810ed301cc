"""Which sections (分项) each exam kind has, and which must be complete before submitting.

Read here and nowhere else; the candidate site (seed 000 §4.3) renders them in this order.
"""

from dataclasses import dataclass

from exam.models.projects import ExamKind


@dataclass(frozen=True)
class SectionDefinition:
    code: str
    label: str
    required: bool = True
    tracks: tuple[str, ...] = ()  # TCM: only for these 考生类型; empty = all


SECTIONS: dict[str, tuple[SectionDefinition, ...]] = {
    ExamKind.HEALTH_QUALIFICATION: (
        SectionDefinition("basic", "基础信息"),
        SectionDefinition("education", "学历信息"),
        SectionDefinition("title", "专技职称", required=False),
        SectionDefinition("physician_qualification", "医师资格证", required=False),
        SectionDefinition("physician_license", "医师执业证", required=False),
        SectionDefinition("nurse_license", "护士执业证", required=False),
        SectionDefinition("supplementary", "补充信息", required=False),
    ),
    ExamKind.TCM_EXPERTISE: (
        SectionDefinition("basic", "基本信息"),
        SectionDefinition("apprenticeship", "跟师经历", tracks=("apprenticeship",)),
        SectionDefinition("practice", "实践经历", tracks=("practice",)),
        SectionDefinition("technique", "中医药技术方法"),
        SectionDefinition("study", "学习经历"),
        SectionDefinition("expertise", "医术专长及医案"),
        SectionDefinition("credentials", "资历证明", required=False),
        SectionDefinition("recommendation", "推荐信息"),
    ),
}

_LABELS = {(kind, d.code): d.label for kind, defs in SECTIONS.items() for d in defs}


def sections_for(kind: str, track: str = "") -> tuple[SectionDefinition, ...]:
    return tuple(d for d in SECTIONS[kind] if not d.tracks or track in d.tracks)


def required_codes(kind: str, track: str = "") -> set[str]:
    return {d.code for d in sections_for(kind, track) if d.required}


def section_label(kind: str, code: str) -> str:
    return _LABELS.get((kind, code), code)
