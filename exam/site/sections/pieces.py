"""Attachment slots that need a number of pieces (患者推荐证明（10份）): each image is one
piece, each PDF as many as its pages (a candidate may scan the ten into one PDF)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from exam.completeness.tcm import pieces_of


def check_pieces(form: Any, slot: Any, cleaned: dict[str, Any]) -> None:
    """For a TcmSectionForm's slot that needs `slot.pieces`: an error saying how many are
    missing. Code "required", and the new file stays in `cleaned`: 暂存 and 上传并继续添加
    keep it (they add the ten one at a time)."""
    if not slot.pieces:
        return
    value = cleaned.get(slot.field)
    have = sum(pieces_of(item) for item in [*form.kept(slot), value])
    if have >= slot.pieces:
        return
    form.add_error(
        slot.field,
        ValidationError(
            f"{slot.label}共需{slot.pieces}份（PDF按页计），已上传{have}份，"
            f"还差{slot.pieces - have}份。",
            code="required",
        ),
    )
    if value:
        cleaned[slot.field] = value
