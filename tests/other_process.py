"""Python code run in a separate process on the test database, like a second gunicorn
worker: its own memory and per-process caches, the same database and shared cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.review.worker_process import ROOT, database_url


def run_in_another_process(code: str, *args: str, **env: str) -> Any:
    """Runs `code` (which calls django.setup() itself) with `args` as sys.argv[1:] and returns
    the JSON of the last line it prints. `env` adds to the environment (e.g. the settings)."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url(), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
