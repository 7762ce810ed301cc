"""Where uploads wait between 上传并预览 and 确认导入.

django-import-export's default TempFolderStorage leaves a previewed file in /tmp for ever
when the user never confirms, and trusts the file name the confirm form posts back (a
path). This storage keeps uploads in one private folder (settings.IMPORT_TMP_DIR), accepts
only names it made itself, and `purge_stale_uploads` (run by `manage.py purge_jobs`)
removes what was never confirmed.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from pathlib import Path

from django.conf import settings
from import_export.tmp_storages import BaseStorage

_NAME = re.compile(r"^import-[0-9a-f]{32}$")


def import_tmp_dir() -> Path:
    path = Path(getattr(settings, "IMPORT_TMP_DIR", Path(settings.MEDIA_ROOT) / "import-tmp"))
    path.mkdir(parents=True, exist_ok=True)
    return path


class ImportTempStorage(BaseStorage):
    name: str | None  # set by BaseStorage from the confirm form, or by save()

    def _path(self) -> Path:
        if not self.name or not _NAME.match(str(self.name)):
            # A forged or stale confirm form: read as "the upload has expired".
            raise FileNotFoundError("unknown import upload")
        return import_tmp_dir() / self.name

    def save(self, data) -> None:
        if not self.name:
            self.name = f"import-{uuid.uuid4().hex}"
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        self._path().write_bytes(data)

    def read(self):
        data = self._path().read_bytes()
        if "b" in (self.read_mode or "r"):
            return data
        return data.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        self._path().unlink()


def purge_stale_uploads(*, max_age_hours: float) -> int:
    """Remove previewed uploads older than `max_age_hours` (never confirmed or cancelled)."""
    limit = time.time() - max_age_hours * 3600
    removed = 0
    for path in import_tmp_dir().glob("import-*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
    return removed
