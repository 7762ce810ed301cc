"""Files in S3-compatible object storage, as several web and worker machines share them.

The settings switch to a bucket by the environment alone (HBWSRC_S3_BUCKET). The rest runs
on a bucket: the S3-compatible server of the environment when there is one (`.ci/run`
starts one and runs the `files` tests against it), otherwise moto's in-process imitation of
S3, so these tests never skip. Objects are checked with boto3 itself, not through the
storage under test: an upload is an object, served only through the permission-checked
view and purged by the purge commands; an import preview survives from one request to the
next through the bucket alone; a job's result is an object and downloads.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import posixpath
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from moto import mock_aws

from core.jobs.models import Job
from core.jobs.storage import IMPORT_TMP_FOLDER
from exam.models import StagedUpload
from exam.uploads import stage_upload, staged_token
from review.job_tasks import export_job_run
from review.models import ReferenceRecord
from tests.conftest import FILE_TEST_MODULES
from tests.factories import CandidateFactory
from tests.hostile_files import image_bytes
from tests.review.import_helpers import preview
from tests.review.test_jobs import ID_A, export_job, good_rows, login, sheet_rows, upload
from tests.storage import s3_configured, use_test_storage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MOCK_BUCKET = "hbwsrc-files"


@pytest.fixture
def bucket(settings, tmp_path):
    """The default storage on a bucket; yields (boto3 Bucket, the storage's key prefix)."""
    if s3_configured():
        use_test_storage(settings, tmp_path)
        storage = storages["default"]
        yield storage.bucket, storage.location + "/"
        return
    with mock_aws():
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "core.object_storage.PrivateS3Storage",
                "OPTIONS": {
                    "bucket_name": MOCK_BUCKET,
                    "region_name": "us-east-1",
                    "location": "hbwsrc",
                    "default_acl": "private",
                    "file_overwrite": False,
                    "addressing_style": "path",
                },
            },
        }
        storage = storages["default"]
        storage.bucket.create()
        yield storage.bucket, "hbwsrc/"


def keys(bucket, prefix: str, folder: str = "") -> list[str]:
    """The bucket's keys below the storage's prefix (and `folder`), as storage names."""
    found = bucket.objects.filter(Prefix=posixpath.join(prefix, folder))
    return sorted(obj.key[len(prefix) :] for obj in found)


def local_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- settings ----------------------------------------------------------------------------------


def default_storage_of(env: dict[str, str], module: str = "config.settings.test") -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HBWSRC_S3_", "DJANGO_"))}
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_environment_alone_moves_the_files_to_a_bucket(tmp_path):
    var = {"HBWSRC_VAR_DIR": str(tmp_path)}
    on_disk = default_storage_of(var)["default"]
    assert on_disk["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert on_disk["OPTIONS"]["location"] == str(tmp_path / "private-media")

    s3_env = {
        **var,
        "HBWSRC_S3_BUCKET": "hbwsrc-media",
        "HBWSRC_S3_ENDPOINT_URL": "http://s3.example.org:9000",
        "HBWSRC_S3_REGION": "cn-central-1",
        "HBWSRC_S3_PREFIX": "/hbwsrc/prod/",
    }
    default = default_storage_of(s3_env)["default"]
    assert default["BACKEND"] == "core.object_storage.PrivateS3Storage"
    assert default["OPTIONS"] == {
        "bucket_name": "hbwsrc-media",
        "endpoint_url": "http://s3.example.org:9000",
        "region_name": "cn-central-1",
        "location": "hbwsrc/prod",
        "default_acl": "private",
        "file_overwrite": False,
        "addressing_style": "path",
        "max_memory_size": 2 * 1024 * 1024,
    }

    production = {
        **s3_env,
        "DJANGO_SECRET_KEY": "p" * 20 + "-a-long-random-production-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "rc.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }
    both = default_storage_of(production, "config.settings.production")
    assert both["default"] == default
    assert both["staticfiles"]["BACKEND"].startswith("whitenoise.")


def test_a_stored_file_has_no_link(bucket):
    """Nothing may link to an object: a presigned URL would pass every permission check."""
    url = storages["default"].url("staged/7/photo.png")
    assert url == "/private-media-not-served/staged/7/photo.png"


# --- the storage's own behaviour ----------------------------------------------------------------


def test_names_never_overwrite_and_modified_times_are_the_objects(bucket):
    store, prefix = bucket
    storage = storages["default"]
    first = storage.save("jobs/uploads/same.xlsx", ContentFile(b"first"))
    second = storage.save("jobs/uploads/same.xlsx", ContentFile(b"second"))
    assert first == "jobs/uploads/same.xlsx" and second != first
    assert keys(store, prefix, "jobs/") == sorted([first, second])
    assert store.Object(prefix + first).get()["Body"].read() == b"first"

    modified = storage.get_modified_time(first)
    assert modified == store.Object(prefix + first).last_modified
    assert abs(timezone.now() - modified) < datetime.timedelta(minutes=1)
    # A missing object reads as a missing file, as on disk (the purges rely on it).
    with pytest.raises(FileNotFoundError):
        storage.get_modified_time("jobs/uploads/gone.xlsx")
    with pytest.raises(FileNotFoundError):
        storage.open("jobs/uploads/gone.xlsx")
    assert not storage.exists("jobs/uploads/gone.xlsx")


def test_objects_are_private(bucket):
    store, prefix = bucket
    name = storages["default"].save("staged/1/photo.png", ContentFile(image_bytes()))
    grants = store.Object(prefix + name).Acl().grants
    assert grants and all(g["Grantee"].get("Type") == "CanonicalUser" for g in grants)


# --- uploads, imports, job results on the bucket ----------------------------------------------


def test_a_staged_upload_is_an_object_served_to_its_uploader_and_purged(client, bucket, settings):
    store, prefix = bucket
    candidate = CandidateFactory()
    content = image_bytes()
    staged = stage_upload(
        candidate=candidate,
        upload=SimpleUploadedFile("证书.png", content),
        content_type="image/png",
    )
    assert keys(store, prefix, "staged/") == [staged.file.name]
    assert staged.file.name.startswith(f"staged/{candidate.pk}/")
    assert local_files(settings) == []  # nothing on this machine's disk

    url = reverse("apply:staged_file", args=[staged_token(staged)])
    client.force_login(candidate.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == content
    client.force_login(CandidateFactory().user)
    assert client.get(url).status_code == 404

    StagedUpload.objects.filter(pk=staged.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    out = io.StringIO()
    call_command("purge_staged_uploads", stdout=out)
    assert "已删除 1 个" in out.getvalue()
    assert keys(store, prefix, "staged/") == []


def test_an_import_preview_reaches_the_confirm_through_the_bucket_alone(
    client, bucket, reviewers, settings, tmp_path
):
    """Preview on one web machine, 确认导入 on another: only the bucket is shared."""
    store, prefix = bucket
    login(client, reviewers, "province")
    result = preview(client, "review_referencerecord", upload(good_rows()), library="violation")
    (waiting,) = keys(store, prefix, IMPORT_TMP_FOLDER + "/")
    assert waiting.rpartition("/")[2] == result.confirm_data["import_file_name"]
    assert local_files(settings) == []

    settings.MEDIA_ROOT = tmp_path / "another-machine"  # its own, empty local disk
    response = client.post(
        reverse("admin:review_referencerecord_process_import"), result.confirm_data
    )
    assert response.status_code == 302
    assert ReferenceRecord.objects.filter(id_number=ID_A).exists()
    assert keys(store, prefix, IMPORT_TMP_FOLDER + "/") == []  # removed once confirmed


def test_unconfirmed_previews_are_purged_from_the_bucket(client, bucket, reviewers):
    store, prefix = bucket
    login(client, reviewers, "province")
    preview(client, "review_referencerecord", upload(good_rows()), library="violation")
    assert len(keys(store, prefix, IMPORT_TMP_FOLDER + "/")) == 1
    call_command("purge_jobs", stdout=io.StringIO())
    assert len(keys(store, prefix, IMPORT_TMP_FOLDER + "/")) == 1  # fresh: kept
    call_command("purge_jobs", "--upload-hours", "0", stdout=io.StringIO())
    assert keys(store, prefix, IMPORT_TMP_FOLDER + "/") == []


def test_a_job_result_is_an_object_that_downloads_and_expires(
    client, bucket, apps, reviewers, settings, django_capture_on_commit_callbacks
):
    store, prefix = bucket
    settings.JOB_THRESHOLD_ROWS = 2
    job = export_job(client, reviewers, apps, django_capture_on_commit_callbacks)
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert keys(store, prefix, "jobs/") == [job.result_file.name]
    stored = store.Object(prefix + job.result_file.name).get()["Body"].read()
    # The xlsx was written in the local scratch folder, which is gone once it is stored.
    assert local_files(settings) == []

    download = reverse("admin:jobs_job_download", args=[job.pk])
    response = client.get(download)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body == stored and len(sheet_rows(body)) > 1

    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("purge_jobs", stdout=io.StringIO())
    assert keys(store, prefix, "jobs/") == []
    assert client.get(download).status_code == 410


# --- the marker -----------------------------------------------------------------------------


def listed_test_exists(entry: str) -> bool:
    module, _, test = entry.partition("::")
    path = ROOT / module
    return path.is_file() and (not test or f"def {test}(" in path.read_text(encoding="utf-8"))


def test_every_listed_file_test_exists_and_is_marked(request):
    missing = [entry for entry in FILE_TEST_MODULES if not listed_test_exists(entry)]
    assert not missing, f"tests/conftest.py FILE_TEST_MODULES names missing tests: {missing}"
    assert not listed_test_exists("tests/core/test_object_storage.py::test_not_here")
    assert request.node.get_closest_marker("files") is not None
