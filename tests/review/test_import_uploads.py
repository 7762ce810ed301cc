"""The import preview's temporary upload: removed on confirm and on cancel, purged when never
confirmed, and never a path the confirm form names."""

import datetime
import io
import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.jobs.storage import IMPORT_TMP_FOLDER, ImportTempStorage, purge_stale_uploads
from people.models import ImportLog
from review.models import ReferenceRecord
from tests.review.import_helpers import preview, xlsx_bytes
from tests.review.test_jobs import ID_A, good_rows, job_settings, login, upload  # noqa: F401
from tests.storage import s3_configured, stored_files

pytestmark = pytest.mark.django_db


def _tmp_files():
    """The previewed uploads waiting in the storage (the disk, or the bucket)."""
    return [name.rpartition("/")[2] for name in stored_files(IMPORT_TMP_FOLDER)]


def test_previewed_upload_is_removed_on_confirm_and_on_cancel(client, reviewers):
    login(client, reviewers, "province")
    rows = good_rows()[:3]
    result = preview(client, "review_referencerecord", upload(rows), library="violation")
    assert len(_tmp_files()) == 1
    client.post(reverse("admin:review_referencerecord_process_import"), result.confirm_data)
    assert _tmp_files() == []
    assert ReferenceRecord.objects.filter(id_number=ID_A).exists()

    result = preview(client, "review_referencerecord", upload(rows), library="violation")
    assert len(_tmp_files()) == 1
    response = client.post(
        reverse("admin:review_referencerecord_process_import"),
        {**result.confirm_data, "cancel": "1"},
    )
    assert response.status_code == 302
    assert _tmp_files() == []
    assert ImportLog.objects.filter(outcome="applied").count() == 1


def test_purge_removes_uploads_never_confirmed(client, reviewers):
    login(client, reviewers, "province")
    preview(client, "review_referencerecord", upload(good_rows()[:3]), library="violation")
    (name,) = _tmp_files()
    call_command("purge_jobs", stdout=io.StringIO())
    assert _tmp_files() == [name]  # still fresh
    # A file's age is the storage's modified time (the disk's mtime, the object's
    # LastModified), which a bucket cannot backdate: the purge looks from 25 hours later.
    later = timezone.now() + datetime.timedelta(hours=25)
    assert purge_stale_uploads(max_age_hours=26, now=later) == 0
    assert _tmp_files() == [name]
    assert purge_stale_uploads(max_age_hours=24, now=later) == 1
    assert _tmp_files() == []

    preview(client, "review_referencerecord", upload(good_rows()[:3]), library="violation")
    assert len(_tmp_files()) == 1
    out = io.StringIO()
    call_command("purge_jobs", "--upload-hours", "0", stdout=out)
    assert _tmp_files() == []
    assert "删除未确认的导入文件 1 个" in out.getvalue()


@pytest.mark.skipif(s3_configured(), reason="the disk's own mtime; a bucket cannot backdate")
def test_purge_reads_the_age_of_a_file_on_disk(client, reviewers, settings):
    login(client, reviewers, "province")
    preview(client, "review_referencerecord", upload(good_rows()[:3]), library="violation")
    (name,) = _tmp_files()
    old = time.time() - 25 * 3600
    os.utime(Path(settings.MEDIA_ROOT) / IMPORT_TMP_FOLDER / name, (old, old))
    call_command("purge_jobs", stdout=io.StringIO())
    assert _tmp_files() == []


def test_confirm_form_cannot_point_at_any_file(client, reviewers, tmp_path):
    secret = tmp_path / "secret.xlsx"
    secret.write_bytes(xlsx_bytes(good_rows()))
    login(client, reviewers, "province")
    response = client.post(
        reverse("admin:review_referencerecord_process_import"),
        {
            "import_file_name": str(secret),
            "original_file_name": "x.xlsx",
            "format": "0",
            "resource": "",
            "library": "violation",
        },
    )
    assert response.status_code == 302
    assert not ReferenceRecord.objects.filter(id_number=ID_A).exists()
    storage = ImportTempStorage(name="../etc/passwd")
    with pytest.raises(FileNotFoundError):
        storage.read()
