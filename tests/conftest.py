"""Shared fixtures. Reference data is loaded once per session into the test database;
`reference_data` reloads it for transactional tests, which flush every table afterwards."""

import datetime

import pytest
from django.utils import timezone

from exam.models import ExamKind, ExamProject
from people.models import Division
from review.reference_data import load_reference_data
from tests.storage import s3_configured, s3_test_root
from tests.tree import build_tree, ensure_reviewers

# The tests of file handling (uploads, staged uploads, import preview and confirm, job results
# and their download, the purge commands, private file serving): marked `files`, which
# `.ci/run` runs a second time against object storage (`-m files` with HBWSRC_S3_BUCKET).
# Each of these modules points the default storage at tests/storage.py's test storage; a
# `module::test` entry marks that test alone (all its parameters).
FILE_TEST_MODULES = (
    "tests/core/test_object_storage.py",
    "tests/exam/test_attachment_writes.py",
    "tests/exam/test_duplicate_files.py",
    "tests/exam/test_material_writes.py",
    "tests/exam/test_site_core.py",
    "tests/review/test_admin_review.py::test_detail_history_and_files_only_in_scope",
    "tests/review/test_image_viewer.py",
    "tests/review/test_import_uploads.py",
    "tests/review/test_job_restart.py",
    "tests/review/test_jobs.py",
    "tests/review/test_retention_purge.py",
    "tests/review/test_return_changes.py",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        test = item.nodeid.split("[", 1)[0]
        if test.split("::", 1)[0] in FILE_TEST_MODULES or test in FILE_TEST_MODULES:
            item.add_marker(pytest.mark.files)


@pytest.fixture(scope="session", autouse=True)
def object_storage_bucket():
    """With HBWSRC_S3_BUCKET: the bucket exists before the first test (created on a fresh
    S3-compatible server) and the tests' objects are removed at the end."""
    if not s3_configured():
        yield None
        return
    from botocore.exceptions import ClientError
    from django.conf import settings
    from django.core.files.storage import storages

    storage = storages.create_storage(settings.S3_STORAGE)
    client = storage.connection.meta.client
    try:
        client.head_bucket(Bucket=storage.bucket_name)
    except ClientError as exc:
        if exc.response["ResponseMetadata"]["HTTPStatusCode"] != 404:
            raise
        region = storage.region_name
        extra = (
            {"CreateBucketConfiguration": {"LocationConstraint": region}}
            if region and region != "us-east-1"
            else {}
        )
        client.create_bucket(Bucket=storage.bucket_name, **extra)
    yield storage.bucket
    storage.bucket.objects.filter(Prefix=s3_test_root() + "/").delete()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a database file, not Django's shared in-memory database.

    With the in-memory database every thread of the browser tests' live server shares one
    connection, so a page that loads several permission-checked files at once (the three
    signature images of 推荐信息) ran concurrent queries on it; one request then read no
    session and answered by deleting the session cookie. A file gives each thread its own
    connection and SQLite's locking does the rest."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()
        ensure_reviewers(build_tree())


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # PBKDF2 costs ~0.2 s per account; the tests create dozens.
    # The session-wide demo accounts are created before this applies, hence PBKDF2 second.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture
def reference_data(db):
    if not Division.objects.exists():
        load_reference_data()


@pytest.fixture
def tree(reference_data):
    """The review tree (province, 17 市州, every county bureau, ten units): tests/tree.py."""
    return build_tree()


@pytest.fixture
def reviewers(tree):
    """province, city_wuhan, city_yichang, county_jiangan, county_wuchang, unit_a/b/c."""
    return ensure_reviewers(tree)


def _open_window() -> tuple[datetime.datetime, datetime.datetime]:
    now = timezone.now()
    return now - datetime.timedelta(days=10), now + datetime.timedelta(days=30)


@pytest.fixture
def health_project(db):
    opens, closes = _open_window()
    return ExamProject.objects.create(
        kind=ExamKind.HEALTH_QUALIFICATION,
        year=2026,
        name="2026年卫生专业技术资格考试",
        registration_opens_at=opens,
        registration_closes_at=closes,
    )


@pytest.fixture
def tcm_project(db):
    opens, closes = _open_window()
    return ExamProject.objects.create(
        kind=ExamKind.TCM_EXPERTISE,
        year=2026,
        name="2026年湖北省中医医术确有专长人员医师资格考核",
        registration_opens_at=opens,
        registration_closes_at=closes,
    )
