"""查重 in the demo: two 医案 copied from another candidate (one across counties, one within
江岸区), then the text index built over everything the demo wrote (the demo writes its case
records in bulk, past the save hooks). Idempotent: the copies are made from the originals
the same way each time, and the rebuild starts from scratch."""

from __future__ import annotations

from exam.duplicates.texts import CASE_FIELDS, texts_rebuild
from exam.models import Application, CaseRecord, ExamKind

JIANGAN, WUCHANG = "420102", "420106"
# (source county, its n-th application, record number) → (copier county, n-th, number)
PAIRS = (
    ((JIANGAN, 0, 1), (WUCHANG, 0, 2)),
    ((JIANGAN, 1, 3), (JIANGAN, 2, 1)),
)
SWAPS = {"剂": "付", "患者": "病人", "明显": "显著", "症状": "诸症"}


def near_copy(name: str, text: str) -> str:
    """What a copier does: the first two sentences of the history swapped, a few words of
    the treatment and the analysis changed."""
    if name == "history":
        sentences = [s for s in text.split("。") if s]
        if len(sentences) > 1:
            sentences[0], sentences[1] = sentences[1], sentences[0]
        return "。".join(sentences) + "。"
    if name in ("treatment", "analysis"):
        for old, new in SWAPS.items():
            text = text.replace(old, new, 1)
    return text


def _reviewed_in(county: str) -> list[Application]:
    """TCM applications of the county that reached its review, oldest first."""
    return list(
        Application.objects.filter(
            project__kind=ExamKind.TCM_EXPERTISE, entry_institution__code=county
        )
        .exclude(county_review_status="")
        .order_by("pk")
    )


def ensure_duplicate_examples() -> dict[str, int]:
    copied = 0
    for (source_county, source_n, source_number), (copy_county, copy_n, copy_number) in PAIRS:
        sources, copiers = _reviewed_in(source_county), _reviewed_in(copy_county)
        if len(sources) <= source_n or len(copiers) <= copy_n:
            continue
        original = CaseRecord.objects.filter(
            application=sources[source_n], number=source_number
        ).first()
        target = CaseRecord.objects.filter(application=copiers[copy_n], number=copy_number).first()
        if original is None or target is None or original.application_id == target.application_id:
            continue
        for name in CASE_FIELDS:
            setattr(target, name, near_copy(name, getattr(original, name)))
        target.save(update_fields=list(CASE_FIELDS))
        copied += 1
    totals = texts_rebuild()
    return {"copied": copied, **totals}
