"""unfold's dropdown and text list filters, with their widgets' HTML rendered once per
distinct widget.

A list's filter panel renders ten or so filter forms on every page, each widget through
Django's widget templates (a select includes a template per option and per attribute set):
a tenth of a list page's Python time. The HTML of a widget is a function of its template,
its context (name, value, choices, attributes: plain values) and the active language, so
`MemoRenderer` keeps it per process, keyed by exactly those, and renders anything whose
context holds other objects as before. Same templates, same HTML; the dropdown filters use
it through their form class only, so no other form's values are kept, nor what a user types
into a text filter (a name, an ID number: those widgets are cheap anyway).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from unfold.contrib.filters.admin import DropdownFilter as UnfoldDropdownFilter
from unfold.contrib.filters.admin import TextFilter
from unfold.contrib.filters.forms import DropdownForm

MAX_ENTRIES = 1000  # a widget per distinct choice list and value: bounded all the same

_PLAIN = (str, int, float, bool, type(None))
_SAFE, _LIST, _TUPLE, _DICT = object(), object(), object(), object()


class _NotPlain(Exception):
    pass


def _freeze(value: Any) -> Any:
    """A hashable key that tells apart every value the template could render differently
    (a safe string from the same text unsafe, a list from a tuple, dict order)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is SafeString:
        return (_SAFE, str(value))
    if isinstance(value, Promise):
        return _freeze(str(value))  # what the template renders of it
    if kind is dict:
        return (_DICT, *((k, _freeze(v)) for k, v in value.items()))
    if kind is list:
        return (_LIST, *(_freeze(v) for v in value))
    if kind is tuple:
        return (_TUPLE, *(_freeze(v) for v in value))
    raise _NotPlain


class MemoRenderer(DjangoTemplates):
    """Django's default renderer, keeping the HTML of widgets with plain contexts. Off under
    DEBUG, where a template edited on disk must show at once."""

    def __init__(self) -> None:
        super().__init__()
        self.rendered: dict[Any, str] = {}

    def render(self, template_name: str, context: dict, request=None) -> str:
        if settings.DEBUG or request is not None:
            return super().render(template_name, context, request)
        try:
            key = (get_language(), template_name, _freeze(context))
        except _NotPlain:
            return super().render(template_name, context, request)
        html = self.rendered.get(key)
        if html is None:
            html = super().render(template_name, context, request)
            if len(self.rendered) >= MAX_ENTRIES:
                self.rendered.clear()
            self.rendered[key] = html
        return html


MEMO_RENDERER = MemoRenderer()


class _DropdownForm(DropdownForm):
    default_renderer = MEMO_RENDERER


class DropdownFilter(UnfoldDropdownFilter):
    form_class = _DropdownForm


__all__ = ["DropdownFilter", "TextFilter"]  # TextFilter: unfold's, as it is
