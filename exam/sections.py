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


# The keys of Section.data of the TCM sections (seed 000 §4.3), with their labels, in display
# order: the admin's detail page renders them from here. Dates are ISO strings (YYYY-MM-DD);
# 行政区划 is a GB/T 2260 code with its full name alongside; a value may be a list of items
# (TCM_ITEM_FIELDS gives their keys).
TCM_SECTION_FIELDS: dict[str, list[tuple[str, str]]] = {
    "basic": [
        ("name", "姓名"),
        ("gender", "性别"),
        ("birth_date", "出生日期"),
        ("ethnicity", "民族"),
        ("political_status", "政治面貌"),
        ("health_status", "健康状态"),
        ("occupation", "现从事主要职业"),
        ("work_unit", "工作单位"),
        ("home_address", "家庭住址"),
        ("mailing_address", "通讯地址"),
        ("postal_code", "邮编"),
        ("household_registration", "户籍所在地"),
    ],
    "apprenticeship": [
        ("division", "跟师学习地点行政区划代码"),
        ("division_name", "跟师学习地点行政区划"),
        ("address", "详细地址"),
        ("place_name", "学习地点名称"),
        ("started_on", "跟师学习开始时间"),
        ("ended_on", "跟师学习结束时间"),
        ("experience", "跟师学习医术及实践经历"),
        ("has_certificate", "具有《传统医学师承出师证书》"),
    ],
    "practice": [
        ("division", "医术实践地点行政区划代码"),
        ("division_name", "医术实践地点行政区划"),
        ("address", "详细地址"),
        ("place_name", "实践地点名称"),
        ("started_on", "医术实践开始时间"),
        ("ended_on", "医术实践结束时间"),
        ("experience", "医术实践经历"),
        ("origin", "医术渊源"),
        ("proof_type", "实践经历证明"),
        ("proof_issuer", "证明单位名称"),
    ],
    "technique": [
        ("disease_category", "病症分类"),
        ("method", "中医药技术方法"),
        ("technique", "医疗技术"),
        ("external_medicine", "外用药"),
        ("patients_served", "近五年服务人数"),
    ],
    "study": [
        ("has_study", "有学习经历"),
        ("records", "学习经历"),
        ("no_study_note", "无学习经历说明"),
        ("continuing_education", "继续教育经历"),
    ],
    "expertise": [
        ("content", "医术基本内容及特点"),
        ("indications", "适应症或使用范围"),
        ("safety", "安全性"),
        ("effectiveness", "有效性"),
        ("risks", "医术潜在的风险性"),
    ],
    "credentials": [
        ("title_certificate", "卫生类职称证"),
        ("title_issued_on", "卫生类职称证发证时间"),
        ("title_issuer", "卫生类职称证发证机构"),
        ("other_proof", "其他证明材料"),
        ("other_issued_on", "其他证明材料发证时间"),
        ("other_issuer", "其他证明材料发证机构"),
    ],
    "recommendation": [
        ("recommenders", "推荐医师"),
        ("supervisor_required", "需要指导老师"),
        ("supervisor", "指导老师"),
    ],
}

# The keys of Section.data of the health exam's sections that keep their content in the
# section itself (the 证明材料 are rows of their own models, see exam/models/materials.py).
HEALTH_SECTION_FIELDS: dict[str, list[tuple[str, str]]] = {
    "basic": [
        ("name", "姓名"),
        ("gender", "性别"),
        ("birth_date", "出生日期"),
        ("phone", "手机号码"),
        ("ethnicity", "民族"),
        ("political_status", "政治面貌"),
        ("work_unit", "工作单位"),
        ("work_started_on", "参加工作时间"),
        ("specialty", "申报类别(专业)"),
    ],
}


def field_labels(kind: str, code: str) -> dict[str, str]:
    """Key → label of a section's stored data, in display order."""
    table = TCM_SECTION_FIELDS if kind == ExamKind.TCM_EXPERTISE else HEALTH_SECTION_FIELDS
    return dict(table.get(code, []))


# The keys of the items of list values in TCM_SECTION_FIELDS (学习经历, 继续教育经历).
TCM_ITEM_FIELDS: dict[str, list[tuple[str, str]]] = {
    "records": [
        ("school", "学校"),
        ("education", "学历"),
        ("major", "专业"),
        ("started_on", "起始时间"),
        ("ended_on", "结束时间"),
        ("certificate_no", "学历证书编号"),
    ],
    "continuing_education": [
        ("institution", "教育机构"),
        ("started_on", "起始时间"),
        ("ended_on", "结束时间"),
        ("content", "学习内容"),
    ],
}
