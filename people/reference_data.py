"""Loading people's reference tables from fixtures/reference/ (idempotent: matched by code):
行政区划, 民族, 政治面貌, 学历. exam/reference_data.py and review/reference_data.py load
theirs; review's `load_reference_data` runs them all."""

import csv
from pathlib import Path

from django.conf import settings

from people.models import Division, EducationLevel, Ethnicity, PoliticalStatus

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"

# GB/T 4658 categories → the short labels exam forms use for 学历层级.
EXAM_EDUCATION_LABELS = {"10": "研究生", "20": "本科", "30": "大专", "40": "中专"}

DIVISION_LEVEL_ORDER = {"province": 0, "prefecture": 1, "county": 2}


def reference_rows(filename: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / filename, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def upsert(model, objects: list, unique_fields: list[str], update_fields: list[str]) -> None:
    model.objects.bulk_create(
        objects,
        batch_size=500,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=update_fields,
    )


def load_divisions() -> int:
    rows = sorted(
        reference_rows("china_divisions.csv"), key=lambda r: DIVISION_LEVEL_ORDER[r["level"]]
    )
    objects = [
        Division(
            code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent_code"] or None
        )
        for r in rows
    ]
    # Parents come first in `rows`, so each batch's foreign keys already exist.
    upsert(Division, objects, ["code"], ["name", "level", "parent"])
    return len(objects)


def load_ethnicities() -> int:
    objects = [
        Ethnicity(code=r["code"], name=r["name"], roman=r["roman"], letter_code=r["letter_code"])
        for r in reference_rows("ethnic_groups.csv")
    ]
    upsert(Ethnicity, objects, ["code"], ["name", "roman", "letter_code"])
    return len(objects)


def load_political_statuses() -> int:
    objects = [
        PoliticalStatus(code=r["code"], name=r["name"], full_name=r["full_name"])
        for r in reference_rows("political_status.csv")
    ]
    upsert(PoliticalStatus, objects, ["code"], ["name", "full_name"])
    return len(objects)


def load_education_levels() -> int:
    rows = sorted(reference_rows("education_levels.csv"), key=lambda r: r["kind"] != "category")
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
    upsert(EducationLevel, objects, ["code"], ["name", "kind", "parent", "exam_label"])
    return len(objects)
