"""Loading the reference tables in fixtures/reference/ (idempotent: matched by code)."""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from exam.models import Level, Specialty, TcmCategory
from people.models import Division, EducationLevel, Ethnicity, PoliticalStatus
from review.models import ReferenceLibrary

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"

# GB/T 4658 categories → the short labels exam forms use for 学历层级.
EXAM_EDUCATION_LABELS = {"10": "研究生", "20": "本科", "30": "大专", "40": "中专"}

# 申报级别: the code is the first digit of the level's specialty codes.
LEVELS = [("1", "初级(士)", 1), ("2", "初级(师)", 2), ("3", "中级", 3)]
LEVEL_BY_NAME = {name: code for code, name, _ in LEVELS}

DIVISION_LEVEL_ORDER = {"province": 0, "prefecture": 1, "county": 2}


def _rows(filename: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / filename, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _upsert(model, objects: list, unique_fields: list[str], update_fields: list[str]) -> None:
    model.objects.bulk_create(
        objects,
        batch_size=500,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=update_fields,
    )


def load_divisions() -> int:
    rows = sorted(_rows("china_divisions.csv"), key=lambda r: DIVISION_LEVEL_ORDER[r["level"]])
    objects = [
        Division(
            code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent_code"] or None
        )
        for r in rows
    ]
    # Parents come first in `rows`, so each batch's foreign keys already exist.
    _upsert(Division, objects, ["code"], ["name", "level", "parent"])
    return len(objects)


def load_ethnicities() -> int:
    objects = [
        Ethnicity(code=r["code"], name=r["name"], roman=r["roman"], letter_code=r["letter_code"])
        for r in _rows("ethnic_groups.csv")
    ]
    _upsert(Ethnicity, objects, ["code"], ["name", "roman", "letter_code"])
    return len(objects)


def load_political_statuses() -> int:
    objects = [
        PoliticalStatus(code=r["code"], name=r["name"], full_name=r["full_name"])
        for r in _rows("political_status.csv")
    ]
    _upsert(PoliticalStatus, objects, ["code"], ["name", "full_name"])
    return len(objects)


def load_education_levels() -> int:
    rows = sorted(_rows("education_levels.csv"), key=lambda r: r["kind"] != "category")
    objects = [
        EducationLevel(
            code=r["code"],
            name=r["name"],
            kind=r["kind"],
            parent_id=r["parent_code"] or None,
            exam_label=EXAM_EDUCATION_LABELS.get(r["code"], ""),
        )
        for r in rows
    ]
    _upsert(EducationLevel, objects, ["code"], ["name", "kind", "parent", "exam_label"])
    return len(objects)


def load_levels_and_specialties() -> int:
    _upsert(
        Level,
        [Level(code=c, name=n, sort_order=o) for c, n, o in LEVELS],
        ["code"],
        ["name", "sort_order"],
    )
    levels = {lv.code: lv for lv in Level.objects.all()}
    count = 0
    for r in _rows("health_exam_specialties_partial.csv"):
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
    for r in _rows("tcm_categories.csv"):
        TcmCategory.objects.update_or_create(
            category_type=r["category_type"],
            name=r["name"],
            defaults={"description": r["description"], "basis": r["basis"]},
        )
        count += 1
    return count


# 对比库 (seed 003 §2.3), in the order the review page lists them.
REFERENCE_LIBRARIES = [
    ("qualification", "资格库", "资格", False),
    ("provincial_line", "省线库", "省线", False),
    ("physician_registry", "医师注册库", "医师注册", False),
    ("nurse_registry", "护士注册库", "护士注册", False),
    ("graduate", "本科应届生库", "应届生", False),
    ("history", "历史考生库", "历史考生", False),
    ("violation", "违纪考生库", "违纪", True),
    ("covid_frontline", "抗击新冠肺炎疫情一线人员", "抗疫一线", False),
]


def load_reference_libraries() -> int:
    objects = [
        ReferenceLibrary(code=c, name=n, flag_label=f, needs_attention=a, sort_order=i)
        for i, (c, n, f, a) in enumerate(REFERENCE_LIBRARIES)
    ]
    _upsert(
        ReferenceLibrary, objects, ["code"], ["name", "flag_label", "needs_attention", "sort_order"]
    )
    return len(objects)


@transaction.atomic
def load_reference_data() -> dict[str, int]:
    return {
        "行政区划": load_divisions(),
        "民族": load_ethnicities(),
        "政治面貌": load_political_statuses(),
        "学历": load_education_levels(),
        "类别(专业)（部分）": load_levels_and_specialties(),
        "中医考核类别": load_tcm_categories(),
        "对比库": load_reference_libraries(),
    }
