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

User = get_user_model()


REFERENCE_LOOP = 2_000_000
LIST_ROWS = 100  # rows per list page in the benchmark (the target page)
SMALL_ROWS = 5  # the same list with few rows: its query count must be the same
BENCH_SUPERUSER = f"{BENCH_USER_PREFIX}admin"


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


@dataclass
class Measured:
    name: str
    group: str
    target: str
    runs: list[float]
    queries: int
    peak_mb: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs)


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
    times, extra = [], {}
    for _ in range(runs):
        started = time.perf_counter()
        extra = op.run() or {}
        times.append(time.perf_counter() - started)
        # An operation may time only its own part (e.g. the service, not the set-up of the
        # state it needs inside the rolled-back transaction).
        if "timed_s" in extra:
            times[-1] = extra.pop("timed_s")
    counter = QueryCounter()
    tracemalloc.start()
    try:
        with connection.execute_wrapper(counter):
            op.run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measured(op.name, op.group, op.target, times, counter.count, peak / 2**20, extra)


class QueryCounter:
    """Counts every SQL statement (CaptureQueriesContext keeps at most 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


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


def make_context(*, rows: int | None, import_rows: int) -> BenchContext:
    user = bench_user()
    _work_in_health_exam(user)
    client = Client()
    client.force_login(user)
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
    )
