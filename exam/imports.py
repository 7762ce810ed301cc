"""类别(专业) import: the annual specialty table per 申报级别 (see people/admin/imports.py).

The fixtures hold only the codes confirmed so far; provincial staff import each year's
official table, which adds the missing codes and updates names, keyed by (级别, 专业代码).
"""

from __future__ import annotations

import re
from typing import Any

from import_export.fields import Field

from core.imports.base import PlatformResource
from core.imports.widgets import CodeLookupWidget, TextWidget, YearWidget
from exam.models import Level, Specialty
from people.importers import Importer, register

_CODE = re.compile(r"^\d{3}$")


class SpecialtyResource(PlatformResource):
    importer_key = "specialties"
    importer_label = "类别(专业)"
    required_columns = ("申报级别", "专业代码", "专业名称", "年度")
    text_columns = ("专业代码",)
    example_row = {
        "申报级别": "初级(师)",
        "专业代码": "203",
        "专业名称": "护理学(师)",
        "年度": 2026,
    }
    column_notes = {
        "申报级别": "级别名称（初级(士)、初级(师)、中级）或代码（1、2、3）。",
        "专业代码": "3位数字，首位是级别代码（士 1xx，师 2xx，中级 3xx）。",
        "年度": "该专业表的年度，如 2026。",
    }

    level = Field(
        "level",
        "申报级别",
        widget=CodeLookupWidget(Level, ("name", "code"), what="申报级别", render_field="name"),
    )
    code = Field("code", "专业代码", widget=TextWidget(required=True, label="专业代码"))
    name = Field("name", "专业名称", widget=TextWidget(required=True, label="专业名称"))
    source_year = Field("source_year", "年度", widget=YearWidget())

    class Meta(PlatformResource.Meta):
        model = Specialty
        fields = ("level", "code", "name", "source_year")
        import_id_fields = ("level", "code")

    def key_value(self, column: str, value: Any) -> str:
        if column == "申报级别":
            try:
                level = self.fields["level"].widget.clean(value)
            except ValueError:
                level = None
            if level is not None:
                return level.code
        return super().key_value(column, value)

    def row_errors(self, instance: Specialty, row, new: bool) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        code = instance.code or ""
        if code and not _CODE.match(code):
            errors["专业代码"] = [f"专业代码“{code}”应为3位数字。"]
        elif code and instance.level_id and not code.startswith(instance.level_id):
            errors["专业代码"] = [
                f"专业代码“{code}”与申报级别“{instance.level.name}”不符："
                f"该级别的专业代码以 {instance.level_id} 开头。"
            ]
        if instance.source_year is None and "年度" in row:
            errors["年度"] = ["年度不能为空。"]
        return errors

    def template_example(self) -> dict[str, Any]:
        return dict(self.example_row)


register(Importer(identifier="exam.specialty", resource_class=SpecialtyResource))
