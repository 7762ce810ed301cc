"""The benchmark's operations (`manage.py bench`).

Every operation is timed `runs` times (median), then run once more under tracemalloc for
its peak Python memory and with a counting execute_wrapper for its SQL query count (tracemalloc
slows Python down, so it is never on while timing). A reference workload is timed in the
same process, so each figure is also given as a ratio that does not depend on the machine:

    REFERENCE = `SELECT count(*)` over exam_application + a fixed pure-Python loop
                (sum of i*i for i < 2,000,000)

Operations that write run inside a transaction that is rolled back, so the benchmark can
be run again on the same data.

Measuring and the data the operations need are in measuring.py; the bulk operations
(export, import, 材料上报, 批量核验) in bulk_operations.py.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from devtools.bench.access_operations import access_operations
from devtools.bench.bulk_operations import (
    export_operations,
    import_operations,
    report_operation,
    verify_operation,
)
from devtools.bench.eligibility_operations import eligibility_operations
from devtools.bench.measuring import LIST_ROWS, SMALL_ROWS, BenchContext, Operation, QueryCounter
from devtools.bench.text_operations import text_operations
from review.models import ReviewApplication, VerifyEducation, VerifyTitle

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
        # 报考条件 (stored results: manage.py eligibility_refresh after seed_bench)
        ("eligibility", f"{base}&eligibility=ineligible"),
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


def _get_page(ctx: BenchContext, model, url: str, rows: int, client=None) -> dict[str, Any]:
    with _PerPage(model, rows):
        response = (client or ctx.client).get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: HTTP {response.status_code}")
    # Rows counted in the HTML (template instrumentation would distort the timing): the
    # review list has a 查看 link per row, the material lists a checkbox per row.
    content = response.content
    return {
        "rows": max(content.count("查看</a>".encode()), content.count(b'name="_selected_action"'))
    }


def _list_op(
    ctx: BenchContext, model, name: str, group: str, url: str, target: str, client=None
) -> Operation:
    """One list page of LIST_ROWS rows; its query count is compared with a SMALL_ROWS page
    (same filters) once, outside the timing."""
    state: dict[str, Any] = {}

    def setup() -> None:
        _get_page(ctx, model, url, SMALL_ROWS, client)  # warm caches (content types, session …)
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            _get_page(ctx, model, url, SMALL_ROWS, client)
        state["small_page_ms"] = (time.perf_counter() - started) * 1000
        state["queries_small_page"] = counter.count

    def run() -> dict[str, Any]:
        return {**_get_page(ctx, model, url, LIST_ROWS, client), "url": url, **state}

    return Operation(name, group, run, target=target, setup=setup)


LIST_TARGET = "≤ 2 × its SQL; queries independent of rows"


def list_operations(ctx: BenchContext) -> list[Operation]:
    changelist = reverse("admin:review_reviewapplication_changelist")
    ops = [
        _list_op(
            ctx,
            ReviewApplication,
            f"list:{name}",
            "review list",
            f"{changelist}?{query}",
            LIST_TARGET,
        )
        for name, query in _list_filters(ctx.samples)
    ]
    if ctx.unit_client is not None:  # a unit's reviewer: the list as it opens, and 待审核
        ops += [
            _list_op(ctx, ReviewApplication, name, "review list", url, LIST_TARGET, ctx.unit_client)
            for name, url in (
                ("list:unit", changelist),
                ("list:unit_pending", f"{changelist}?review_status=pending"),
            )
        ]
    return ops


def detail_operation(ctx: BenchContext) -> Operation:
    url = reverse("admin:review_reviewapplication_change", args=[ctx.samples["detail_pk"]])

    def run() -> dict[str, Any]:
        response = ctx.client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: HTTP {response.status_code}")
        return {"url": url}

    return Operation("detail", "review detail", run, target="≤ 25 queries, ≤ 2 × its SQL")


def materials_operations(ctx: BenchContext) -> list[Operation]:
    """专项信息 lists: 学历信息 (its own filters and columns) and 专技职称, as the province
    sees them, and 学历信息 as a unit's reviewer does."""
    education = reverse("admin:review_verifyeducation_changelist")
    title = reverse("admin:review_verifytitle_changelist")
    ops = [
        _list_op(
            ctx,
            VerifyEducation,
            "materials:education",
            "专项信息 list",
            f"{education}?scope=subtree",
            LIST_TARGET,
        ),
        _list_op(
            ctx,
            VerifyTitle,
            "materials:title",
            "专项信息 list",
            f"{title}?scope=subtree",
            LIST_TARGET,
        ),
    ]
    if ctx.unit_client is not None:
        ops.append(
            _list_op(
                ctx,
                VerifyEducation,
                "materials:unit_education",
                "专项信息 list",
                education,
                LIST_TARGET,
                ctx.unit_client,
            )
        )
    return ops


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


def all_operations(ctx: BenchContext) -> dict[str, list[Operation]]:
    return {
        "list": list_operations(ctx),
        "detail": [detail_operation(ctx)],
        "access": access_operations(ctx),
        "materials": materials_operations(ctx),
        "export": export_operations(ctx),
        "import": import_operations(ctx),
        "report": [report_operation(ctx)],
        "verify": [verify_operation(ctx)],
        "eligibility": eligibility_operations(ctx),
        "texts": text_operations(ctx),
    }
