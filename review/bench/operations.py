"""The benchmark's operations (`manage.py bench`).

Every operation is timed `runs` times (median), then run once more under tracemalloc for
its peak Python memory and with a counting execute_wrapper for its SQL query count (tracemalloc
slows Python down, so it is never on while timing). A reference workload is timed in the
same process, so each figure is also given as a ratio that does not depend on the machine:

    REFERENCE = `SELECT count(*)` over exam_application + a fixed pure-Python loop
                (sum of i*i for i < 2,000,000)

Operations that write run inside a transaction that is rolled back, so the benchmark can
be run again on the same data.
"""

from __future__ import annotations

import io
import os
import platform
import re
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, F
from django.test import Client, RequestFactory
from django.urls import reverse

from exam.models import Application, EducationRecord, Specialty
from exam.models.applications import ReviewStatus
from exam.models.materials import VerificationStatus
from people.models import Institution
from people.tiers import Tier
from review import services, verification
from review.bench.dataset import BENCH_PROVINCE_USER, BENCH_USER_PREFIX
from review.models import (
    ReferenceLibrary,
    ReferenceRecord,
    ReviewApplication,
    TierReview,
    VerifyEducation,
)
from review.permissions import Perm

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


def _rolled_back(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
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


# --- review list, detail, 专项信息 -----------------------------------------------------------------


def _list_filters(samples: dict[str, Any]) -> list[tuple[str, str]]:
    base = "scope=subtree"
    filters = [
        ("unfiltered", base),
        ("level", f"{base}&level=3"),
        ("specialty", f"{base}&level=3&specialty={samples['specialty']}"),
        ("name", f"{base}&name={samples['name']}"),
        ("id_number", f"{base}&id_number={samples['id_number']}"),
        ("institution", f"{base}&institution={samples['institution']}"),
        ("status", f"{base}&status=in_review"),
        ("education", f"{base}&education=本科"),
        ("scope_direct", "scope=direct"),
        ("review_status", f"{base}&review_status=pending"),
        ("payment", f"{base}&payment=paid"),
    ]
    model_admin = admin.site._registry[ReviewApplication]
    if getattr(model_admin, "search_fields", None):
        filters += [
            ("q_id_number", f"{base}&q={samples['id_number']}"),
            ("q_name", f"{base}&q={samples['name']}"),
        ]
    return filters


class _PerPage:
    """Set a ModelAdmin's page size for the benchmark (the page the issue's targets name)."""

    def __init__(self, model, rows: int) -> None:
        self.admin = admin.site._registry[model]
        self.rows = rows

    def __enter__(self):
        self.old = self.admin.list_per_page
        self.admin.list_per_page = self.rows

    def __exit__(self, *exc) -> None:
        self.admin.list_per_page = self.old


def _get_page(ctx: BenchContext, model, url: str, rows: int) -> dict[str, Any]:
    with _PerPage(model, rows):
        response = ctx.client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: HTTP {response.status_code}")
    # Rows counted in the HTML (template instrumentation would distort the timing): the
    # review list has a 查看 link per row, the material lists a checkbox per row.
    content = response.content
    return {
        "rows": max(content.count("查看</a>".encode()), content.count(b'name="_selected_action"'))
    }


def _list_op(ctx: BenchContext, model, name: str, group: str, url: str, target: str) -> Operation:
    """One list page of LIST_ROWS rows; its query count is compared with a SMALL_ROWS page
    (same filters) once, outside the timing."""
    state: dict[str, Any] = {}

    def setup() -> None:
        _get_page(ctx, model, url, SMALL_ROWS)  # warm caches (content types, session …)
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            _get_page(ctx, model, url, SMALL_ROWS)
        state["small_page_ms"] = (time.perf_counter() - started) * 1000
        state["queries_small_page"] = counter.count

    def run() -> dict[str, Any]:
        return {**_get_page(ctx, model, url, LIST_ROWS), "url": url, **state}

    return Operation(name, group, run, target=target, setup=setup)


def list_operations(ctx: BenchContext) -> list[Operation]:
    changelist = reverse("admin:review_reviewapplication_changelist")
    return [
        _list_op(
            ctx,
            ReviewApplication,
            f"list:{name}",
            "review list",
            f"{changelist}?{query}",
            "≤ 300 ms; queries independent of rows",
        )
        for name, query in _list_filters(ctx.samples)
    ]


def detail_operation(ctx: BenchContext) -> Operation:
    url = reverse("admin:review_reviewapplication_change", args=[ctx.samples["detail_pk"]])

    def run() -> dict[str, Any]:
        response = ctx.client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: HTTP {response.status_code}")
        return {"url": url}

    return Operation("detail", "review detail", run, target="≤ 25 queries, ≤ 300 ms")


def materials_operation(ctx: BenchContext) -> Operation:
    url = reverse("admin:review_verifyeducation_changelist") + "?scope=subtree"
    return _list_op(
        ctx,
        VerifyEducation,
        "materials:education",
        "专项信息 list",
        url,
        "queries independent of rows",
    )


# --- export --------------------------------------------------------------------------------


def _export_queryset(ctx: BenchContext):
    model_admin = admin.site._registry[ReviewApplication]
    request = RequestFactory().get(
        reverse("admin:review_reviewapplication_export"), {"scope": "subtree"}
    )
    request.user = ctx.superuser  # all applications (the province sees those that reached it)
    queryset = model_admin.get_export_queryset(request)
    if ctx.rows:
        queryset = queryset.filter(pk__in=list(queryset.values_list("pk", flat=True)[: ctx.rows]))
    return queryset


def export_operations(ctx: BenchContext) -> list[Operation]:
    """The app's export (review.exporting when present, else django-import-export), the raw
    writer on the same rows in memory, and django-import-export's default xlsx path."""
    from import_export.formats.base_formats import XLSX

    from review.resources import ReviewApplicationResource

    try:
        from review.exporting import ApplicationExporter, write_xlsx
    except ImportError:  # before the streaming exporter: the import-export path is the app's
        ApplicationExporter = write_xlsx = None  # noqa: N806
    state: dict[str, Any] = {}
    path = os.path.join(ctx.tmpdir, "export.xlsx")

    def setup() -> None:
        state["queryset"] = _export_queryset(ctx)
        if ApplicationExporter is not None:
            state["rows"] = list(ApplicationExporter(state["queryset"]).rows())
            state["headers"] = list(ApplicationExporter.headers)
        else:
            dataset = ReviewApplicationResource().export(queryset=state["queryset"])
            state["rows"] = [list(r) for r in dataset]
            state["headers"] = list(dataset.headers)

    def app() -> dict[str, Any]:
        if write_xlsx is not None:
            count = write_xlsx(ApplicationExporter(state["queryset"]), path)
            writer = "review.exporting.write_xlsx (xlsxwriter)"
        else:
            dataset = ReviewApplicationResource().export(queryset=state["queryset"])
            with open(path, "wb") as fh:
                fh.write(
                    admin.site._registry[ReviewApplication]
                    .get_export_formats()[0]()
                    .export_data(dataset)
                )
            count, writer = len(dataset), "django-import-export + PlatformXLSX (openpyxl)"
        return {"rows": count, "writer": writer, "bytes": os.path.getsize(path)}

    def raw() -> dict[str, Any]:
        rows, headers = state["rows"], state["headers"]
        if write_xlsx is not None:
            import xlsxwriter

            book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
            sheet = book.add_worksheet()
            sheet.write_row(0, 0, headers)
            for i, row in enumerate(rows, start=1):
                sheet.write_row(i, 0, row)
            book.close()
            writer = "xlsxwriter constant_memory, rows in memory"
        else:
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet()
            sheet.append(headers)
            for row in rows:
                sheet.append(row)
            book.save(path)
            writer = "openpyxl write_only, rows in memory"
        return {"rows": len(rows), "writer": writer}

    def import_export_default() -> dict[str, Any]:
        dataset = ReviewApplicationResource().export(queryset=state["queryset"])
        data = XLSX().export_data(dataset)
        return {"rows": len(dataset), "bytes": len(data), "writer": "django-import-export XLSX"}

    return [
        Operation("export:app", "export xlsx", app, "≥ 50 % of raw rows/s, ≤ 250 MB", True, setup),
        Operation("export:raw", "export xlsx", raw, "baseline", True),
        Operation(
            "export:import_export", "export xlsx", import_export_default, "for comparison", True
        ),
    ]


# --- import --------------------------------------------------------------------------------


def import_operations(ctx: BenchContext) -> list[Operation]:
    """对比库 import of `import_rows` new records: the app's path (read, then check and write
    every row in one transaction, as the background job does) vs reading the same file with
    python-calamine and bulk-inserting it."""
    import random

    from review.bench.dataset import _birth
    from review.demo_data import _resident_id, generate_name
    from review.imports.base import PlatformXLSX
    from review.imports.reference_records import ReferenceRecordResource

    state: dict[str, Any] = {}
    headers = ["证件号码", "姓名", "年度", "来源", "说明", "报考专业", "考试结果"]

    def setup() -> None:
        import xlsxwriter

        rng = random.Random(7)
        taken = set(
            ReferenceRecord.objects.filter(library_id="history", year=2025).values_list(
                "id_number", flat=True
            )
        )
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, headers)
        seen: set[str] = set()
        row = 1
        while row <= ctx.import_rows:
            number = _resident_id("420102", _birth(rng, 1965, 2003), rng.random() < 0.5, rng)
            if number in seen or number in taken:
                continue
            seen.add(number)
            name = generate_name(rng, True)
            sheet.write_row(
                row, 0, [number, name, 2025, "历史考生名单", "", "368 护理学", "未合格"]
            )
            row += 1
        book.close()
        state["data"] = buffer.getvalue()
        state["library"] = ReferenceLibrary.objects.get(code="history")

    def app() -> dict[str, Any]:
        """Read the file, then check and write every row in one pass in one transaction, as
        the background job and 确认导入 do."""

        def work() -> dict[str, Any]:
            dataset = PlatformXLSX().create_dataset(state["data"])
            resource = ReferenceRecordResource(
                actor=ctx.user, institution=None, options={"library": state["library"]}
            )
            result = resource.import_data(
                dataset,
                dry_run=False,
                raise_errors=False,
                use_transactions=True,
                rollback_on_validation_errors=True,
            )
            if result.has_errors() or result.has_validation_errors():
                raise RuntimeError("import refused: " + str(getattr(result, "problems", ""))[:500])
            return {"rows": len(dataset), "new": dict(result.totals).get("new", 0)}

        return _rolled_back(work)

    def raw() -> dict[str, Any]:
        from python_calamine import CalamineWorkbook

        def work() -> dict[str, Any]:
            book = CalamineWorkbook.from_filelike(io.BytesIO(state["data"]))
            rows = book.get_sheet_by_index(0).to_python()[1:]
            library = state["library"]
            objs = [
                ReferenceRecord(
                    library=library,
                    id_number=str(r[0]),
                    name=str(r[1]),
                    year=int(r[2]),
                    source=str(r[3]),
                    detail=str(r[4]),
                    extra={"specialty": r[5], "result": r[6]},
                )
                for r in rows
            ]
            ReferenceRecord.objects.bulk_create(objs, batch_size=5000)
            return {"rows": len(objs)}

        return _rolled_back(work)

    return [
        Operation("import:app", "import 对比库", app, "≥ 50 % of raw rows/s", True, setup),
        Operation("import:raw", "import 对比库", raw, "baseline", True),
    ]


# --- 材料上报, 批量核验 ---------------------------------------------------------------------------


def report_operation(ctx: BenchContext, size: int = 5000) -> Operation:
    """材料上报 of `size` approved applications at one institution, by a reviewer of it.

    The data set rarely has that many approved-and-unreported at one place, so inside the
    rolled-back transaction the institution below the province with the most applications
    under review at its tier first approves up to `size` of them (TierReview + column, as
    the decision service leaves them); only `institution_report` is timed."""
    state: dict[str, Any] = {}
    open_states = [ReviewStatus.PENDING, ReviewStatus.DEFERRED, ReviewStatus.APPROVED]

    def setup() -> None:
        top = (
            TierReview.objects.filter(
                status__in=open_states, application__status=Application.Status.IN_REVIEW
            )
            .exclude(tier=Tier.PROVINCE)
            .filter(tier=F("application__current_tier"))
            .values("institution")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        if top is None:
            raise LookupError("no application under review below the province")
        state["institution"] = Institution.objects.get(pk=top["institution"])

    def run() -> dict[str, Any]:
        def work() -> dict[str, Any]:
            from people.services import reviewer_add

            institution = state["institution"]
            reviews = TierReview.objects.filter(
                institution=institution,
                status__in=open_states,
                application__status=Application.Status.IN_REVIEW,
                tier=F("application__current_tier"),
            ).order_by("application_id")[:size]
            picked = list(reviews.values_list("pk", "application_id"))
            app_ids = [a for _, a in picked]
            TierReview.objects.filter(pk__in=[r for r, _ in picked]).update(
                status=ReviewStatus.APPROVED
            )
            Application.objects.filter(pk__in=app_ids).update(
                **{f"{institution.tier}_review_status": ReviewStatus.APPROVED}
            )
            actor = reviewer_add(
                institution=institution,
                username=f"{BENCH_USER_PREFIX}reporter",
                password="x",
                extra_perms=[Perm.REPORT],  # bench units have no reviewer group
            )
            started = time.perf_counter()
            count = services.institution_report(
                actor=actor, institution=institution, business=None, application_ids=app_ids
            )
            return {
                "rows": count,
                "institution": institution.name,
                "timed_s": time.perf_counter() - started,
            }

        return _rolled_back(work)

    return Operation(
        "report", "材料上报", run, f"{size} applications, one transaction, ≤ 10 s", setup=setup
    )


def verify_operation(ctx: BenchContext, size: int = 10_000) -> Operation:
    state: dict[str, Any] = {}

    def setup() -> None:
        state["ids"] = list(
            EducationRecord.objects.filter(verification_status=VerificationStatus.PENDING)
            .exclude(application__province_review_status="")
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )

    def run() -> dict[str, Any]:
        def work() -> dict[str, Any]:
            count = verification.material_verify_batch(
                actor=ctx.user, model=VerifyEducation, material_ids=state["ids"], outcome="verified"
            )
            return {"rows": count}

        return _rolled_back(work)

    return Operation("verify", "批量核验", run, f"{size} materials, ≤ 5 s", setup=setup)


# --- EXPLAIN -------------------------------------------------------------------------------

INDEX_RE = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)")
SEQ_RE = re.compile(r"Seq Scan on (\S+)")


def explain_list(ctx: BenchContext) -> list[dict[str, Any]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the review list's page query and its count query, as the
    admin's ChangeList builds them for `province`, per filter. PostgreSQL only."""
    if connection.vendor != "postgresql":
        return []
    model_admin = admin.site._registry[ReviewApplication]
    changelist = reverse("admin:review_reviewapplication_changelist")
    out = []
    for name, query in _list_filters(ctx.samples):
        request = RequestFactory().get(f"{changelist}?{query}")
        request.user = ctx.user
        request.session = {}
        cl = model_admin.get_changelist_instance(request)
        page = cl.queryset[:LIST_ROWS]
        entry: dict[str, Any] = {"name": f"explain:{name}", "query": query}
        for label, qs in (("page", page), ("count", cl.queryset.order_by())):
            if label == "count":
                sql, params = qs.query.get_compiler(connection=connection).as_sql()
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM ({sql}) AS c", params
                    )
                    plan = "\n".join(r[0] for r in cursor.fetchall())
            else:
                plan = qs.explain(analyze=True, buffers=True)
            ms = re.search(r"Execution Time: ([\d.]+) ms", plan)
            entry[label] = {
                "execution_ms": float(ms.group(1)) if ms else None,
                "indexes": sorted(set(INDEX_RE.findall(plan))),
                "seq_scans": sorted(set(SEQ_RE.findall(plan))),
                "plan": plan,
            }
        out.append(entry)
    return out


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


def all_operations(ctx: BenchContext) -> dict[str, list[Operation]]:
    return {
        "list": list_operations(ctx),
        "detail": [detail_operation(ctx)],
        "materials": [materials_operation(ctx)],
        "export": export_operations(ctx),
        "import": import_operations(ctx),
        "report": [report_operation(ctx)],
        "verify": [verify_operation(ctx)],
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
