"""Private media (and the import temp folder) in the test's tmp_path: the job and import
tests write result files and uploads there, never to var/."""

from pathlib import Path


def use_private_media(settings, tmp_path: Path) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": "/not-served/"},
        },
    }
    settings.IMPORT_TMP_DIR = tmp_path / "import-tmp"
