"""推荐人跨区县统计 as xlsx, in the exporters' registry (review/exporters.py): the page's
导出 and, were it ever large, a background job build it the same way. Provincial staff
only, like the page."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet

from core.masking import MASK_ID
from core.xlsx import Exporter
from exam.models import Recommender
from people.permissions import is_provincial_user
from review.exporters import ListExporter, Params, register
from review.recommender_spread import (
    SpreadFilter,
    recommender_spread_list,
    recommender_spread_rows,
)

CHUNK = 500  # people per detail query


@register
class RecommenderSpreadExporter(ListExporter, Exporter):
    identifier = "review.recommenderspread"
    verbose_name = "推荐人跨区县统计"
    file_prefix = "推荐人跨区县统计"
    model = Recommender
    ordering = ()
    sort_columns = ()
    headers = ["姓名", "身份证号码", "类型", "申报数", "区县数", "区县", "考生（申报编号）"]
    text_columns = ("身份证号码",)
    masked_columns = {"身份证号码": MASK_ID}
    sheet_title = "推荐人跨区县统计"

    def __init__(self, source: QuerySet, *, user, business: int | None, spread: SpreadFilter):
        super().__init__(source)
        self.user, self.business, self.spread = user, business, spread

    @classmethod
    def available_for_user(cls, user) -> bool:
        return is_provincial_user(user)

    @classmethod
    def queryset(cls, *, user, business: int | None, params: Params) -> QuerySet:
        spread = SpreadFilter.from_params(params)
        return recommender_spread_list(user=user, business=business, spread=spread)

    @classmethod
    def create(cls, *, user, business: int | None, params: Params) -> RecommenderSpreadExporter:
        return cls(
            cls.queryset(user=user, business=business, params=params),
            user=user,
            business=business,
            spread=SpreadFilter.from_params(params),
        )

    def rows(self) -> Iterator[Sequence[Any]]:
        groups = list(self.source)
        for start in range(0, len(groups), CHUNK):
            for row in recommender_spread_rows(
                user=self.user,
                business=self.business,
                spread=self.spread,
                groups=groups[start : start + CHUNK],
            ):
                yield [
                    row.name,
                    row.id_number,
                    "、".join(row.roles),
                    row.applications,
                    row.counties,
                    "、".join(row.county_names),
                    "、".join(f"{i.candidate}（{i.pk}）" for i in row.items),
                ]
