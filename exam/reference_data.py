"""Loading exam's reference tables from fixtures/reference/ (idempotent): 申报级别 and
类别(专业), 中医考核类别."""

from exam.models import Level, Specialty, TcmCategory
from people.reference_data import reference_rows, upsert

# 申报级别: the code is the first digit of the level's specialty codes.
LEVELS = [("1", "初级(士)", 1), ("2", "初级(师)", 2), ("3", "中级", 3)]
LEVEL_BY_NAME = {name: code for code, name, _ in LEVELS}


def load_levels_and_specialties() -> int:
    upsert(
        Level,
        [Level(code=c, name=n, sort_order=o) for c, n, o in LEVELS],
        ["code"],
        ["name", "sort_order"],
    )
    levels = {lv.code: lv for lv in Level.objects.all()}
    count = 0
    for r in reference_rows("health_exam_specialties_partial.csv"):
        Specialty.objects.update_or_create(
            level=levels[LEVEL_BY_NAME[r["level"]]],
            code=r["code"],
            defaults={
                "name": r["name"],
                "source_year": int(r["source_year"]) if r["source_year"] else None,
                "note": r["note"],
            },
        )
        count += 1
    return count


def load_tcm_categories() -> int:
    count = 0
    for r in reference_rows("tcm_categories.csv"):
        TcmCategory.objects.update_or_create(
            category_type=r["category_type"],
            name=r["name"],
            defaults={"description": r["description"], "basis": r["basis"]},
        )
        count += 1
    return count
