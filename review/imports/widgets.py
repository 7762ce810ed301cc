"""Cell readers with Chinese errors for the things Excel does to our data."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from import_export.widgets import Widget

# Excel shows a long number typed into a General cell as 4.2010219900101E+17.
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")


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
        return re.sub(r"\s", "", str(value)).upper()

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
            year = int(Decimal(str(value).strip()))
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(f"年度“{value}”不是数字。") from exc
        if not 1949 <= year <= datetime.date.today().year + 1:
            raise ValueError(f"年度“{year}”超出合理范围。")
        return year

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)
