"""The page weight of a 100-row 专项信息 page (学历信息), each row a 12 MP phone photo: with
thumbnails the browser downloads a small fraction of what the originals weigh. The figures
go to README (Performance): `pytest tests/devtools/test_page_weight.py -s`."""

import time

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from devtools.page_weight import page_weight, phone_photo
from tests.builders import in_health_business, submitted
from tests.review.materials import education
from tests.storage import use_test_storage

ROWS = 100
UNIT_A = "U420102001"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    use_test_storage(settings, tmp_path)


def test_thumbnails_cut_the_weight_of_a_100_row_materials_page(
    client, tree, reviewers, health_project
):
    content = phone_photo()
    for _ in range(ROWS):
        record = education(submitted(health_project, tree[UNIT_A]), image=False)
        record.image.save("diploma.jpg", ContentFile(content))
    client.force_login(in_health_business(reviewers["unit_a"]))
    url = reverse("admin:review_verifyeducation_changelist") + "?all="

    before = page_weight(client, url, full_size=True)
    started = time.perf_counter()
    first = page_weight(client, url)  # makes the 100 thumbnails
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    after = page_weight(client, url)  # serves them
    after_s = time.perf_counter() - started

    assert before.image_count == after.image_count == ROWS
    assert before.image_bytes == ROWS * len(content)
    assert first.image_bytes == after.image_bytes
    assert after.total_bytes * 20 < before.total_bytes
    print(  # the measurement's report
        f"\n学历信息, {ROWS} rows: before {before.total_bytes:,} B "
        f"(HTML {before.html_bytes:,} + {before.image_count} originals {before.image_bytes:,}); "
        f"after {after.total_bytes:,} B (HTML {after.html_bytes:,} + thumbnails "
        f"{after.image_bytes:,}); first view making the thumbnails {first_s:.1f} s, "
        f"then {after_s:.1f} s"
    )
