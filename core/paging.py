"""Admin lists that do not count the whole province on every page.

Django's admin counts every row of the filtered list for its pagination: at 200,000
applications that COUNT is the slowest query of the page and grows with the province.
`BoundedCountMixin` counts at most the rows up to the page shown plus
`settings.LIST_COUNT_LIMIT`: below that the number is exact, as before; beyond it the list
says "N+" and offers 显示总数 (`?count=all`), which counts everything, on demand.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property

EXACT_COUNT_VAR = "count"  # ?count=all: the exact number, however large
EXACT_COUNT_VALUE = "all"


class AtLeast(int):
    """A count that stopped at its limit: compares as the number, prints as "N+" wherever
    the admin shows it (pagination, 选中所有的 N 个 …)."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class BoundedCountPaginator(Paginator):
    """Counts up to `limit` rows (None: all of them); `exact` says whether it got to the end."""

    template_name = "core/pagination_bounded.html"

    def __init__(self, *args, limit: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limit = limit

    @cached_property
    def count(self) -> int:
        if self.limit is None:
            return super().count
        # SELECT COUNT(*) FROM (SELECT … LIMIT n + 1): stops after n + 1 rows.
        rows: Any = self.object_list
        found = rows[: self.limit + 1].count()
        return found if found <= self.limit else AtLeast(self.limit)

    @property
    def exact(self) -> bool:
        return not isinstance(self.count, AtLeast)


class BoundedCountChangeList(ChangeList):
    """Keeps ?count=all out of the filters (it is not a field) but in the list's links."""

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(EXACT_COUNT_VAR, None)
        return lookup_params

    @cached_property
    def exact_count_url(self) -> str:
        return self.get_query_string({EXACT_COUNT_VAR: EXACT_COUNT_VALUE})


class BoundedCountMixin:
    """For a ModelAdmin whose ChangeList derives from BoundedCountChangeList."""

    paginator = BoundedCountPaginator

    def get_paginator(self, request: HttpRequest, queryset, per_page, orphans=0, **kwargs):
        limit = None
        if request.GET.get(EXACT_COUNT_VAR) != EXACT_COUNT_VALUE:
            try:
                page = max(1, int(request.GET.get(PAGE_VAR, 1)))
            except ValueError:
                page = 1
            # Up to the page shown and LIST_COUNT_LIMIT more: the pages after it stay
            # reachable, and no page counts more than that, however large the list.
            limit = page * per_page + settings.LIST_COUNT_LIMIT
        return self.paginator(queryset, per_page, orphans, limit=limit, **kwargs)
