"""The figures of a load test, from what the locustfile recorded and from locust's own CSV.
Pure Python: no Django, no locust.

The headline figures (requests/s, p50/p95/p99, errors) count the requests of the measured
window only: it opens when the last session has logged in (a login hashes the password,
~0.2 s of a core each, which is not the traffic being measured) and lasts --seconds.
Locust's CSV covers the whole run, logins included; its totals are printed beside them.
"""

from __future__ import annotations

import csv
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# A sample as the locustfile records it: (start, response time ms, kind, ok).
Sample = tuple[float, float, str, bool]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least p % of them at or below)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class KindFigures:
    requests: int
    errors: int
    share: float
    p50_ms: float | None
    p95_ms: float | None


@dataclass
class Summary:
    window_s: float
    requests: int
    requests_per_s: float
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    mean_ms: float | None
    sessions: int
    logged_in: int
    login_errors: int
    errors_outside_window: int
    user_errors: int  # exceptions raised in a session (locust's user_error), not requests
    server_cpu_s: float | None = None  # the server's CPU in the window (--server-pid)
    by_kind: dict[str, KindFigures] = field(default_factory=dict)

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.server_cpu_s is None or not self.requests:
            return None
        return self.server_cpu_s * 1000 / self.requests

    @property
    def total_errors(self) -> int:
        return self.errors + self.login_errors + self.errors_outside_window + self.user_errors

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "total_errors": self.total_errors,
            "server_cpu_ms_per_request": self.server_cpu_ms_per_request,
        }


def summarise(recorded: dict[str, Any]) -> Summary:
    """The window's figures from the locustfile's record (see locustfile.Recorder.dump)."""
    start, end = recorded.get("window_start"), recorded.get("window_end")
    samples: list[Sample] = [tuple(s) for s in recorded.get("samples", [])]  # type: ignore[misc]
    if start is None or end is None or end <= start:
        inside: list[Sample] = []
        window = 0.0
    else:
        window = end - start
        inside = [s for s in samples if s[0] >= start and s[0] + s[1] / 1000 <= end]
    errors_outside = sum(1 for s in samples if not s[3]) - sum(1 for s in inside if not s[3])
    times = [s[1] for s in inside]
    by_kind: dict[str, KindFigures] = {}
    for kind in sorted({s[2] for s in inside}):
        of_kind = [s for s in inside if s[2] == kind]
        kind_times = [s[1] for s in of_kind]
        by_kind[kind] = KindFigures(
            requests=len(of_kind),
            errors=sum(1 for s in of_kind if not s[3]),
            share=len(of_kind) / len(inside),
            p50_ms=percentile(kind_times, 50),
            p95_ms=percentile(kind_times, 95),
        )
    return Summary(
        window_s=window,
        requests=len(inside),
        requests_per_s=len(inside) / window if window else 0.0,
        errors=sum(1 for s in inside if not s[3]),
        p50_ms=percentile(times, 50),
        p95_ms=percentile(times, 95),
        p99_ms=percentile(times, 99),
        max_ms=max(times) if times else None,
        mean_ms=sum(times) / len(times) if times else None,
        sessions=int(recorded.get("sessions", 0)),
        logged_in=int(recorded.get("logged_in", 0)),
        login_errors=int(recorded.get("login_errors", 0)),
        errors_outside_window=errors_outside,
        user_errors=int(recorded.get("user_errors", 0)),
        server_cpu_s=recorded.get("server_cpu_s"),
        by_kind=by_kind,
    )


def read_recorded(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class LocustRow:
    """One line of locust's <prefix>_stats.csv (times in ms, as locust rounds them)."""

    method: str
    name: str
    requests: int
    failures: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    requests_per_s: float


def read_locust_stats(path: Path) -> list[LocustRow]:
    """locust's per-name table; the last row is its 'Aggregated' total."""
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rows.append(
                LocustRow(
                    method=row["Type"],
                    name=row["Name"],
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    median_ms=_number(row["50%"]),
                    p95_ms=_number(row["95%"]),
                    p99_ms=_number(row["99%"]),
                    requests_per_s=_number(row["Requests/s"]),
                )
            )
    return rows


def _number(text: str) -> float:
    # locust writes "N/A" for a name without requests.
    try:
        return float(text)
    except ValueError:
        return 0.0


def server_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) of a server process and its children: gunicorn's master
    and its workers, live ones and those it has reaped. None where /proc cannot tell."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        total = _cpu_ticks(pid, reaped=True)
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            total += _cpu_ticks(int(child), reaped=True)
    except (OSError, ValueError):
        return None
    return total / ticks


def _cpu_ticks(pid: int, *, reaped: bool) -> int:
    # Fields after the command's closing parenthesis: utime, stime, cutime, cstime are the
    # 14th to 17th of the whole line.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = int(fields[11]) + int(fields[12])
    return own + (int(fields[13]) + int(fields[14]) if reaped else 0)


def load_average() -> tuple[float, float, float] | None:
    try:
        parts = Path("/proc/loadavg").read_text().split()
    except OSError:
        return None
    return float(parts[0]), float(parts[1]), float(parts[2])
