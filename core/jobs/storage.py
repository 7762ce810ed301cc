"""Where uploads wait between 上传并预览 and 确认导入.

django-import-export's default TempFolderStorage leaves a previewed file in /tmp for ever
when the user never confirms, and trusts the file name the confirm form posts back (a
path). This storage keeps uploads in one private folder of the default storage
(IMPORT_TMP_FOLDER: the private media folder, or the bucket several machines share, so the
confirm may reach another web machine than the preview), accepts only names it made itself,
and `purge_stale_uploads` (run by `manage.py purge_jobs`) removes what was never confirmed.
"""

from __future__ import annotations

import datetime
import re
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone
from import_export.tmp_storages import BaseStorage

IMPORT_TMP_FOLDER = "import-tmp"
_NAME = re.compile(r"^import-[0-9a-f]{32}$")


def _storage() -> Storage:
    return storages["default"]


class ImportTempStorage(BaseStorage):
    name: str | None  # set by BaseStorage from the confirm form, or by save()

    def _stored_name(self) -> str:
        if not self.name or not _NAME.match(str(self.name)):
            # A forged or stale confirm form: read as "the upload has expired".
            raise FileNotFoundError("unknown import upload")
        return f"{IMPORT_TMP_FOLDER}/{self.name}"

    def save(self, data) -> None:
        again = bool(self.name)
        if not again:
            self.name = f"import-{uuid.uuid4().hex}"
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        name = self._stored_name()
        storage = _storage()
        if again:  # saving again replaces the file: the storage itself never overwrites
            storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # another process took the name meanwhile: never read theirs
            storage.delete(saved)
            raise FileExistsError(name)

    def read(self):
        with _storage().open(self._stored_name(), "rb") as handle:
            data = handle.read()
        if "b" in (self.read_mode or "r"):
            return data
        return data.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        _storage().delete(self._stored_name())


def stale_upload_names(*, max_age_hours: float, now: datetime.datetime | None = None) -> list[str]:
    """The previewed uploads (stored names) last written more than `max_age_hours` ago."""
    storage = _storage()
    limit = (now or timezone.now()) - datetime.timedelta(hours=max_age_hours)
    try:
        _, files = storage.listdir(IMPORT_TMP_FOLDER)
    except FileNotFoundError:  # on disk: nothing was ever previewed
        return []
    stale = []
    for file_name in files:
        if not _NAME.match(file_name):
            continue
        name = f"{IMPORT_TMP_FOLDER}/{file_name}"
        try:
            if storage.get_modified_time(name) < limit:
                stale.append(name)
        except OSError:  # confirmed or cancelled meanwhile (FileNotFoundError)
            continue
    return stale


def purge_stale_uploads(*, max_age_hours: float, now: datetime.datetime | None = None) -> int:
    """Remove previewed uploads older than `max_age_hours` (never confirmed or cancelled)."""
    names = stale_upload_names(max_age_hours=max_age_hours, now=now)
    storage = _storage()
    for name in names:
        storage.delete(name)
    return len(names)
