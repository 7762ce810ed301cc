"""The benchmark's bulk operations: export (the app's path and a plain xlsx writer),
对比库 import, 材料上报 of thousands of applications and 批量核验 of thousands of materials."""

from __future__ import annotations

import io
import os
import time
from typing import Any

from django.db.models import Count, F
from django.utils import timezone

from devtools.bench.constants import BENCH_USER_PREFIX
from devtools.bench.measuring import BenchContext, Operation, rolled_back
from exam.models import Application, EducationRecord, TierReview
from exam.models.applications import ReviewStatus
from exam.models.materials import VerificationStatus
from people.models import Institution
from people.permissions import Perm
from people.tiers import Tier
from review import services, verification
from review.models import ReferenceLibrary, ReferenceRecord, VerifyEducation

# --- export --------------------------------------------------------------------------------


def _export_queryset(ctx: BenchContext):
    """What the province's 导出 of 报名材料审核 (下级所有) selects, as the superuser: the
    registry's exporter (review.exporters), capped at `ctx.rows`."""
    from review.exporters import ReviewListExporter

    queryset = ReviewListExporter.queryset(
        user=ctx.superuser, business=None, params={"scope": "subtree"}
    )
    if ctx.rows:
        queryset = queryset.filter(pk__in=list(queryset.values_list("pk", flat=True)[: ctx.rows]))
    return queryset


def export_operations(ctx: BenchContext) -> list[Operation]:
    """The app's export (the registry's exporter written by core.xlsx.write_xlsx), the raw
    writer on the same rows in memory, and django-import-export's xlsx writer on them."""
    import tablib
    from django.utils import timezone
    from import_export.formats.base_formats import XLSX

    from core.xlsx import ExportStamp, write_xlsx
    from review.exporters import ReviewListExporter

    state: dict[str, Any] = {}
    path = os.path.join(ctx.tmpdir, "export.xlsx")

    def setup() -> None:
        state["queryset"] = _export_queryset(ctx)
        state["rows"] = list(ReviewListExporter(state["queryset"]).rows())
        state["headers"] = list(ReviewListExporter.headers)

    def app() -> dict[str, Any]:
        # As the admin writes it: 证件号码 masked (the default) and stamped.
        exporter = ReviewListExporter(state["queryset"])
        exporter.stamp = ExportStamp(
            exporter="bench", institution="", at=timezone.now(), purpose="性能测试"
        )
        count = write_xlsx(exporter, path)
        writer = "core.xlsx.write_xlsx (xlsxwriter)"
        return {"rows": count, "writer": writer, "bytes": os.path.getsize(path)}

    def raw() -> dict[str, Any]:
        import xlsxwriter

        rows, headers = state["rows"], state["headers"]
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, headers)
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, row)
        book.close()
        return {"rows": len(rows), "writer": "xlsxwriter constant_memory, rows in memory"}

    def import_export_default() -> dict[str, Any]:
        dataset = tablib.Dataset(*state["rows"], headers=state["headers"])
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
    python-calamine and COPYing its rows unchecked (core/copy_insert.py), timed in the same
    run."""
    import random

    from core.imports.base import PlatformXLSX
    from devtools.bench.context import birth_between
    from devtools.demo.people import generate_name, make_resident_id
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
            number = make_resident_id(
                "420102", birth_between(rng, 1965, 2003), rng.random() < 0.5, rng
            )
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

        return rolled_back(work)

    def raw() -> dict[str, Any]:
        """The floor: read the same file with python-calamine and COPY its rows as they are
        (no check of any cell), in one transaction; bulk_create where there is no COPY
        (SQLite, in the tests)."""
        from python_calamine import CalamineWorkbook

        from core.copy_insert import can_copy, copy_insert
        from review.imports.reference_records import COPY_COLUMNS

        def work() -> dict[str, Any]:
            book = CalamineWorkbook.from_filelike(io.BytesIO(state["data"]))
            rows = book.get_sheet_by_index(0).to_python()[1:]
            library_id, now = state["library"].pk, timezone.now()
            values = (
                (
                    library_id,
                    str(r[0]),
                    str(r[1]),
                    int(r[2]),
                    str(r[3]),
                    str(r[4]),
                    {"specialty": r[5], "result": r[6]},
                    now,
                )
                for r in rows
            )
            if can_copy():
                return {"rows": copy_insert(ReferenceRecord, COPY_COLUMNS, values)}
            objs = [ReferenceRecord(**dict(zip(COPY_COLUMNS, v, strict=True))) for v in values]
            ReferenceRecord.objects.bulk_create(objs, batch_size=5000)
            return {"rows": len(objs)}

        return rolled_back(work)

    return [
        Operation("import:app", "import 对比库", app, "≥ 50 % of raw rows/s", True, setup),
        Operation("import:raw", "import 对比库", raw, "baseline: calamine + COPY", True),
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

        return rolled_back(work)

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

        return rolled_back(work)

    return Operation("verify", "批量核验", run, f"{size} materials, ≤ 5 s", setup=setup)
