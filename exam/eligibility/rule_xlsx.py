"""报考条件 rules as an xlsx a provincial clerk edits in Excel, and read back.

One sheet: a header row (路径 / 值 / 来源), then 截止日期 and 不符合时禁止提交, then one row per
leaf of the rules JSON with a readable path (`levels.3.本科.years`, `rules.0.years`: list
items by their position). 来源 repeats the `source` of the rule the row belongs to, to read
only. The import changes values, not the structure: its paths must be exactly those of the
rule set's current rules, and each value is read as the type the current value has. Adding
or removing a rule (opening a closed cell …) stays a change of the JSON in the form.

Reading goes through core.imports (size, zip bomb, not-an-xlsx refused in Chinese); every
refusal here is a django ValidationError naming the Excel row; the kind's parse then checks
the rules themselves (exam.eligibility.rule_changes.rule_set_rules_check)."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from core.imports.files import ImportFileError, ReadLimits, read_xlsx_rows
from core.xlsx import RowsExporter, write_xlsx
from exam.models import EligibilityRuleSet

HEADERS = ["路径", "值", "来源"]
CUTOFF = "截止日期"
BLOCKS = "不符合时禁止提交"
YES, NO = "是", "否"
TITLE = "报考条件"
NOTES = (
    ("路径", "规则中的项，系统识别用，请勿修改、增加或删除行。"),
    ("值", "只读取这一列：截止日期按 2026-12-31 填写；是/否 填“是”或“否”；年限等填整数。"),
    ("来源", "该项所属规则的依据，仅供参考，导入时不读取。"),
    ("导入", "导入后先显示预览，确认保存后才生效；增加或删除规则请在页面上修改规则（JSON）。"),
)
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class RuleSetInput:
    """What an imported sheet proposes: the same input the admin form collects."""

    rules: dict[str, Any]
    cutoff_date: datetime.date
    blocks_submission: bool


def _leaves(value: Any, path: str = "", source: str = "") -> Iterator[tuple[str, Any, str]]:
    """(path, leaf value, the source of the nearest rule) of every leaf, in order."""
    if isinstance(value, dict):
        own = value.get("source")
        source = own if isinstance(own, str) else source
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key), source)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}.{index}" if path else str(index), source)
    else:
        yield path, value, source


def rule_set_xlsx_filename(*, rule_set: EligibilityRuleSet) -> str:
    return f"{rule_set.project.name}报考条件（第{rule_set.version}版）.xlsx"


def rule_set_xlsx_export(*, rule_set: EligibilityRuleSet) -> bytes:
    """The rule set as one sheet (see the module's docstring)."""
    buffer = io.BytesIO()
    write_xlsx(rule_set_xlsx_exporter(rule_set=rule_set), buffer)
    return buffer.getvalue()


def rule_set_xlsx_exporter(*, rule_set: EligibilityRuleSet) -> RowsExporter:
    """The sheet's rows (the admin's 导出 stamps and writes them; no personal data)."""
    rows: list[list[Any]] = [
        [CUTOFF, rule_set.cutoff_date, ""],
        [BLOCKS, YES if rule_set.blocks_submission else NO, ""],
    ]
    for path, value, source in _leaves(rule_set.rules):
        rows.append(
            [path, "" if value is None else value, "" if path.endswith("source") else source]
        )
    return RowsExporter(HEADERS, rows, title=TITLE, notes=NOTES)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _refuse(row: int, path: str, message: str) -> ValidationError:
    return ValidationError(f"第 {row} 行（{path}）：{message}")


def _cell(row: int, path: str, current: Any, value: Any) -> Any:
    """The cell read as the type of the rule's current value."""
    if isinstance(value, str):
        value = value.strip()
    empty = value is None or value == ""
    if isinstance(current, bool):
        if isinstance(value, bool):
            return value
        words = {YES: True, NO: False, "TRUE": True, "FALSE": False}
        if _text(value).upper() in words:
            return words[_text(value).upper()]
        raise _refuse(row, path, f"值应为“{YES}”或“{NO}”，现为“{_text(value)}”。")
    if isinstance(current, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value):
            return int(value)
        if empty:
            raise _refuse(row, path, "值不能为空，应为整数。")
        raise _refuse(row, path, f"值应为整数，现为“{_text(value)}”。")
    if isinstance(current, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        try:
            return float(_text(value))
        except ValueError:
            raise _refuse(row, path, f"值应为数字，现为“{_text(value)}”。") from None
    if isinstance(current, str):
        if isinstance(value, str) or value is None:
            return value or ""
        raise _refuse(row, path, f"值应为文字，现为“{_text(value)}”。")
    if empty:  # current is null
        return None
    raise _refuse(row, path, "该项应为空。")


def _rebuild(template: Any, values: dict[str, tuple[int, Any]], path: str = "") -> Any:
    """`template` with each leaf replaced by the read value of its path."""
    if isinstance(template, dict):
        return {
            key: _rebuild(item, values, f"{path}.{key}" if path else str(key))
            for key, item in template.items()
        }
    if isinstance(template, list):
        return [
            _rebuild(item, values, f"{path}.{index}" if path else str(index))
            for index, item in enumerate(template)
        ]
    row, value = values[path]
    return _cell(row, path, template, value)


def _date(row: int, value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        raise _refuse(row, CUTOFF, f"应为日期，如 2026-12-31，现为“{_text(value)}”。") from None


def rule_set_xlsx_read(*, rule_set: EligibilityRuleSet, data: bytes) -> RuleSetInput:
    """An uploaded sheet as the input it proposes for `rule_set` (nothing saved);
    ValidationError (Chinese, naming the row) if the file or a row cannot be read."""
    try:
        rows = read_xlsx_rows(data, ReadLimits.from_settings(columns=len(HEADERS)))
    except ImportFileError as exc:
        raise ValidationError(str(exc)) from exc
    if not rows or [_text(c) for c in rows[0][:2]] != HEADERS[:2]:
        raise ValidationError(
            "无法识别该文件：第 1 行应为表头“路径、值、来源”。请使用本页“导出 Excel”下载的文件修改后上传。"
        )
    paths = [path for path, _, _ in _leaves(rule_set.rules)]
    expected = set(paths) | {CUTOFF, BLOCKS}
    if len(expected) != len(paths) + 2:  # a key with a "." (or named 截止日期 …)
        raise ValidationError("本规则中有无法区分的路径，不能用 Excel 导入，请在页面上修改规则。")
    values: dict[str, tuple[int, Any]] = {}
    for number, cells in enumerate(rows[1:], start=2):
        path = _text(cells[0] if cells else None)
        value = cells[1] if len(cells) > 1 else None
        if not path:
            if value not in (None, ""):
                raise ValidationError(f"第 {number} 行：有值但没有路径。")
            continue
        if path not in expected:
            raise ValidationError(
                f"第 {number} 行：路径“{path}”不是本规则中的项。请勿增加或改动路径；"
                "增加规则请在页面上修改规则（JSON）。"
            )
        if path in values:
            raise ValidationError(f"第 {number} 行：路径“{path}”与第 {values[path][0]} 行重复。")
        values[path] = (number, value)
    missing = [path for path in [CUTOFF, BLOCKS, *expected] if path not in values]
    if missing:
        listed = "、".join(sorted(set(missing))[:5])
        raise ValidationError(
            f"文件缺少 {len(set(missing))} 行：{listed}。请使用本页“导出 Excel”下载的文件，只修改“值”列。"
        )
    cutoff_row, cutoff = values[CUTOFF]
    blocks_row, blocks = values[BLOCKS]
    return RuleSetInput(
        rules=_rebuild(rule_set.rules, values),
        cutoff_date=_date(cutoff_row, cutoff),
        blocks_submission=_cell(blocks_row, BLOCKS, True, blocks),
    )
