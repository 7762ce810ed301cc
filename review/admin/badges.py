"""unfold's coloured label badges for list columns, rendered once per value.

`@display(label=colours)` renders unfold's label template for every cell: six badge columns
on a 100-row review list are 600 template renders per page. The badge depends only on its
text, so `@label_display` renders each distinct text once per process (same template, same
HTML) and reuses it.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString
from unfold.decorators import display
from unfold.utils import display_for_label


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
