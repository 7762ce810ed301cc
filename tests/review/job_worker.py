"""Test-only entry point: `python -m tests.review.job_worker [run_worker options]` runs the
real `manage.py run_worker` in a subprocess, on the test database (DATABASE_URL) and test
folders (HBWSRC_VAR_DIR), with knobs only tests need:

- TEST_JOB_HEARTBEAT: seconds between heartbeats (default 0.5);
- TEST_JOB_STALL_AFTER / TEST_JOB_STALL_SECONDS: once a job has reported that many rows,
  every further progress report sleeps that long, so a test can act mid-job (kill the
  worker, cut the database);
- xlsxwriter flushes each row to its temporary file at once (it would keep the first 8 KB in
  memory), so what a killed export leaves behind really holds the rows written so far.
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

settings.JOB_HEARTBEAT_SECONDS = float(os.environ.get("TEST_JOB_HEARTBEAT", "0.5"))
settings.JOB_PROGRESS_EVERY = 1


def _install_hooks() -> None:
    import xlsxwriter.worksheet

    from core import xlsx
    from core.jobs.progress import ProgressReporter

    xlsx.PROGRESS_EVERY = 1
    stall_after = int(os.environ.get("TEST_JOB_STALL_AFTER", "0"))
    stall_seconds = float(os.environ.get("TEST_JOB_STALL_SECONDS", "3600"))
    report = ProgressReporter.__call__

    def slow_report(self, done, total):
        report(self, done, total)
        if stall_after and done >= stall_after and done < total:
            print(f"stalling at row {done}", flush=True)
            time.sleep(stall_seconds)

    ProgressReporter.__call__ = slow_report

    write_row = xlsxwriter.worksheet.Worksheet._write_single_row

    def write_row_and_flush(self, *args, **kwargs):
        write_row(self, *args, **kwargs)
        if self.constant_memory and self.row_data_fh and not self.row_data_fh_closed:
            self.row_data_fh.flush()

    xlsxwriter.worksheet.Worksheet._write_single_row = write_row_and_flush


if __name__ == "__main__":
    _install_hooks()
    call_command("run_worker", *sys.argv[1:])
