"""How a material's own fields read, in the 专项信息 lists' 材料信息 column and in their
exports (review/exporting.py): choices by label, dates as YYYY-MM-DD, 是 / 否."""

from decimal import Decimal

from django.db.models import Model

# Shorter labels where the guide uses them (学制 rather than the field's 学制（年）).
MATERIAL_FIELD_LABELS = {"duration_years": "学制"}


def field_value(obj: Model, name: str) -> str:
    """A material field as the reviewer reads it (choices by label, dates as YYYY-MM-DD)."""
    getter = getattr(obj, f"get_{name}_display", None)
    value = getter() if getter else getattr(obj, name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return f"{text}年" if name == "duration_years" else text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def field_label(model: type[Model], name: str) -> str:
    return MATERIAL_FIELD_LABELS.get(name) or str(model._meta.get_field(name).verbose_name)
