"""Private media (and the previewed imports' folder in it) in the test's own place: the job
and import tests write result files and uploads there, never to var/. The disk, or the
bucket when the tests run against object storage (tests/storage.py)."""

from pathlib import Path

from tests.storage import use_test_storage


def use_private_media(settings, tmp_path: Path) -> Path:
    return use_test_storage(settings, tmp_path)
