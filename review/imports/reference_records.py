"""对比库 import: the records of one comparison library, chosen on the import page.

Keyed by (对比库, 证件号码, 年度). The columns every library has are 证件号码, 姓名, 年度, 来源,
说明 (e.g. the violation and its year); each library adds its own columns, kept in
`ReferenceRecord.extra` under stable English keys. An optional 对比库 column (as the export
writes it) must name the chosen library, so an exported file can be imported again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from import_export.fields import Field
from unfold.widgets import UnfoldAdminSelectWidget

from people.models.candidates import IdType, validate_id_document
from review.imports.base import PlatformResource
from review.imports.widgets import (
    ChoiceLabelWidget,
    DateWidget,
    IdNumberWidget,
    TextWidget,
    YearWidget,
)
from review.models import ReferenceLibrary, ReferenceRecord


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

ID_TYPE_COLUMN = "证件类型"


class ReferenceLibraryForm(forms.Form):
    """The import page's extra field: which 对比库 the file fills."""

    library = forms.ModelChoiceField(
        label="对比库",
        queryset=ReferenceLibrary.objects.order_by("sort_order"),
        to_field_name="code",
        empty_label="请选择对比库",
        widget=UnfoldAdminSelectWidget,
        help_text="文件中的记录全部导入到这个对比库。",
    )


def _extra_text(value: Any, kind: str) -> str:
    if kind == "date":
        date = DateWidget().clean(value)
        return date.isoformat() if date else ""
    return TextWidget().clean(value)


class ReferenceRecordResource(PlatformResource):
    importer_key = "reference_records"
    importer_label = "对比库记录"
    required_columns = ("证件号码", "姓名", "年度")
    text_columns = ("证件号码", "证书编号")
    duplicate_key_columns = ("证件号码", "年度")
    column_notes = {
        "对比库": "可不填；填写时必须与导入页面所选的对比库一致。",
        "证件号码": "必须是“文本”格式的单元格；居民身份证号码会校验校验位、出生日期和地区码。",
        ID_TYPE_COLUMN: "可不填，默认居民身份证；也可填港澳居民来往内地通行证、护照等。",
        "年度": "四位数字，如 2024。",
        "来源": "数据来源，如“考试违纪违规人员处理名单”。",
        "说明": "如违纪情况及年度、考试结果等。",
    }

    library_name = Field(column_name="对比库", widget=TextWidget())
    id_number = Field("id_number", "证件号码", widget=IdNumberWidget())
    id_type = Field(column_name=ID_TYPE_COLUMN, widget=TextWidget())
    name = Field("name", "姓名", widget=TextWidget(required=True, label="姓名"))
    year = Field("year", "年度", widget=YearWidget())
    source = Field("source", "来源", widget=TextWidget())
    detail = Field("detail", "说明", widget=TextWidget())

    class Meta(PlatformResource.Meta):
        model = ReferenceRecord
        fields = ("library_name", "id_number", "id_type", "name", "year", "source", "detail")
        import_id_fields = ("id_number", "year")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.library: ReferenceLibrary | None = self.options.get("library")
        for extra in self.library_columns():
            self.fields[f"extra_{extra.key}"] = Field(
                column_name=extra.column,
                widget=DateWidget() if extra.kind == "date" else TextWidget(),
                dehydrate_method=lambda obj, key=extra.key: (obj.extra or {}).get(key, ""),
            )

    def library_columns(self) -> tuple[ExtraColumn, ...]:
        if self.library is None:
            return ()
        return LIBRARY_COLUMNS.get(self.library.code, ())

    # --- template -----------------------------------------------------------------------

    def template_example(self) -> dict[str, Any]:
        library = self.library
        example = {
            "对比库": library.name if library else "",
            "证件号码": "420102199001011236",
            ID_TYPE_COLUMN: "居民身份证",
            "姓名": "张三",
            "年度": 2024,
            "来源": "",
            "说明": EXAMPLE_DETAIL.get(library.code if library else "", ""),
        }
        for extra in self.library_columns():
            example[extra.column] = extra.example
        return example

    def template_notes(self) -> list[tuple[str, str]]:
        notes = super().template_notes()
        by_column = {e.column: e for e in self.library_columns()}
        return [
            (c, f"{n}{by_column[c].note}" if c in by_column and by_column[c].note else n)
            for c, n in notes
        ]

    # --- import -------------------------------------------------------------------------

    def get_queryset(self):
        queryset = ReferenceRecord.objects.all()
        if self.library is not None:
            queryset = queryset.filter(library=self.library)
        return queryset

    def init_instance(self, row=None) -> ReferenceRecord:
        return ReferenceRecord(library=self.library)

    def check_columns(self, headers: list[str]) -> list[str]:
        if self.library is None:
            return ["请选择要导入的对比库。"]
        return super().check_columns(headers)

    def import_instance(self, instance: ReferenceRecord, row, **kwargs) -> None:
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.message_dict
        extra = dict(instance.extra or {})
        for column in self.library_columns():
            if column.column not in row:
                continue
            try:
                value = _extra_text(row[column.column], column.kind)
            except ValueError as exc:
                errors.setdefault(column.column, []).append(str(exc))
                continue
            if value:
                extra[column.key] = value
            else:
                extra.pop(column.key, None)
        instance.extra = extra
        if errors:
            raise ValidationError(errors)

    def row_errors(self, instance, row, new) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        named = TextWidget().clean(row.get("对比库"))
        if (
            named
            and self.library is not None
            and named not in (self.library.name, self.library.code)
        ):
            errors["对比库"] = [f"“{named}”与所选对比库“{self.library.name}”不一致。"]
        id_type = IdType.RESIDENT_ID
        label = TextWidget().clean(row.get(ID_TYPE_COLUMN))
        if label:
            try:
                id_type = ChoiceLabelWidget(IdType.choices).clean(label)
            except ValueError as exc:
                errors[ID_TYPE_COLUMN] = [str(exc)]
        if instance.id_number and ID_TYPE_COLUMN not in errors:
            try:
                instance.id_number = validate_id_document(id_type, instance.id_number).number
            except ValidationError as exc:
                errors["证件号码"] = [
                    f"证件号码“{instance.id_number}”无效：{'；'.join(exc.messages)}"
                ]
        if instance.year is None and "年度" in row:
            errors["年度"] = ["年度不能为空。"]
        return errors

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        return (instance.extra or {}) == (original.extra or {})

    # --- export -------------------------------------------------------------------------

    def dehydrate_library_name(self, obj: ReferenceRecord) -> str:
        return obj.library.name

    def dehydrate_id_type(self, obj: ReferenceRecord) -> str:
        return ""
