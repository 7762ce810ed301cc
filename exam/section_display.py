"""Section data and material rows as (label, value) pairs, read the same way by both 查看详情
pages: the candidate's (exam/site/detail.py) and the reviewers' (review/admin/detail.py).
The pages differ only in what an empty value shows (`empty`) and in their file links."""

from typing import Any

from django.db.models import FileField, Model

from exam import sections as exam_sections
from exam.models.materials import MATERIAL_BASE_FIELDS


def display_value(value: Any, item_labels: dict[str, str] | None = None, *, empty: str) -> Any:
    """是/否 for booleans, `empty` for nothing, list items (学习经历 …) as labelled text."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return empty
    if isinstance(value, list):
        labels = item_labels or {}
        parts = [
            "，".join(f"{labels.get(k, k)}：{v}" for k, v in item.items())
            if isinstance(item, dict)
            else str(item)
            for item in value
        ]
        return "；".join(parts) or "无"
    return value


def section_fields(kind: str, code: str, data: dict | None, *, empty: str) -> list[tuple[str, Any]]:
    """A section's stored values with their labels, in the order exam/sections.py gives;
    keys it does not know (older data) follow under their own names."""
    data = data or {}
    labels = exam_sections.field_labels(kind, code)
    ordered = [k for k in labels if k in data] + [k for k in data if k not in labels]
    return [
        (
            labels.get(key, key),
            display_value(data[key], dict(exam_sections.TCM_ITEM_FIELDS.get(key, [])), empty=empty),
        )
        for key in ordered
    ]


def material_fields(obj: Model, *, empty: str) -> list[tuple[str, Any]]:
    """A material row's own fields (not the ones every material shares, not its file)."""
    result = []
    for f in obj._meta.concrete_fields:
        if f.name in MATERIAL_BASE_FIELDS or isinstance(f, FileField):
            continue
        getter = getattr(obj, f"get_{f.name}_display", None)
        value = getter() if getter else getattr(obj, f.name)
        result.append((str(f.verbose_name), display_value(value, empty=empty)))
    return result
