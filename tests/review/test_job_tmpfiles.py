"""xlsxwriter's temporary row files (names, ID numbers) live in a private folder, never the
system /tmp, and are removed whatever happens; purge_jobs removes what a killed process
left behind."""

import io
import os
import tempfile
import time

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from core import xlsx as exporting
from core.tmpfiles import make_tmpdir, tmp_root
from core.xlsx import Exporter, write_xlsx
from tests.review.import_helpers import resident_id

ID = resident_id("42010219900101123")


@pytest.fixture
def folders(settings, tmp_path, monkeypatch):
    """Private media in tmp_path, and the "system" temp folder redirected to an empty one
    of our own so that anything written there can be seen."""
    settings.MEDIA_ROOT = tmp_path / "media"
    system = tmp_path / "system-tmp"
    system.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system))
    monkeypatch.setattr(exporting, "PROGRESS_EVERY", 1)
    return system


def files(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file())


class People(Exporter):
    headers = ["姓名", "证件号码"]
    text_columns = ("证件号码",)

    def __init__(self, rows: int = 3, fail_at: int | None = None) -> None:
        self.n, self.fail_at = rows, fail_at

    def count(self) -> int:
        return self.n

    def rows(self):
        for i in range(1, self.n + 1):
            if i == self.fail_at:
                raise RuntimeError("killed midway")
            yield [f"张{i}", ID]


def test_rows_wait_in_a_private_folder_not_the_system_tmp_and_are_removed(folders, tmp_path):
    seen = []

    def look(done, total):
        seen.append((files(folders), files(tmp_root())))

    assert write_xlsx(People(), tmp_path / "out.xlsx", progress=look) == 3
    assert seen and all(system == [] for system, _ in seen)
    # xlsxwriter's row file was in the private folder while the rows were written …
    assert all(len(private) == 1 for _, private in seen[:-1])
    assert all(p.parent.parent == tmp_root() for _, private in seen for p in private)
    assert oct(tmp_root().stat().st_mode & 0o777) == "0o700"
    # … and nothing is left of it.
    assert files(tmp_root()) == [] and list(tmp_root().iterdir()) == []
    assert files(folders) == []
    rows = list(load_workbook(tmp_path / "out.xlsx").active.values)
    assert rows[1] == ("张1", ID)


def test_a_failing_export_leaves_no_temporary_file(folders, tmp_path):
    with pytest.raises(RuntimeError):
        write_xlsx(People(rows=5, fail_at=4), tmp_path / "out.xlsx", progress=lambda *a: None)
    assert list(tmp_root().iterdir()) == []
    assert files(folders) == []


def test_a_callers_folder_is_used_and_left_to_the_caller(folders, tmp_path):
    own = make_tmpdir(prefix="job-7-")
    seen = []
    write_xlsx(
        People(), tmp_path / "out.xlsx", progress=lambda *a: seen.append(files(own)), tmpdir=own
    )
    assert seen[0] and all(p.parent == own for p in seen[0])
    assert own.is_dir()  # the caller (the export task) removes it


def test_purge_removes_scratch_folders_a_killed_process_left(folders, db):
    dead = make_tmpdir()
    (dead / "tmpabc123").write_text(f"<row><c><is><t>{ID}</t></is></c></row>")
    live = make_tmpdir()
    (live / "tmpdef456").write_text("…")
    two_hours_ago = time.time() - 2 * 3600
    for path in (dead, dead / "tmpabc123"):
        os.utime(path, (two_hours_ago, two_hours_ago))

    out = io.StringIO()
    call_command("purge_jobs", stdout=out)
    assert not dead.exists()
    assert live.exists()  # a writer still at work (touched just now)
    assert "中断遗留的临时文件夹 1 个" in out.getvalue()
