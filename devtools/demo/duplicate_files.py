"""查重 in the demo: two pairs of copied diploma photos (学历信息) on health applications that
reached the province, one side entered at 江岸区 and the other at 武昌区 (both 武汉市). So
`province` and `city_wuhan` see both sides and the side-by-side view, `county_jiangan` and
`county_wuchang` each see their own side and "另有 … 在您的审核范围之外".

- pair 1: the very same photo (相同文件, 100 %);
- pair 2: another school's diploma, and that photo re-saved at a lower JPEG quality and
  cropped by 3 % (相似图片).

Stored as PNG like the other demo certificates.

Only these four files are fingerprinted: every other demo certificate is drawn from a few
generated templates, so the same bytes recur across candidates by construction and would
flag hundreds of pairs no real data has. Idempotent: pairs already planted are left alone.
"""

from __future__ import annotations

from devtools.demo.content import store_file
from devtools.demo.diplomas import cropped, diploma, png_bytes, resaved
from exam.duplicates.files import file_item, fingerprint_store
from exam.duplicates.models import FileFingerprint
from exam.models import EducationRecord

JIANGAN, WUCHANG = "420102", "420106"


def _records(county: str) -> list[EducationRecord]:
    """The first 学历信息 of each health application from `county` at the province."""
    records = (
        EducationRecord.objects.filter(
            application__county__code=county, application__province_review_status__gt=""
        )
        .select_related("application")
        .order_by("application_id", "pk")
    )
    first: dict[int, EducationRecord] = {}
    for record in records[:200]:
        first.setdefault(record.application_id, record)
    return list(first.values())[:2]


def _plant(record: EducationRecord, filename: str, content: bytes) -> None:
    old = record.image.name
    store_file(record.image, filename, content)
    record.save(update_fields=["image"])
    if old and old != record.image.name:
        record.image.storage.delete(old)  # the generated certificate it replaces
    item = file_item(record)
    if item is not None:
        fingerprint_store(item)


def ensure_duplicate_pairs() -> int:
    """Plant the two pairs (see the module docstring); how many were planted now."""
    jiangan, wuchang = _records(JIANGAN), _records(WUCHANG)
    if len(jiangan) < 2 or len(wuchang) < 2:
        return 0
    same = diploma("刘建华", "104861201905001234")
    near = diploma("陈志明", "104871202006004321", school="江汉演示医学院", portrait=True)
    copy = cropped(resaved(near, quality=55), left=0.03, bottom=0.03)
    plan = [
        (
            (jiangan[0], "duplicate-same.png", png_bytes(same)),
            (wuchang[0], "duplicate-same.png", png_bytes(same)),
        ),
        (
            (jiangan[1], "duplicate-near.png", png_bytes(near)),
            (wuchang[1], "duplicate-near-copy.png", png_bytes(copy)),
        ),
    ]
    planted = 0
    for first, second in plan:
        refs = [f"educationrecord:{first[0].pk}", f"educationrecord:{second[0].pk}"]
        if FileFingerprint.objects.filter(ref__in=refs).count() == 2:
            continue
        _plant(*first)
        _plant(*second)
        planted += 1
    return planted
