"""The 查重 list's export (registered in review.exporters' registry like the other lists):
one row per pair, the side the user may not open without its personal data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils import timezone

from core.masking import MASK_ID
from core.xlsx import Exporter
from exam.duplicates.models import Match
from people.permissions import Perm
from review.duplicates import (
    match_detail_text,
    match_list,
    match_list_filter,
    may_list_duplicates,
    visible_ids,
)
from review.exporters import ListExporter, Params, register, user_has_perm_somewhere

CHUNK_SIZE = 2000
OUT_OF_SCOPE = "（审核范围之外）"
RELATED = (
    "application__candidate",
    "application__entry_institution",
    "other_application__candidate",
    "other_application__entry_institution",
)


def side_cells(application, visible: bool) -> list[str]:
    """姓名, 证件号码, 单位 of one side, or nothing personal when it is out of scope."""
    if not visible:
        return [OUT_OF_SCOPE, "", ""]
    return [
        application.candidate.name,
        application.candidate.id_number,
        application.entry_institution.name,
    ]


@register
class MatchListExporter(ListExporter, Exporter):
    identifier = "duplicates.match"
    verbose_name = "查重结果"
    file_prefix = "查重结果"
    model = Match
    ordering = ("-found_at", "-id")
    # The list's columns (review/admin/duplicates.py): 相似度 and 发现时间 sort.
    sort_columns = (None, "similarity", None, None, None, None, "found_at")

    headers: ClassVar[list[str]] = [
        "类型",
        "相似度（%）",
        "甲方姓名",
        "甲方证件号码",
        "甲方单位",
        "甲方条目",
        "乙方姓名",
        "乙方证件号码",
        "乙方单位",
        "乙方条目",
        "说明",
        "发现时间",
    ]
    text_columns = ("甲方证件号码", "乙方证件号码")
    masked_columns = {"甲方证件号码": MASK_ID, "乙方证件号码": MASK_ID}

    def __init__(self, source: QuerySet, *, user) -> None:
        super().__init__(source)
        self.user = user

    @classmethod
    def available_for_user(cls, user) -> bool:
        return user_has_perm_somewhere(user, Perm.EXPORT) and may_list_duplicates(user)

    @classmethod
    def queryset(cls, *, user, business: int | None, params: Params) -> QuerySet:
        # Every project: a copied certificate may come from an earlier year's application.
        return match_list_filter(match_list(user=user), params)

    @classmethod
    def create(cls, *, user, business: int | None, params: Params) -> MatchListExporter:
        source = cls.queryset(user=user, business=business, params=params)
        return cls(cls.order(source, user=user, params=params), user=user)

    def rows(self) -> Iterator[list[Any]]:
        chunk: list[Match] = []
        for match in self.source.select_related(*RELATED).iterator(chunk_size=CHUNK_SIZE):
            chunk.append(match)
            if len(chunk) == CHUNK_SIZE:
                yield from self._rows(chunk)
                chunk = []
        yield from self._rows(chunk)

    def _rows(self, chunk: list[Match]) -> Iterator[list[Any]]:
        ids = {m.application_id for m in chunk} | {m.other_application_id for m in chunk}
        visible = visible_ids(user=self.user, application_ids=ids) if ids else set()
        for match in chunk:
            yield [
                match.get_kind_display(),
                match.similarity,
                *side_cells(match.application, match.application_id in visible),
                match.label,
                *side_cells(match.other_application, match.other_application_id in visible),
                match.other_label,
                match_detail_text(match),
                timezone.localtime(match.found_at).strftime("%Y-%m-%d %H:%M"),
            ]
