"""manage.py bench [--runs 5] [--json bench-results/bench.json] [--only list,detail] [--rows N]
                  [--profile list:unfiltered [--profile-out bench-results/profile.html]]

Runs the operations of devtools/bench/operations.py and bulk_operations.py on the data of
`seed_bench` and prints a table: median seconds, the ratio to the reference workload
measured in the same run, the time of the operation's own SQL statements (summed per run,
median) and the ratio of the total to it, the process's CPU time, SQL queries, peak Python memory (tracemalloc),
rows and rows/s, the target. Writes the same as JSON, with the EXPLAIN plans of the review
list per filter. `--profile NAME` profiles that one operation instead (pyinstrument).
"""

import json
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from devtools.bench import measuring
from devtools.bench.measuring import Measured, Operation
from devtools.bench.operations import all_operations, explain_list
from devtools.bench.profiling import profile_operation
from devtools.guard import refuse_in_production

GROUPS = (
    "list",
    "detail",
    "access",
    "materials",
    "export",
    "import",
    "report",
    "verify",
    "eligibility",
    "texts",
    "explain",
)


class Command(BaseCommand):
    help = "基准测试：各项操作的中位耗时、与参照负载之比、SQL 查询数和内存峰值（需先运行 seed_bench）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=5, help="每项操作计时次数（取中位数）")
        parser.add_argument(
            "--heavy-runs", type=int, default=3, help="导出/导入计时次数（默认 3，不超过 --runs）"
        )
        parser.add_argument("--json", default="bench-results/bench.json", help="JSON 结果文件")
        parser.add_argument("--only", default="", help=f"只运行这些组：{','.join(GROUPS)}")
        parser.add_argument("--rows", type=int, default=0, help="导出行数上限（默认全部）")
        parser.add_argument("--import-rows", type=int, default=100_000, help="导入行数")
        parser.add_argument(
            "--profile", default="", help="只对这一项操作做性能剖析（如 list:unfiltered）"
        )
        parser.add_argument(
            "--profile-out",
            default="bench-results/profile.html",
            help="剖析结果文件：.html 或 .txt（文本）",
        )

    def handle(self, *args, **options) -> None:
        refuse_in_production(
            "基准测试", why="它的写操作虽会回滚，但会锁住审核人员正在使用的表，并读取全部数据。"
        )
        only = [g for g in options["only"].split(",") if g] or list(GROUPS)
        unknown = set(only) - set(GROUPS)
        if unknown:
            raise CommandError(f"未知的组：{'、'.join(sorted(unknown))}。可用：{','.join(GROUPS)}")
        # The test client talks to "testserver".
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        runs = max(1, options["runs"])
        heavy_runs = max(1, min(runs, options["heavy_runs"]))
        try:
            ctx = measuring.make_context(rows=options["rows"], import_rows=options["import_rows"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if options["profile"]:
            self._profile(ctx, options["profile"], runs, Path(options["profile_out"]))
            return
        started = time.perf_counter()
        reference = measuring.measure(
            Operation("reference", "reference", lambda: measuring.reference_workload() or {}), runs
        )
        results: list[Measured] = []
        try:
            for group, ops in all_operations(ctx).items():
                if group not in only:
                    continue
                for op in ops:
                    t0 = time.perf_counter()
                    results.append(measuring.measure(op, heavy_runs if op.heavy else runs))
                    self.stderr.write(f"  {op.name}: {time.perf_counter() - t0:.1f} s")
        finally:
            shutil.rmtree(ctx.tmpdir, ignore_errors=True)
        explains = explain_list(ctx) if "explain" in only else []
        rows = [self._row(m, reference.median_s) for m in results]
        self._derive(rows)
        payload = {
            "generated_at": timezone.now().isoformat(),
            "machine": measuring.machine(),
            "runs": runs,
            "heavy_runs": heavy_runs,
            "reference": {
                "description": (
                    "SELECT count(*) FROM exam_application + "
                    f"sum(i*i for i < {measuring.REFERENCE_LOOP:,}) in Python"
                ),
                "median_s": reference.median_s,
                "runs": reference.runs,
            },
            "operations": rows,
            "explain": explains,
            "elapsed_s": time.perf_counter() - started,
        }
        self._print(payload)
        path = Path(options["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        self.stdout.write(f"JSON: {path}")

    def _profile(self, ctx, name: str, runs: int, path: Path) -> None:
        ops = {op.name: op for group in all_operations(ctx).values() for op in group}
        try:
            if name not in ops:
                raise CommandError(f"未知的操作：{name}。可用：{', '.join(ops)}")
            profile_operation(ops[name], runs=runs, path=path)
        finally:
            shutil.rmtree(ctx.tmpdir, ignore_errors=True)
        self.stdout.write(f"剖析结果（{name}，{runs} 次）：{path}")

    def _row(self, m: Measured, reference_s: float) -> dict[str, Any]:
        rows = m.extra.get("rows")
        sql_s = m.sql_s
        row = {
            "name": m.name,
            "group": m.group,
            "median_s": m.median_s,
            "ratio": m.median_s / reference_s if reference_s else None,
            "sql_s": sql_s,
            "cpu_s": m.cpu_s,
            "total_vs_sql": m.median_s / sql_s if sql_s else None,
            "runs": m.runs,
            "queries": m.queries,
            "peak_mb": m.peak_mb,
            "rows": rows,
            "rows_per_s": rows / m.median_s if rows and m.median_s else None,
            "target": m.target,
            **{k: v for k, v in m.extra.items() if k != "rows"},
        }
        return row

    def _derive(self, rows: list[dict[str, Any]]) -> None:
        """Throughput ratios of the app's export/import against the raw path, same run."""
        by_name = {r["name"]: r for r in rows}
        pairs = (
            ("export:app", "export:raw"),
            ("import:app", "import:raw"),
        )
        for app, raw in pairs:
            if app in by_name and raw in by_name and by_name[raw]["rows_per_s"]:
                by_name[app]["throughput_vs_raw"] = (by_name[app]["rows_per_s"] or 0) / by_name[
                    raw
                ]["rows_per_s"]
        if "export:import_export" in by_name and "export:raw" in by_name:
            ie, raw = by_name["export:import_export"], by_name["export:raw"]
            if raw["rows_per_s"]:
                ie["throughput_vs_raw"] = (ie["rows_per_s"] or 0) / raw["rows_per_s"]

    def _print(self, payload: dict[str, Any]) -> None:
        ref = payload["reference"]
        self.stdout.write(f"参照负载（{ref['description']}）：中位 {ref['median_s'] * 1000:.0f} ms")
        header = f"{'operation':<26}{'median ms':>11}{'× ref':>8}{'SQL ms':>8}{'÷ SQL':>7}{'CPU ms':>8}{'queries':>9}{'small pg':>9}{'peak MB':>9}{'rows':>9}{'rows/s':>10}{'vs raw':>8}"
        self.stdout.write(header)
        for r in payload["operations"]:
            small = r.get("queries_small_page")
            vs_raw = r.get("throughput_vs_raw")
            self.stdout.write(
                f"{r['name']:<26}{r['median_s'] * 1000:>11.0f}{r['ratio']:>8.2f}"
                f"{'' if r['sql_s'] is None else f'{r["sql_s"] * 1000:.0f}':>8}"
                f"{'' if r['total_vs_sql'] is None else f'{r["total_vs_sql"]:.2f}':>7}"
                f"{'' if r['cpu_s'] is None else f'{r["cpu_s"] * 1000:.0f}':>8}"
                f"{r['queries']:>9}"
                f"{'' if small is None else small:>9}{r['peak_mb']:>9.1f}"
                f"{'' if r['rows'] is None else r['rows']:>9}"
                f"{'' if not r['rows_per_s'] else f'{r["rows_per_s"]:.0f}':>10}"
                f"{'' if vs_raw is None else f'{vs_raw:.0%}':>8}"
            )
        for r in payload["operations"]:
            if "slower_pct" in r:  # access:paired (个人信息访问记录 on against off)
                self.stdout.write(
                    f"{r['name']} ({r['pairs']} pairs, medians): off {r['off_ms']:.1f} ms, "
                    f"on {r['on_ms']:.1f} ms ({r['slower_pct']:+.1f} %; per pair "
                    f"{r['pair_ratio_pct']:+.1f} %); CPU off {r['off_cpu_ms']:.1f} ms, "
                    f"on {r['on_cpu_ms']:.1f} ms ({r['cpu_slower_pct']:+.1f} %)"
                )
        for e in payload["explain"]:
            page, count = e["page"], e["count"]
            self.stdout.write(
                f"{e['name']:<26} page {page['execution_ms']} ms idx={','.join(page['indexes']) or '-'}"
                f" seq={','.join(page['seq_scans']) or '-'} | count {count['execution_ms']} ms"
                f" idx={','.join(count['indexes']) or '-'} seq={','.join(count['seq_scans']) or '-'}"
            )
