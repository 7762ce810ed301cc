"""The import preview's temporary upload: removed on confirm and on cancel, purged when never
confirmed, and never a path the confirm form names."""

import io
import os
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.jobs.storage import ImportTempStorage, import_tmp_dir
from people.models import ImportLog
from review.models import ReferenceRecord
from tests.review.import_helpers import preview, xlsx_bytes
from tests.review.test_jobs import ID_A, good_rows, job_settings, login, upload  # noqa: F401

pytestmark = pytest.mark.django_db


def _tmp_files():
    return sorted(p.name for p in import_tmp_dir().glob("import-*"))


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
    old = time.time() - 25 * 3600
    os.utime(import_tmp_dir() / name, (old, old))
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
