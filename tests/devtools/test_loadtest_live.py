"""`manage.py loadtest` for real: locust logs two bench reviewers in to a live server and
loops over the mix for three seconds; every request is counted and none fails."""

import json
import os
import shutil
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(sys.executable).with_name("locust").exists() and not shutil.which("locust"),
        reason="locust is not installed",
    ),
]


def test_two_sessions_for_three_seconds_against_a_live_server(
    reference_data, live_server, tmp_path
):
    call_command("seed_bench", applications=60, seed=2, stdout=StringIO())
    target = tmp_path / "load.json"
    out = StringIO()
    call_command(
        "loadtest",
        url=live_server.url,
        sessions=2,
        seconds=3,
        tier="mixed",
        server_pid=os.getpid(),  # the live server runs in this process
        json=str(target),
        stdout=out,
        stderr=StringIO(),
    )
    payload = json.loads(target.read_text())
    summary = payload["summary"]
    assert payload["options"]["sessions"] == 2
    assert payload["options"]["tiers"] == "province 1，city 1"
    assert summary["logged_in"] == 2
    assert 2.9 <= summary["window_s"] <= 4
    assert summary["requests"] > 0
    assert summary["requests_per_s"] == pytest.approx(summary["requests"] / summary["window_s"])
    assert summary["total_errors"] == 0
    assert summary["server_cpu_s"] > 0 and summary["server_cpu_ms_per_request"] > 0
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"] <= summary["max_ms"]
    assert set(summary["by_kind"]) <= {"list", "detail", "materials"}
    assert "list" in summary["by_kind"]
    # locust's own table: both logins, and at least every request of the window.
    rows = {row["name"]: row for row in payload["locust"]}
    assert rows["login:form"]["requests"] == rows["login:post"]["requests"] == 2
    assert sum(rows[k]["requests"] for k in summary["by_kind"]) >= summary["requests"]
    assert all(row["failures"] == 0 for row in payload["locust"])
    assert payload["load_average"] is None or len(payload["load_average"]) == 3
    assert payload["load_average_before"] is None or len(payload["load_average_before"]) == 3
    printed = out.getvalue()
    assert "请求/秒" in printed and "p95" in printed and "负载均值" in printed


def test_a_server_that_is_not_there_is_refused_before_locust_starts(reference_data, tmp_path):
    call_command("seed_bench", applications=10, seed=2, stdout=StringIO())
    with pytest.raises(CommandError, match="服务器是否已启动"):
        call_command(
            "loadtest", url="http://127.0.0.1:9", sessions=1, seconds=1, json=str(tmp_path / "x")
        )
