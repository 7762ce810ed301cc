"""Hostile spreadsheets get a Chinese answer in seconds, with memory under 300 MB.

The reads run in a child process (the import formats of the 对比库 admin, exactly as the
preview, 确认导入, the row count and the background job get them) that reports its peak
memory (VmHWM, Django and all); the child's address space is capped at 4 GB so that an unguarded read
fails fast instead of taking the machine's memory. The admin entry points themselves are
tested with the same files in test_hostile_imports.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.review import hostile_files as hostile

ROOT = Path(__file__).resolve().parents[2]
PEAK_MB = 300
SECONDS = 10  # "in seconds", on a busy CI machine

CHILD = r"""
import json, os, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
import django
django.setup()
from django.contrib import admin
from core.imports.base import ImportFileError
from review.models import ReferenceRecord

path, index = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
os.unlink(path)
file_format = admin.site._registry[ReferenceRecord].get_import_formats()[index]()
outcome = {}
start = time.perf_counter()
# As a request does: count the rows (preview or job?), then read them.
for step in ("count_rows", "create_dataset"):
    try:
        result = getattr(file_format, step)(data)
        outcome[step] = result if step == "count_rows" else len(result)
        del result
    except ImportFileError as exc:
        outcome[step] = "refused: " + str(exc)
    except Exception as exc:
        outcome[step] = f"error: {type(exc).__name__}: {exc}"
outcome["seconds"] = time.perf_counter() - start
# This process's own high-water mark. (ru_maxrss would do on a fresh process, but Linux
# carries the parent's peak across fork and exec: pytest's own memory would count.)
with open("/proc/self/status") as status:
    hwm = next(line for line in status if line.startswith("VmHWM:"))
outcome["peak_mb"] = int(hwm.split()[1]) / 1024
print(json.dumps(outcome, ensure_ascii=False))
"""

XLSX, CSV = 0, 1  # PlatformImportMixin.import_formats


def read_in_child(data: bytes, tmp_path, file_format: int = XLSX) -> dict:
    """Count and read `data` in a fresh process; its outcome, seconds and peak MB."""
    path = tmp_path / "upload"
    path.write_bytes(data)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(file_format)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, (completed.returncode, completed.stderr[-2000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


def assert_refused(outcome: dict, *fragments: str) -> None:
    for step in ("count_rows", "create_dataset"):
        assert str(outcome[step]).startswith("refused: "), (step, outcome)
        for fragment in fragments:
            assert fragment in outcome[step], (fragment, outcome[step])
    assert outcome["peak_mb"] < PEAK_MB, outcome
    assert outcome["seconds"] < SECONDS, outcome


# --- the reported shapes ---------------------------------------------------------------------


def test_one_cell_at_xfd1048576(tmp_path):
    data = hostile.far_cell()
    assert len(data) < 6000  # the reported file had 5,389 bytes
    outcome = read_in_child(data, tmp_path)
    # The 对比库 import knows 11 columns (the widest library): 21 with the margin.
    assert_refused(outcome, "第 XFD 列有内容", "本导入允许的 21 列（A–U 列）")


def test_50000_by_1000_empty_cells(tmp_path):
    data = hostile.sparse(50_000, 1_000)
    assert len(data) < 6000
    outcome = read_in_child(data, tmp_path)
    assert_refused(outcome, "第 ALL 列有内容", "21 列")


def test_150000_rows(tmp_path):
    data = hostile.sparse(150_000, 5)
    outcome = read_in_child(data, tmp_path)
    assert_refused(outcome, "第 150000 行有内容", "表头加 100,000 行数据")


def test_a_shared_string_copied_into_every_cell(tmp_path):
    data = hostile.shared_string_copies(10_000, 32_000)
    assert len(data) < 100_000
    outcome = read_in_child(data, tmp_path)
    assert_refused(outcome, "文字合计超过 48 MB")


def test_zip_bomb(tmp_path):
    data = hostile.zip_bomb(200)
    assert len(data) < 1_000_000
    outcome = read_in_child(data, tmp_path)
    assert_refused(outcome, "解压后超过 96 MB")


def test_zip_bomb_whose_directory_declares_a_small_part(tmp_path):
    data = hostile.lying_sizes(hostile.zip_bomb(200), "xl/worksheets/sheet1.xml", 2000)
    outcome = read_in_child(data, tmp_path)
    assert_refused(outcome, "解压后超过 96 MB")


def test_a_workbook_of_a_million_sheets(tmp_path):
    data = hostile.many_sheets(1_000_000)
    outcome = read_in_child(data, tmp_path)
    assert_refused(outcome, "工作表、名称或数字格式多得异常")


# --- csv -------------------------------------------------------------------------------------


def test_csv_line_of_a_million_commas(tmp_path):
    data = b"\xe8\xaf\x81\xe4\xbb\xb6\xe5\x8f\xb7\xe7\xa0\x81\n" + b"," * 5_000_000 + b"x\n"
    outcome = read_in_child(data, tmp_path, CSV)
    assert_refused(outcome, "超过 1,000,000 个字符")


def test_csv_row_wider_than_the_import(tmp_path):
    data = ("证件号码" + "," * 40 + "x\n").encode()
    outcome = read_in_child(data, tmp_path, CSV)
    assert_refused(outcome, "第 AO 列有内容", "21 列")


def test_csv_of_blank_lines_then_a_value(tmp_path):
    data = "证件号码\n".encode() + b"\n" * 5_000_000 + b"x\n"
    outcome = read_in_child(data, tmp_path, CSV)
    assert_refused(outcome, "超过 101,001 行")


# --- files at the limits are read, still within bounds ----------------------------------------


def test_a_sheet_as_large_as_allowed_is_read_within_bounds(tmp_path):
    # 100,000 data rows, the import's 21 columns: the largest grid calamine may build.
    data = hostile.sparse(100_001, 21)
    outcome = read_in_child(data, tmp_path)
    assert outcome["count_rows"] == 1 and outcome["create_dataset"] == 100_000
    assert outcome["peak_mb"] < PEAK_MB and outcome["seconds"] < SECONDS, outcome
