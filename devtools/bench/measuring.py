"""How `manage.py bench` measures an operation (median time, SQL queries, peak memory, the
reference workload it is compared with, rollback of writes) and the context the operations
run in: the benchmark user, sample rows, the machine."""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client

from devtools.bench.constants import BENCH_PROVINCE_USER, BENCH_USER_PREFIX
from exam.models import Application, Specialty
from people.permissions import Perm

User = get_user_model()


REFERENCE_LOOP = 2_000_000
LIST_ROWS = 100  # rows per list page in the benchmark (the target page)
SMALL_ROWS = 5  # the same list with few rows: its query count must be the same
BENCH_SUPERUSER = f"{BENCH_USER_PREFIX}admin"
BENCH_UNIT_USER = f"{BENCH_USER_PREFIX}unit"  # a reviewer of the busiest unit


class Rollback(Exception):
    """Raised inside a transaction to undo an operation's writes."""


@dataclass
class Operation:
    name: str
    group: str
    run: Callable[[], dict[str, Any] | None]  # returns extra figures (rows, counts …)
    target: str = ""
    heavy: bool = False  # export/import: fewer runs by default
    setup: Callable[[], None] | None = None
    runs: int = 0  # this many runs whatever --runs says (0: as asked)
    # False: no extra run under tracemalloc (an operation of minutes); the run's own
    # figures (queries, max_rss_mb) are what it returns.
    traced: bool = True


@dataclass
class Measured:
    name: str
    group: str
    target: str
    runs: list[float]
    queries: int
    peak_mb: float
    extra: dict[str, Any] = field(default_factory=dict)
    sql_runs: list[float] = field(default_factory=list)  # the SQL part of each run
    cpu_runs: list[float] = field(default_factory=list)  # this process's CPU time per run

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs)

    @property
    def sql_s(self) -> float | None:
        return statistics.median(self.sql_runs) if self.sql_runs else None

    @property
    def cpu_s(self) -> float | None:
        return statistics.median(self.cpu_runs) if self.cpu_runs else None


def reference_workload() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {Application._meta.db_table}")
        cursor.fetchone()
    total = 0
    for i in range(REFERENCE_LOOP):
        total += i * i


def measure(op: Operation, runs: int) -> Measured:
    if op.setup:
        op.setup()
    times, sql, cpu, extra = [], [], [], {}
    runs = op.runs or runs
    for _ in range(runs):
        timer = SqlTimer()
        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(timer):
            extra = op.run() or {}
        times.append(time.perf_counter() - started)
        # CPU time barely moves with the machine's load (other processes only delay it).
        cpu.append(time.process_time() - cpu_started)
        sql.append(timer.seconds)
        # An operation may time only its own part (e.g. the service, not the set-up of the
        # state it needs inside the rolled-back transaction).
        if "timed_s" in extra:
            times[-1] = extra.pop("timed_s")
            sql[-1] = cpu[-1] = None
    counter = QueryCounter()
    counter.count = timer.count  # untraced: the last timed run's statements
    peak = 0
    if op.traced:
        counter.count = 0
        tracemalloc.start()
        try:
            with connection.execute_wrapper(counter):
                op.run()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return Measured(
        op.name,
        op.group,
        op.target,
        times,
        counter.count,
        peak / 2**20,
        extra,
        sql_runs=[s for s in sql if s is not None],
        cpu_runs=[c for c in cpu if c is not None],
    )


class QueryCounter:
    """Counts every SQL statement (CaptureQueriesContext keeps at most 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class SqlTimer:
    """Sums the time of every SQL statement run inside it (execute and fetch of the rows the
    driver returns with it), so a page's time can be split into its SQL and the rest."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def rolled_back(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            result = work()
            raise Rollback
    except Rollback:
        pass
    return result


# --- the data the operations need --------------------------------------------------------------


@dataclass
class BenchContext:
    user: Any
    superuser: Any
    client: Client
    rows: int  # export/import size (None: everything)
    import_rows: int
    tmpdir: str
    samples: dict[str, Any] = field(default_factory=dict)
    unit_client: Client | None = None  # logged in as BENCH_UNIT_USER


def bench_user() -> Any:
    user = User.objects.filter(username=BENCH_PROVINCE_USER).first()
    if user is None:
        raise LookupError("没有基准测试账号，请先运行 seed_bench。")
    return user


def _samples() -> dict[str, Any]:
    """Search terms and objects from the data, all at the province (what `province` sees)."""
    at_province = Application.objects.exclude(province_review_status="").select_related("candidate")
    sample = (
        at_province.order_by("pk")[at_province.count() // 2 :].first()
        if at_province.exists()
        else None
    )
    specialty = Specialty.objects.filter(level_id="3").order_by("code").first()
    detail = (
        at_province.annotate(n=Count("educationrecord_set"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first()
    )
    return {
        "id_number": sample.candidate.id_number if sample else "",
        "name": sample.candidate.name if sample else "",
        "institution": sample.entry_institution.name[:4] if sample else "",
        "specialty": specialty.pk if specialty else "",
        "detail_pk": (detail or sample).pk if (detail or sample) else None,
    }


def machine() -> dict[str, Any]:
    with connection.cursor() as cursor:
        version = ""
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0]
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "database": connection.vendor,
        "database_version": version,
        "applications": Application.objects.count(),
        "debug": settings.DEBUG,
    }


def _work_in_health_exam(user) -> None:
    """The bench's reviewer works in the health exam (当前业务), where most rows are."""
    from exam.models.projects import ExamKind
    from review.business import business_choices, business_choose

    choices = business_choices(user=user)
    health = [p for p in choices if p.kind == ExamKind.HEALTH_QUALIFICATION]
    if len(choices) > 1 and health:
        business_choose(user=user, project_id=health[0].pk)


def _unit_user() -> Any:
    """A reviewer (审核, 核验) of the unit with the most applications: the list most
    reviewers see. Created once, like the superuser; `seed_bench --clear` removes it."""
    from people.models import Institution
    from people.services import reviewer_add
    from people.tiers import Tier

    user = User.objects.filter(username=BENCH_UNIT_USER).first()
    if user is not None:
        return user
    busiest = (
        Application.objects.exclude(unit_review_status="")
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit_id")
        .first()
    )
    if busiest is None:
        return None
    return reviewer_add(
        institution=Institution.objects.get(pk=busiest["unit_id"], tier=Tier.UNIT),
        username=BENCH_UNIT_USER,
        password=None,
        extra_perms=[Perm.REVIEW, Perm.VERIFY],  # bench units have no reviewer group
    )


def _client_for(user) -> Client:
    _work_in_health_exam(user)
    client = Client()
    client.force_login(user)
    return client


def make_context(*, rows: int | None, import_rows: int) -> BenchContext:
    user = bench_user()
    client = _client_for(user)
    unit_user = _unit_user()
    superuser = User.objects.filter(username=BENCH_SUPERUSER).first()
    if superuser is None:  # removed by seed_bench --clear with the other bench_ accounts
        superuser = User.objects.create_superuser(BENCH_SUPERUSER, "", None)
    return BenchContext(
        user=user,
        superuser=superuser,
        client=client,
        rows=rows or 0,
        import_rows=import_rows,
        tmpdir=tempfile.mkdtemp(prefix="bench-"),
        samples=_samples(),
        unit_client=_client_for(unit_user) if unit_user else None,
    )
