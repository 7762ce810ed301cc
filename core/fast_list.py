"""The rows of an admin list, rendered in Python with the HTML unfold's result list renders.

unfold's `items_for_result` works out every cell from scratch: the column's field or method
(a failed model-field lookup, i.e. an exception, per method column and row), its display
attributes, the empty value, its classes; then a template loop renders each cell and row.
On a 100-row list with 16 columns that was the largest part of the page's Python time.
Here each column is worked out once per page (`column_plan`), each row is one string, and
the template (admin/change_list_results_fast.html) only joins them.

`row_html` returns None when a list needs what only unfold's own path handles (editable
columns, sortable rows, row sections, row actions, links to the change page, dropdown
cells); the template tag then renders unfold's template as before. Header cells (two lines)
are written here unless they carry a picture or initials.
"""

from __future__ import annotations

import datetime
import functools
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Private helpers of Django's own result_list, used so a column resolves exactly as there.
from django.contrib.admin.templatetags.admin_list import (  # type: ignore[attr-defined]
    _coerce_field_name,
)
from django.contrib.admin.utils import (  # type: ignore[attr-defined]
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.hashable import make_hashable
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from unfold.templatetags.unfold_list import TABLE_ACTION_CELL_CLASSES, TABLE_CELL_CLASSES
from unfold.utils import (
    display_for_field,
    display_for_header,
    display_for_label,
    display_for_value,
)

ROW_CYCLE = ("", "bg-base-50 dark:bg-white/[.02]")  # unfold's {% cycle %} on <tbody>
_PK = "__fast_list_pk__"


@dataclass
class Column:
    cell: Callable[[Any], tuple[Any, Any]]  # row → (what the cell shows, the raw value)
    classes: list[str]
    nowrap_if_date: bool  # a callable's value that is a date or time gets "nowrap"


class _PkOnly:
    pk = _PK


def _method_column(cl: ChangeList, name: str, index: int, empty: str) -> Column | None:
    model_admin = cl.model_admin
    attr = getattr(model_admin, name)
    if getattr(attr, "dropdown", False):
        return None
    classes = [f"field-{_coerce_field_name(name, index)}", *TABLE_CELL_CLASSES]
    if name == "action_checkbox":
        classes = list(TABLE_ACTION_CELL_CLASSES)
        from unfold.admin import ModelAdmin as UnfoldModelAdmin  # imports the template tags

        if type(model_admin).action_checkbox is UnfoldModelAdmin.action_checkbox:
            # The same checkbox for every row but its value: rendered once.
            html = str(attr(_PkOnly()))
            return Column(
                lambda obj: (mark_safe(html.replace(_PK, str(obj.pk))), empty), classes, False
            )
    empty = getattr(attr, "empty_value_display", empty)
    boolean = getattr(attr, "boolean", False)
    label = getattr(attr, "label", False)
    if getattr(attr, "formatting", None) == "price":
        classes.append("!text-end")

    header = getattr(attr, "header", False)
    number = _number_format()

    def cell(obj: Any) -> tuple[Any, Any]:
        value = attr(obj)
        if header:
            return _header(value, empty), value
        if label:
            return display_for_label(value, empty, label), value
        # display_for_value's two commonest cases without its isinstance chain and
        # number_format's per-call language lookups: text as it is, an integer formatted
        # with the separators worked out once per page.
        kind = type(value)
        if not boolean and (kind is str or kind is SafeString):
            return value, value
        if not boolean and kind is int:
            return number(value), value
        return display_for_value(value, empty, boolean), value

    return Column(cell, classes, True)


def _field_column(field: models.Field, name: str, index: int, empty: str) -> Column:
    classes = [f"field-{_coerce_field_name(name, index)}", *TABLE_CELL_CLASSES]
    if isinstance(field, models.DateField | models.TimeField | models.ForeignKey):
        classes.append("nowrap")
    attname = field.name

    if isinstance(field.remote_field, models.ManyToOneRel):  # a foreign key: its object

        def cell(obj: Any) -> tuple[Any, Any]:
            related = getattr(obj, attname)
            return (empty if related is None else related), None

    else:

        def cell(obj: Any) -> tuple[Any, Any]:
            return display_for_field(getattr(obj, attname), field, empty), None

    return Column(cell, classes, False)


def _header(value: Any, empty: str) -> SafeString:
    """unfold's header cell (unfold/helpers/display_header.html: a first line and a second)
    without a template render per cell; with a picture or initials (value[2:]) it renders
    unfold's template."""
    if not isinstance(value, list | tuple) or any(value[2:4]):
        return display_for_header(value, empty)
    first, second = (list(value) + ["", ""])[:2]
    return format_html(
        '<span class="flex gap-4 items-center"><span class="flex flex-col text-start">{}{}</span></div>',
        format_html('<strong class="block font-normal">{}</strong>', first) if first else "",
        format_html('<p class="text-base-500">{}</p>', second) if second else "",
    )


def _number_format() -> Callable[[int], str]:
    """formats.number_format for integers, with the active language's separators looked up
    once (number_format looks them up on every call)."""
    sample = formats.number_format(1234567)
    if sample == "1234567":  # no grouping in this language or settings
        return str
    return formats.number_format


def _escape(text: Any) -> str:
    """conditional_escape: the same result without its lazy-argument checks per call."""
    kind = type(text)
    if kind is SafeString:
        return text
    if kind is str:
        return html.escape(text)
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


_PK_NUMBER = 987654321987654321  # stands for the primary key in a URL reversed once


def pk_url(viewname: str) -> Callable[[Any], str]:
    """reverse(viewname, args=[pk]) for every row of a page, reversed once (the same
    resolver, script prefix and converters; a URL per row was a tenth of the rows' time)."""
    template = reverse(viewname, args=[_PK_NUMBER])
    return lambda pk: template.replace(str(_PK_NUMBER), str(int(pk)))


@functools.cache
def _choice_labels(model: type[models.Model], name: str) -> dict:
    field: Any = model._meta.get_field(name)
    return dict(make_hashable(field.flatchoices))


def choice_label(obj: models.Model, name: str) -> Any:
    """obj.get_<name>_display() from a dict built once per field (Django rebuilds it per call)."""
    value = getattr(obj, name)
    return _choice_labels(type(obj), name).get(make_hashable(value), value)


def column_plan(cl: ChangeList) -> list[Column] | None:
    model_admin = cl.model_admin
    if (
        cl.list_display_links is not None  # unfold links a column to the change page
        or getattr(cl, "formset", None)
        or getattr(model_admin, "ordering_field", None)
        or getattr(model_admin, "list_sections", None)
        or getattr(model_admin, "actions_row", None)
    ):
        return None
    empty = model_admin.get_empty_value_display()
    plan = []
    for index, name in enumerate(cl.list_display):
        if not isinstance(name, str):
            return None
        try:
            field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            field = None
        if field is not None:
            column = _field_column(field, name, index, empty)
        elif hasattr(model_admin, name) and name != "__str__":
            column = _method_column(cl, name, index, empty)
        else:
            column = None
        if column is None:
            return None
        plan.append(column)
    return plan


def row_html(cl: ChangeList) -> list[SafeString] | None:
    """Each row of the page as unfold renders it (<tbody><tr>cells</tr></tbody>)."""
    plan = column_plan(cl)
    if plan is None:
        return None
    empty = cl.model_admin.get_empty_value_display()
    # format_html per cell is most of the cost of a cell: the <td> is fixed per column.
    opening = [f'<td class="{" ".join(c.classes)}">' for c in plan]
    opening_nowrap = [f'<td class="{" ".join([*c.classes, "nowrap"])}">' for c in plan]
    rows = []
    for number, obj in enumerate(cl.result_list):
        cells = []
        for index, column in enumerate(plan):
            try:
                text, value = column.cell(obj)
            except ObjectDoesNotExist:
                text, value = empty, None
            nowrap = column.nowrap_if_date and isinstance(value, datetime.date | datetime.time)
            cells.append((opening_nowrap if nowrap else opening)[index])
            cells.append(_escape(text))
            cells.append("</td>")
        rows.append(
            mark_safe(
                f'<tbody class="relative {ROW_CYCLE[number % 2]}" x-data="{{rowOpen: false}}">'
                f'<tr class="data-row relative">{"".join(cells)}</tr></tbody>'
            )
        )
    return rows
