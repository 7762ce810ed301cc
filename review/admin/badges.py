"""unfold's coloured label badges for list columns, rendered once per value.

`@display(label=colours)` renders unfold's label template for every cell: six badge columns
on a 100-row review list are 600 template renders per page. The badge depends only on its
text, so `@label_display` renders each distinct text once per process (same template, same
HTML) and reuses it. Per process on purpose, not the shared cache: a label and its colour
come from code (review.workflow), fixed for the life of a deploy.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString
from unfold.decorators import display
from unfold.utils import display_for_label


def colours_by_label(choices: list[tuple[str, str]], colours: dict[str, str]) -> dict[str, str]:
    """A colour map keyed by code (review.workflow's `*_COLOURS`) re-keyed by the text shown:
    unfold's label badges look the colour up by the label."""
    return {label: colours[value] for value, label in choices}


def label_display(
    *, description: str, colours: dict[str, str], ordering: str | None = None
) -> Callable:
    rendered: dict[Any, SafeString] = {}

    def decorator(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(self, obj) -> SafeString:
            value = method(self, obj)
            html = rendered.get(value)
            if html is None:
                html = rendered[value] = display_for_label(value, "-", colours)
            return html

        return display(description=description, ordering=ordering)(wrapper)

    return decorator
