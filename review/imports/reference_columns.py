"""The 对比库's columns: each library's own (kept in `ReferenceRecord.extra` under stable
English keys) and the template's example details."""

from __future__ import annotations

from dataclasses import dataclass

ID_TYPE_COLUMN = "证件类型"


@dataclass(frozen=True)
class ExtraColumn:
    column: str
    key: str
    kind: str = "text"  # "text" or "date"
    note: str = ""
    example: str = ""


# Each library's own columns (the keys match the demo data's `extra`).
LIBRARY_COLUMNS: dict[str, tuple[ExtraColumn, ...]] = {
    "qualification": (
        ExtraColumn("资格名称", "title", example="主管护师"),
        ExtraColumn("证书编号", "certificate_no", example="2019421012345"),
    ),
    "provincial_line": (
        ExtraColumn("报考专业", "specialty", example="368 护理学"),
        ExtraColumn("成绩", "score", example="合格"),
    ),
    "physician_registry": (
        ExtraColumn("证书编号", "certificate_no", example="110420100012345"),
        ExtraColumn("执业类别", "category", example="临床"),
        ExtraColumn("执业范围", "scope", example="内科专业"),
        ExtraColumn("执业地点", "practice_institution", example="武汉市第一医院"),
    ),
    "nurse_registry": (
        ExtraColumn("证书编号", "certificate_no", example="201842001234"),
        ExtraColumn("执业地点", "practice_institution", example="武汉市第一医院"),
        ExtraColumn(
            "有效期至",
            "valid_until",
            kind="date",
            note="日期，如 2028-06-30。",
            example="2028-06-30",
        ),
    ),
    "graduate": (
        ExtraColumn("毕业院校", "school", example="湖北中医药大学"),
        ExtraColumn("专业", "major", example="护理学"),
        ExtraColumn(
            "毕业时间",
            "graduation_date",
            kind="date",
            note="日期，如 2025-06-30。",
            example="2025-06-30",
        ),
    ),
    "history": (
        ExtraColumn("报考专业", "specialty", example="368 护理学"),
        ExtraColumn("考试结果", "result", example="未合格"),
    ),
    "violation": (
        ExtraColumn("违纪行为", "violation", example="携带通讯工具进入考场"),
        ExtraColumn("处理结果", "penalty", example="当次考试全部科目成绩无效"),
    ),
    "covid_frontline": (ExtraColumn("工作单位", "unit", example="武汉市金银潭医院"),),
}

EXAMPLE_DETAIL = {
    "violation": "2023年度考试携带通讯工具进入考场，当次考试成绩无效",
    "history": "2024年度报考368 护理学，成绩未合格",
}
