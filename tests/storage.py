"""The storage the file-handling tests write to.

By default the disk: a private media folder in the test's tmp_path. With HBWSRC_S3_BUCKET
set (`.ci/run` runs the tests marked `files` so, against a local S3-compatible server) the
bucket of config.settings, each test under a folder of its own below TEST_FOLDER, which
tests/conftest.py removes at the end of the session. Tests check what is stored through
the storage API (`stored_files`), which means the same thing on both.
"""

from __future__ import annotations

import os
import posixpath
import uuid
from pathlib import Path

from django.conf import settings as django_settings
from django.core.files.storage import storages

TEST_FOLDER = "tests"


def s3_configured() -> bool:
    return bool(os.environ.get("HBWSRC_S3_BUCKET", "").strip())


def s3_test_root() -> str:
    """Where the tests' objects go in the bucket: below the deployment's prefix, if any."""
    prefix = django_settings.S3_STORAGE["OPTIONS"]["location"]
    return posixpath.join(prefix, TEST_FOLDER) if prefix else TEST_FOLDER


def use_test_storage(settings, tmp_path: Path) -> Path:
    """Point the default storage at this test's own place; returns MEDIA_ROOT (local: the
    SQLite-only progress files and the xlsx scratch folders stay there in either case)."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    if s3_configured():
        s3 = django_settings.S3_STORAGE
        location = posixpath.join(s3_test_root(), uuid.uuid4().hex)
        default = {**s3, "OPTIONS": {**s3["OPTIONS"], "location": location}}
    else:
        default = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": "/private-media-not-served/"},
        }
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return media


def stored_files(folder: str = "") -> list[str]:
    """Every file name in the default storage below `folder`, sorted."""
    storage = storages["default"]
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [posixpath.join(folder, name) for name in files]
    for sub in folders:
        names += stored_files(posixpath.join(folder, sub))
    return sorted(names)


def is_stored(name: str) -> bool:
    """Whether the default storage holds `name` (a FieldFile's name)."""
    return bool(name) and storages["default"].exists(name)
