"""医师库's 执业类别, 职称 and 从事临床工作起始年份: the words the registry accepts and the cell
readers of its import. The 中医医术确有专长 rules (exam/eligibility/tcm.py) read these fields:
a 指导老师 needs the 中医 category and 15 years of clinical work or a title of 副主任医师 or
above, so a value the rules cannot read is refused at the import, in Chinese."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from import_export.widgets import Widget

# 《医师执业注册管理办法》(2017): the four 执业类别 (中医 includes 民族医 and 中西医结合).
PRACTICE_CATEGORIES = ("临床", "中医", "口腔", "公共卫生")

# 卫生专业技术职称 of physicians, western and TCM wording, highest first.
PHYSICIAN_TITLES = (
    "主任医师",
    "主任中医师",
    "副主任医师",
    "副主任中医师",
    "主治医师",
    "主治中医师",
    "医师",
    "中医师",
    "医士",
    "中医士",
)

EARLIEST_CLINICAL_YEAR = 1940


def practice_category_normalize(value: str) -> str:
    """ "中医类别" and "中医" are one category; the registry stores the short form."""
    text = value.strip()
    return text[: -len("类别")] if text.endswith("类别") else text


class PracticeCategoryWidget(Widget):
    """执业类别: blank, or one of the four categories (with or without “类别”)."""

    def clean(self, value, row=None, **kwargs) -> str:
        text = "" if value is None else practice_category_normalize(str(value))
        if text and text not in PRACTICE_CATEGORIES:
            allowed = "、".join(PRACTICE_CATEGORIES)
            raise ValueError(f"执业类别“{value}”不是可选值（可选：{allowed}）。")
        return text

    def render(self, value, obj=None, **kwargs) -> str:
        return value or ""


class PhysicianTitleWidget(Widget):
    """职称: blank, or one of the physicians' titles."""

    def clean(self, value, row=None, **kwargs) -> str:
        text = "" if value is None else re.sub(r"\s", "", str(value))
        if text and text not in PHYSICIAN_TITLES:
            allowed = "、".join(PHYSICIAN_TITLES)
            raise ValueError(f"职称“{value}”不是可选值（可选：{allowed}）。")
        return text

    def render(self, value, obj=None, **kwargs) -> str:
        return value or ""


class ClinicalStartYearWidget(Widget):
    """从事临床工作起始年份: blank, or a year (1998, 1998.0 from a number cell, “1998年”)
    between 1940 and this year."""

    def clean(self, value, row=None, **kwargs) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise ValueError(f"从事临床工作起始年份“{value}”不是年份，请填写如 1998。")
        text = str(value).strip().removesuffix("年")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"从事临床工作起始年份“{value}”不是年份，请填写如 1998。") from exc
        if number != number.to_integral_value():
            raise ValueError(f"从事临床工作起始年份“{value}”不是年份，请填写如 1998。")
        year = int(number)
        this_year = datetime.date.today().year
        if not EARLIEST_CLINICAL_YEAR <= year <= this_year:
            raise ValueError(
                f"从事临床工作起始年份“{year}”不在 {EARLIEST_CLINICAL_YEAR} 至 {this_year} 年之间。"
            )
        return year

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)
