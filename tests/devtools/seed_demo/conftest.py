"""The seeded demo database, shared by test_seed_demo.py and test_seed_demo_content.py: seeding
takes half a minute, so it runs once for this package, not once per module."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import override_settings

from devtools.demo.seed import seed_demo
from devtools.demo.summary import demo_counts
from tests.devtools.seed_demo.seeded import Seeded


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="package")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Seeded]:
    """Seed once for this package's two modules (twice, to compare), in a transaction rolled
    back at the end so the other modules see an empty database again. The generated files go
    to a temporary media directory, never into the repository's var/."""
    fast_hasher = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    media = tmp_path_factory.mktemp("demo-media")
    default = settings.STORAGES["default"]
    storages = override_settings(
        MEDIA_ROOT=media,
        STORAGES={
            **settings.STORAGES,
            "default": {**default, "OPTIONS": {**default.get("OPTIONS", {}), "location": media}},
        },
    )
    with django_db_blocker.unblock(), fast_hasher, storages, transaction.atomic():
        assert Path(default_storage.path("x")).parent == media
        first = seed_demo()
        counts_first = demo_counts()
        files_first = _files(media)
        second = seed_demo()
        yield Seeded(first, second, counts_first, demo_counts(), media, files_first, _files(media))
        transaction.set_rollback(True)
