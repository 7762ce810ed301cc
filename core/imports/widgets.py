"""Cell readers with Chinese errors for the things Excel does to our data."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from import_export.widgets import Widget

# Excel shows a long number typed into a General cell as 4.2010219900101E+17.
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
_WHITESPACE = re.compile(r"\s")


class IdNumberWidget(Widget):
    """证件号码: must arrive as text. A number (or its scientific notation) means Excel
    converted it and the last digits are lost, so the row is refused, not guessed."""

    def clean(self, value, row=None, **kwargs) -> str:
        if value is None or value == "":
            raise ValueError("证件号码不能为空。")
        if isinstance(value, (int, float, Decimal)) or _SCIENTIFIC.match(str(value).strip()):
            raise ValueError(
                f"证件号码“{value}”被 Excel 转成了数字，末几位已丢失。"
                "请把该列设置为“文本”格式后重新填写。"
            )
        return _WHITESPACE.sub("", str(value)).upper()

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class TextWidget(Widget):
    """Plain text; a number Excel made of a code (e.g. 420102.0) is turned back into text."""

    def __init__(self, required: bool = False, label: str = "") -> None:
        self.required = required
        self.label = label

    def clean(self, value, row=None, **kwargs) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        if self.required and not text:
            raise ValueError(f"{self.label or '此列'}不能为空。")
        return text

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


class DateWidget(Widget):
    """Dates as Excel dates or as text in the usual Chinese forms; impossible dates refused."""

    def __init__(self, required: bool = False) -> None:
        self.required = required

    def clean(self, value, row=None, **kwargs) -> datetime.date | None:
        if value is None or value == "":
            if self.required:
                raise ValueError("日期不能为空。")
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for fmt in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"日期“{text}”不存在或格式不正确，请写成 2024-06-30 这样的形式。")

    def render(self, value, obj=None, **kwargs) -> str:
        return value.isoformat() if value else ""


class YearWidget(Widget):
    def clean(self, value, row=None, **kwargs) -> int | None:
        if value is None or value == "":
            return None
        try:
            year = value if type(value) is int else int(Decimal(str(value).strip()))
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(f"年度“{value}”不是数字。") from exc
        if not 1949 <= year <= datetime.date.today().year + 1:
            raise ValueError(f"年度“{year}”超出合理范围。")
        return year

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class YesNoWidget(Widget):
    """是/否 columns (推荐医师, 指导老师 …). Empty means 否."""

    TRUE = ("是", "Y", "YES", "TRUE", "1", "√")
    FALSE = ("否", "N", "NO", "FALSE", "0", "×", "")

    def clean(self, value, row=None, **kwargs) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        text = "" if value is None else str(value).strip().upper()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"“{value}”不是“是”或“否”。")

    def render(self, value, obj=None, **kwargs) -> str:
        return "是" if value else "否"


class ChoiceLabelWidget(Widget):
    """A choice written by its Chinese label (e.g. 层级: 省级/市州/区县/单位)."""

    def __init__(self, choices, required: bool = True) -> None:
        self.choices = list(choices)
        self.required = required

    def clean(self, value, row=None, **kwargs) -> str:
        text = "" if value is None else str(value).strip()
        if not text:
            if self.required:
                raise ValueError("不能为空。")
            return ""
        for key, label in self.choices:
            if text in (str(label), str(key)):
                return key
        allowed = "、".join(str(label) for _, label in self.choices)
        raise ValueError(f"“{text}”不是可选值（可选：{allowed}）。")

    def render(self, value, obj=None, **kwargs) -> str:
        return str(dict(self.choices).get(value, value or ""))


class CodeLookupWidget(Widget):
    """A related row named by its code (机构编码, 申报级别代码 …): unknown codes are refused in
    Chinese. `fields` are tried in order (e.g. ("code", "name") accepts either)."""

    def __init__(
        self,
        model,
        fields: tuple[str, ...] = ("code",),
        *,
        what: str = "编码",
        required: bool = True,
        queryset=None,
        render_field: str | None = None,
    ) -> None:
        self.model = model
        self.fields = fields
        self.what = what
        self.required = required
        self._queryset = queryset
        self.render_field = render_field or fields[0]

    def get_queryset(self):
        return self._queryset if self._queryset is not None else self.model._default_manager.all()

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        if not text:
            if self.required:
                raise ValueError("不能为空。")
            return None
        for field in self.fields:
            match = self.get_queryset().filter(**{field: text}).first()
            if match is not None:
                return match
        raise ValueError(f"未找到{self.what}“{text}”。")

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(getattr(value, self.render_field, value))
