"""manage.py loadtest --url http://127.0.0.1:8077 [--sessions 50] [--seconds 60]
                    [--mix 40,40,20] [--tier mixed|province|city|county|unit] [--json FILE]

N reviewer sessions log in to a running server and loop without think time over the review
list with a realistic filter, a detail page in their scope and a 专项信息 list (the mix, in
that order), for --seconds after the last one has logged in. Prints requests/s, p50/p95/p99,
the errors (any response but 200), the load average and the options; writes the same as
JSON. The command reads the database the server uses (the same DATABASE_URL) to find or
create the bench reviewer accounts and what each may open. devtools/load/ has the parts.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from devtools.bench.measuring import bench_user
from devtools.guard import refuse_in_production
from devtools.load import stats
from devtools.load.accounts import TIER_CHOICES, load_accounts_ensure, session_tiers
from devtools.load.mix import DEFAULT_MIX, mix_parse
from devtools.load.plan import plan_build, plan_write
from devtools.load.runner import RunResult, locust_run, server_check
from exam.models import Application


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "压力测试：N 个已登录的审核账号不间断地访问审核列表、详情页和专项信息，"
        "输出每秒请求数、p50/p95/p99 响应时间和错误数（需先运行 seed_bench 并启动服务器）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="被测服务器地址")
        parser.add_argument("--sessions", type=_positive, default=50, help="并发会话数")
        parser.add_argument(
            "--seconds", type=_positive, default=60, help="计时秒数（全部会话登录后开始）"
        )
        parser.add_argument(
            "--mix", default=DEFAULT_MIX, help="审核列表、详情页、专项信息的比重，如 40,40,20"
        )
        parser.add_argument(
            "--tier",
            default="mixed",
            choices=TIER_CHOICES,
            help="账号层级：mixed（每 10 个会话中省级 1、市州 2、区县 3、单位 4）或只用一级",
        )
        parser.add_argument("--seed", type=int, default=1, help="各会话随机选择的种子")
        parser.add_argument(
            "--server-pid",
            type=int,
            default=None,
            help="被测服务器主进程号（如 gunicorn master）：报告计时窗口内它及其工作进程的 CPU 时间",
        )
        parser.add_argument("--json", default="bench-results/loadtest.json", help="JSON 结果文件")

    def handle(self, *args, **options) -> None:
        refuse_in_production("压力测试", why="它会创建审核账号，并向服务器持续发出大量请求。")
        try:
            mix = mix_parse(options["mix"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        sessions, seconds = options["sessions"], options["seconds"]
        # call_command passes keyword options without argparse's checks: checked here too.
        for name, value in (("sessions", sessions), ("seconds", seconds)):
            if not isinstance(value, int) or value < 1:
                raise CommandError(f"--{name} 应为正整数（收到 {value!r}）。")
        try:
            tiers = session_tiers(sessions=sessions, tier=options["tier"])
        except ValueError as exc:
            raise CommandError(f"--tier：{exc}") from exc
        try:
            bench_user()  # the bench data is there (its province account)
            accounts = load_accounts_ensure(tiers=tiers)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        try:
            server_check(options["url"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        plan = plan_build(accounts=accounts, seed=options["seed"])
        self.stderr.write(
            f"{len(accounts)} 个账号就绪（{_count_tiers(tiers)}），"
            f"{sessions} 个会话登录后计时 {seconds} 秒 …"
        )
        load_before = stats.load_average()  # what else the machine was doing
        with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp:
            workdir = Path(tmp)
            plan_path = workdir / "plan.json"
            plan_write(plan, plan_path)
            try:
                result = locust_run(
                    url=options["url"],
                    sessions=sessions,
                    seconds=seconds,
                    mix=mix,
                    plan_path=plan_path,
                    workdir=workdir,
                    server_pid=options["server_pid"],
                )
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
        payload = self._payload(options, mix=str(mix), tiers=tiers, result=result)
        payload["load_average_before"] = load_before
        self._print(payload, result)
        path = Path(options["json"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        self.stdout.write(f"JSON: {path}")
        if result.summary.requests == 0:
            raise CommandError("计时窗口内没有完成任何请求：服务器是否在运行、地址是否正确？")
        if result.summary.total_errors:
            raise CommandError(
                f"共 {result.summary.total_errors} 个错误（非 200 响应或登录失败）。"
            )

    def _payload(
        self, options: dict[str, Any], *, mix: str, tiers: list[str], result: RunResult
    ) -> dict[str, Any]:
        return {
            "generated_at": timezone.now().isoformat(),
            "options": {
                "url": options["url"],
                "sessions": options["sessions"],
                "seconds": options["seconds"],
                "mix": mix,
                "tier": options["tier"],
                "tiers": _count_tiers(tiers),
                "seed": options["seed"],
                "server_pid": options["server_pid"],
            },
            "database": {
                "vendor": connection.vendor,
                "applications": Application.objects.count(),
            },
            "summary": result.summary.as_dict(),
            "locust": [asdict(row) for row in result.locust_rows],
            "load_average": stats.load_average(),
            "generator_cpu_s": result.generator_cpu_s,
            "generator_cpu_warning": result.cpu_warning,
            "locust_command": result.command,
            "locust_returncode": result.returncode,
        }

    def _print(self, payload: dict[str, Any], result: RunResult) -> None:
        s = result.summary
        o = payload["options"]
        self.stdout.write(
            f"选项：--url {o['url']} --sessions {o['sessions']} --seconds {o['seconds']} "
            f"--mix {o['mix']} --tier {o['tier']}（{o['tiers']}）；"
            f"数据库 {payload['database']['vendor']}，申报 {payload['database']['applications']:,} 条"
        )
        self.stdout.write(
            f"计时窗口 {s.window_s:.1f} 秒：{s.requests} 个请求，{s.requests_per_s:.1f} 请求/秒，"
            f"p50 {_ms(s.p50_ms)}，p95 {_ms(s.p95_ms)}，p99 {_ms(s.p99_ms)}，最长 {_ms(s.max_ms)}；"
            f"错误 {s.errors}（窗口外 {s.errors_outside_window}，登录 {s.login_errors}，"
            f"会话异常 {s.user_errors}）；"
            f"已登录会话 {s.logged_in}/{s.sessions}"
        )
        self.stdout.write(
            f"{'kind':<12}{'requests':>10}{'share':>8}{'errors':>8}{'p50':>9}{'p95':>9}"
        )
        for kind, k in s.by_kind.items():
            self.stdout.write(
                f"{kind:<12}{k.requests:>10}{k.share:>8.0%}{k.errors:>8}{_ms(k.p50_ms):>9}{_ms(k.p95_ms):>9}"
            )
        self.stdout.write("locust 全程统计（含登录）：")
        for row in result.locust_rows:
            self.stdout.write(
                f"  {row.name:<12}{row.requests:>8} 次  失败 {row.failures:<5}"
                f"p50 {row.median_ms:.0f} ms  p95 {row.p95_ms:.0f} ms  p99 {row.p99_ms:.0f} ms"
            )
        self.stdout.write(
            f"负载均值（/proc/loadavg，1/5/15 分钟）：开始前 {_load(payload['load_average_before'])}，"
            f"结束时 {_load(payload['load_average'])}；"
            f"压测进程 CPU {result.generator_cpu_s:.1f} 秒"
            + ("；locust 报告其 CPU 过高，数字偏低" if result.cpu_warning else "")
        )
        if s.server_cpu_s is not None:
            self.stdout.write(
                f"服务器进程 CPU（计时窗口内）：{s.server_cpu_s:.1f} 秒，"
                f"每个请求 {_ms(s.server_cpu_ms_per_request)}（不含数据库）"
            )


def _load(values: tuple[float, float, float] | None) -> str:
    return " ".join(f"{v:.2f}" for v in values) if values else "无"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _count_tiers(tiers: list[str]) -> str:
    counts: dict[str, int] = {}
    for tier in tiers:
        counts[tier] = counts.get(tier, 0) + 1
    return "，".join(f"{tier} {n}" for tier, n in counts.items())
