"""`manage.py loadtest`'s parts without a server: the request mix, the figures from the
recorded samples and from locust's CSV, the accounts per tier, the plan, the options.
(The real run against a live server is in test_loadtest_live.py.)"""

import os
import random
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from devtools.bench.constants import BENCH_PASSWORD
from devtools.load import stats
from devtools.load.accounts import load_accounts_ensure, session_tiers
from devtools.load.mix import Mix, draw, list_query, material_query, mix_parse
from devtools.load.plan import plan_build
from devtools.load.runner import locust_command
from exam.models import Application
from people.permissions import Perm
from review.selectors import application_get

User = get_user_model()

PLAN = {
    "paths": {
        "login": "/admin/login/",
        "home": "/admin/",
        "list": "/admin/review/reviewapplication/",
        "detail": "/admin/review/reviewapplication/{id}/change/",
        "materials": {"学历信息": "/admin/review/verifyeducation/", "专技职称": "/admin/t/"},
    },
    "choices": {
        "levels": {"1": ["11", "12"], "2": []},
        "review_status": ["pending", "approved"],
        "status": ["submitted"],
        "payment": ["paid"],
        "education": ["本科"],
        "verification": ["pending"],
    },
}


def _account(tier: str = "county", **kwargs) -> dict:
    return {
        "username": "bench_load_county_01",
        "tier": tier,
        "detail_ids": [7, 8, 9],
        "names": ["张三"],
        "id_numbers": ["420101199001011234"],
        "institutions": ["武汉市第1"],
        "list_pages": 3,
        **kwargs,
    }


# --- the mix ---------------------------------------------------------------------------------


def test_mix_parse_reads_three_weights_and_refuses_anything_else():
    assert mix_parse("40,40,20") == Mix(40, 40, 20)
    assert mix_parse(" 1, 0 ,1 ").shares() == {"list": 0.5, "detail": 0.0, "materials": 0.5}
    assert str(mix_parse("40,40,20")) == "40,40,20"
    for bad in ("", "40,60", "40,40,20,1", "a,b,c", "-1,1,1", "0,0,0"):
        with pytest.raises(ValueError, match="--mix"):
            mix_parse(bad)


def test_draw_follows_the_mix_and_only_opens_the_accounts_applications():
    rng = random.Random(3)
    account = _account()
    drawn = [draw(rng, mix_parse("40,40,20"), PLAN, account) for _ in range(5000)]
    counts = Counter(r.kind for r in drawn)
    assert abs(counts["list"] / 5000 - 0.4) < 0.03
    assert abs(counts["detail"] / 5000 - 0.4) < 0.03
    assert abs(counts["materials"] / 5000 - 0.2) < 0.03
    details = {r.url for r in drawn if r.kind == "detail"}
    assert details == {f"/admin/review/reviewapplication/{pk}/change/" for pk in (7, 8, 9)}
    assert all(
        r.url.startswith("/admin/review/reviewapplication/?") or r.url == PLAN["paths"]["list"]
        for r in drawn
        if r.kind == "list"
    )
    materials = {r.url.split("?")[0] for r in drawn if r.kind == "materials"}
    assert materials == set(PLAN["paths"]["materials"].values())


def test_an_account_without_applications_lists_instead_of_opening_a_detail_page():
    rng = random.Random(1)
    account = _account(detail_ids=[])
    kinds = {draw(rng, mix_parse("0,1,0"), PLAN, account).kind for _ in range(50)}
    assert kinds == {"list"}


def test_list_filters_use_the_plans_values_and_existing_pages():
    rng = random.Random(5)
    seen: Counter = Counter()
    for _ in range(3000):
        query = list_query(rng, PLAN, _account())
        seen.update(query.keys())
        if "specialty" in query:
            assert query["specialty"] in PLAN["choices"]["levels"][query["level"]]
        if "level" in query:
            assert query["level"] in PLAN["choices"]["levels"]
        if "p" in query:
            assert 2 <= int(query["p"]) <= 3  # the account's list has 3 pages
        if "name" in query:
            assert query["name"] == "张三"
        assert query.get("scope", "subtree") in ("subtree", "direct")
    for key in ("scope", "review_status", "level", "specialty", "name", "id_number", "p"):
        assert seen[key] > 0, key
    for key in ("institution", "status", "payment", "education"):
        assert seen[key] > 0, key


def test_a_unit_never_sends_a_scope_and_a_one_page_list_no_page_number():
    rng = random.Random(9)
    unit = _account("unit", list_pages=1)
    for _ in range(2000):
        assert "scope" not in list_query(rng, PLAN, unit)
        assert "p" not in list_query(rng, PLAN, unit)
        assert "scope" not in material_query(rng, PLAN, unit)


# --- the figures -----------------------------------------------------------------------------


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert stats.percentile(values, 50) == 50
    assert stats.percentile(values, 95) == 95
    assert stats.percentile(values, 99) == 99
    assert stats.percentile([5.0], 99) == 5.0
    assert stats.percentile([], 50) is None


def test_summary_counts_the_window_only():
    recorded = {
        "sessions": 2,
        "logged_in": 2,
        "login_errors": 0,
        "window_start": 100.0,
        "window_end": 110.0,
        "samples": [
            [99.0, 200.0, "list", True],  # started before the window
            [100.0, 100.0, "list", True],
            [101.0, 300.0, "detail", True],
            [102.0, 500.0, "detail", False],
            [103.0, 100.0, "materials", True],
            [109.9, 500.0, "list", True],  # ends after the window
            [108.0, 1000.0, "list", False],  # ends at 109.0: inside
            [95.0, 10.0, "detail", False],  # an error before the window
        ],
    }
    s = stats.summarise(recorded)
    assert s.window_s == 10.0
    assert s.requests == 5
    assert s.requests_per_s == 0.5
    assert s.errors == 2
    assert s.errors_outside_window == 1
    assert s.total_errors == 3
    assert s.p50_ms == 300.0
    assert s.p95_ms == s.p99_ms == s.max_ms == 1000.0
    assert s.by_kind["detail"].requests == 2
    assert s.by_kind["detail"].errors == 1
    assert s.by_kind["list"].share == 0.4
    assert s.as_dict()["total_errors"] == 3


def test_server_cpu_per_request_is_the_windows_cpu_over_its_requests():
    recorded = {
        "window_start": 0.0,
        "window_end": 10.0,
        "server_cpu_s": 2.0,
        "samples": [[1.0, 10.0, "list", True]] * 40,
    }
    assert stats.summarise(recorded).server_cpu_ms_per_request == 50.0
    assert stats.summarise({**recorded, "server_cpu_s": None}).server_cpu_ms_per_request is None


def test_server_cpu_is_read_from_proc():
    busy = sum(i * i for i in range(300_000))  # some CPU of this process's own
    assert busy > 0
    seconds = stats.server_cpu_seconds(os.getpid())
    assert seconds is not None and seconds > 0
    assert stats.server_cpu_seconds(2**22 + 12345) is None  # no such process


def test_a_run_whose_window_never_opened_has_no_figures():
    s = stats.summarise(
        {"sessions": 3, "logged_in": 2, "login_errors": 1, "user_errors": 2, "samples": []}
    )
    assert (s.requests, s.requests_per_s, s.p95_ms, s.window_s) == (0, 0.0, None, 0.0)
    assert s.total_errors == 3


LOCUST_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def test_locusts_csv_is_read_with_its_aggregated_row(tmp_path: Path):
    path = tmp_path / "locust_stats.csv"
    path.write_text(
        LOCUST_HEADER
        + "\nGET,detail,19,1,320,297.1,89.4,492.5,57975.4,3.90,0.0,320,370,370,380,410,490,490,495,490,490,490"
        + "\nPOST,login:post,4,0,680,620.0,437.1,696.0,0.0,0.82,0.0,680,680,700,700,700,700,700,700,700,700,700"
        + "\nGET,materials,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A"
        + "\n,Aggregated,23,1,330,350.0,89.4,696.0,50000.0,4.72,0.0,330,380,400,400,600,690,700,700,700,700,700\n",
        encoding="utf-8",
    )
    rows = stats.read_locust_stats(path)
    assert [r.name for r in rows] == ["detail", "login:post", "materials", "Aggregated"]
    detail = rows[0]
    assert (detail.method, detail.requests, detail.failures) == ("GET", 19, 1)
    assert (detail.median_ms, detail.p95_ms, detail.p99_ms) == (320.0, 490.0, 495.0)
    assert detail.requests_per_s == 3.9
    assert rows[2].median_ms == 0.0  # N/A
    assert rows[-1].requests == 23


def test_locust_runs_headless_for_the_window_plus_the_logins(tmp_path: Path):
    command = locust_command(
        url="http://127.0.0.1:8077/", sessions=50, seconds=60, csv_prefix=tmp_path / "x"
    )
    assert "--headless" in command
    assert command[command.index("-u") + 1] == command[command.index("-r") + 1] == "50"
    assert command[command.index("--host") + 1] == "http://127.0.0.1:8077"
    assert command[command.index("-t") + 1] == f"{60 + 30 + 50}s"
    assert command[command.index("--csv") + 1] == str(tmp_path / "x")
    assert command[command.index("-f") + 1].endswith("devtools/load/locustfile.py")


# --- accounts, plan, options -----------------------------------------------------------------


def test_mixed_sessions_are_one_province_two_city_three_county_four_unit_in_ten():
    assert Counter(session_tiers(sessions=50, tier="mixed")) == {
        "province": 5,
        "city": 10,
        "county": 15,
        "unit": 20,
    }
    assert session_tiers(sessions=3, tier="province") == ["province"] * 3
    with pytest.raises(ValueError):
        session_tiers(sessions=3, tier="nation")


def _seed(n: int = 80) -> None:
    call_command("seed_bench", applications=n, seed=4, stdout=StringIO())


@pytest.mark.django_db
def test_accounts_log_in_and_the_plan_opens_only_their_own_applications():
    _seed()
    tiers = session_tiers(sessions=4, tier="mixed")
    accounts = load_accounts_ensure(tiers=tiers)
    assert [a.tier for a in accounts] == ["province", "city", "county", "unit"]
    assert all(a.username.startswith("bench_load_") for a in accounts)
    again = load_accounts_ensure(tiers=tiers)
    assert [a.user_id for a in again] == [a.user_id for a in accounts]  # found, not duplicated
    plan = plan_build(accounts=accounts, seed=1)
    assert plan["password"] == BENCH_PASSWORD
    assert plan["choices"]["levels"] and any(plan["choices"]["levels"].values())
    for account, entry in zip(accounts, plan["accounts"], strict=True):
        user = User.objects.get(pk=account.user_id)
        assert user.check_password(BENCH_PASSWORD)
        assert entry["detail_ids"], account.tier  # the busiest institution has applications
        assert entry["list_pages"] >= 1
        for pk in entry["detail_ids"][:5]:
            application_get(user=user, pk=pk, permission=Perm.REVIEW)  # in its scope
        client = Client()
        client.force_login(user)
        # The unit's account holds its permissions itself (generated units have no group).
        assert client.get(plan["paths"]["list"]).status_code == 200
        detail = plan["paths"]["detail"].format(id=entry["detail_ids"][0])
        assert client.get(detail).status_code == 200
        for path in plan["paths"]["materials"].values():
            assert client.get(path).status_code == 200
    assert Application.objects.count() == 80


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mix": "40,60"}, "--mix"),
        ({"sessions": 0}, "sessions"),
        ({"seconds": -1}, "seconds"),
        ({"tier": "nation"}, "tier"),
        (["--sessions", "0"], "sessions"),
        (["--tier", "nation"], "tier"),
        (["--mix", "x"], "--mix"),
    ],
)
def test_bad_options_are_refused_before_anything_runs(options, message):
    """As keyword options (call_command skips argparse's checks) and as on the command line."""
    with pytest.raises(CommandError, match=message):
        if isinstance(options, list):
            call_command("loadtest", *options)
        else:
            call_command("loadtest", **options)
    assert not User.objects.filter(username__startswith="bench_load_").exists()


@pytest.mark.django_db
def test_no_bench_data_is_a_clear_error():
    with pytest.raises(CommandError, match="seed_bench"):
        call_command("loadtest", sessions=1, seconds=1)
