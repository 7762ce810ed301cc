"""Runs locust headless as a subprocess on the plan and collects what it wrote: the
locustfile's record (the measured window) and locust's own CSV (the whole run)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.load import stats
from devtools.load.mix import Mix

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
REPO_ROOT = Path(__file__).resolve().parents[2]
# Time allowed for the logins before the window opens, on top of --seconds: locust's own
# limit, so a run whose sessions never all log in still ends.
LOGIN_ALLOWANCE_S = 30
LOGIN_ALLOWANCE_PER_SESSION_S = 1


@dataclass
class RunResult:
    command: list[str]
    returncode: int
    summary: stats.Summary
    locust_rows: list[stats.LocustRow]
    cpu_warning: bool
    generator_cpu_s: float  # user + system CPU of the locust process
    output_tail: str
    extra: dict[str, Any] = field(default_factory=dict)


def server_check(url: str) -> None:
    """The server answers its login page (else the run would only count refused connections)."""
    login = url.rstrip("/") + "/admin/login/"
    try:
        with urllib.request.urlopen(login, timeout=30) as response:  # noqa: S310 (http/https only)
            status = response.status
    except (urllib.error.URLError, OSError) as exc:
        raise RuntimeError(f"无法打开 {login}：{exc}。服务器是否已启动？") from exc
    if status != 200:
        raise RuntimeError(f"{login} 返回 HTTP {status}。")


def locust_executable() -> str:
    """locust beside this interpreter (the project's virtualenv), else on PATH."""
    beside = Path(sys.executable).with_name("locust")
    return str(beside) if beside.exists() else "locust"


def locust_command(*, url: str, sessions: int, seconds: int, csv_prefix: Path) -> list[str]:
    limit = seconds + LOGIN_ALLOWANCE_S + LOGIN_ALLOWANCE_PER_SESSION_S * sessions
    return [
        locust_executable(),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(sessions),
        "-r",
        str(sessions),
        "-t",
        f"{limit}s",
        "--host",
        url.rstrip("/"),
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]


def locust_run(
    *,
    url: str,
    sessions: int,
    seconds: int,
    mix: Mix,
    plan_path: Path,
    workdir: Path,
    server_pid: int | None = None,
) -> RunResult:
    record = workdir / "record.json"
    prefix = workdir / "locust"
    final_csv = workdir / "locust_final_stats.csv"
    command = locust_command(url=url, sessions=sessions, seconds=seconds, csv_prefix=prefix)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "LOADTEST_PLAN": str(plan_path),
        "LOADTEST_RECORD": str(record),
        "LOADTEST_LOCUST_CSV": str(final_csv),
        "LOADTEST_SESSIONS": str(sessions),
        "LOADTEST_SECONDS": str(seconds),
        "LOADTEST_MIX": str(mix),
        "LOADTEST_SERVER_PID": str(server_pid or ""),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        command,
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=seconds + LOGIN_ALLOWANCE_S + LOGIN_ALLOWANCE_PER_SESSION_S * sessions + 60,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = (completed.stdout or "") + (completed.stderr or "")
    if not record.exists():
        raise RuntimeError(
            f"locust 没有写出记录（退出码 {completed.returncode}）：\n{output[-3000:]}"
        )
    recorded = stats.read_recorded(record)
    # The final table (locustfile), else the --csv file locust last rewrote.
    csv_path = final_csv if final_csv.exists() else Path(f"{prefix}_stats.csv")
    return RunResult(
        command=command,
        returncode=completed.returncode,
        summary=stats.summarise(recorded),
        locust_rows=stats.read_locust_stats(csv_path) if csv_path.exists() else [],
        cpu_warning=bool(recorded.get("cpu_warning")),
        generator_cpu_s=cpu,
        output_tail=output[-3000:],
    )
