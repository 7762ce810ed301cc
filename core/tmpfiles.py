"""Private scratch folders for spreadsheet writers.

xlsxwriter's constant-memory mode streams every row (names, ID numbers) to a temporary file
and only assembles the xlsx at the end. Left to itself it uses the system /tmp, and a
process killed midway (OOM, SIGKILL, a web worker timeout) leaves that file there for ever.
Here every writer gets a fresh folder under the private media folder (never served,
mode 0700), removed when the writer is done, whatever happened; what a killed process
leaves behind is removed by the dead-job detection (a job's folder) or by
`manage.py purge_jobs` (anything older than a few hours).

These folders are process-local scratch, not shared state: they stay on the local disk even
when the files the platform keeps live in object storage (a writer needs a real file to
seek in; the finished xlsx then goes to the storage through job.result_file.save). Each
machine's purge_jobs removes its own leftovers.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings


def tmp_root() -> Path:
    root = Path(
        getattr(settings, "JOB_TMP_DIR", None) or Path(settings.MEDIA_ROOT) / "jobs" / "tmp"
    )
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def job_tmp_prefix(job_id: int) -> str:
    return f"job-{job_id}-"


def make_tmpdir(prefix: str = "xlsx-") -> Path:
    """A new folder only this process uses (mkdtemp: unique name, mode 0700)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=tmp_root()))


def remove_tmpdir(path: str | Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def private_tmpdir(prefix: str = "xlsx-") -> Iterator[Path]:
    path = make_tmpdir(prefix)
    try:
        yield path
    finally:
        remove_tmpdir(path)


def remove_job_tmp(job_id: int) -> int:
    """The folders of a job whose worker died (they can only be leftovers)."""
    removed = 0
    for path in tmp_root().glob(f"{job_tmp_prefix(job_id)}*"):
        remove_tmpdir(path)
        removed += 1
    return removed


def _last_change(path: Path) -> float:
    """The newest mtime in a folder: a writer still at work touches its files."""
    newest = path.stat().st_mtime
    for child in path.rglob("*"):
        with contextlib.suppress(OSError):
            newest = max(newest, child.stat().st_mtime)
    return newest


def purge_tmp(*, max_age_hours: float) -> int:
    """Remove scratch folders (and stray files) untouched for `max_age_hours`."""
    limit = time.time() - max_age_hours * 3600
    removed = 0
    for path in tmp_root().iterdir():
        try:
            if _last_change(path) >= limit:
                continue
            if path.is_dir():
                remove_tmpdir(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed += 1
    return removed
