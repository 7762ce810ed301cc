"""manage.py seed_bench --applications 200000 [--seed S] [--force] [--clear]"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.bench.constants import DEFAULT_SEED, BenchDataError
from devtools.bench.dataset import bench_counts, clear_bench, seed_bench
from devtools.guard import refuse_in_production


class Command(BaseCommand):
    help = "生成省级规模的基准测试数据（可重复：同一 --seed 生成相同数据）；--clear 删除它。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applications", type=int, help="申报数量，如 200000")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--force", action="store_true", help="数据库中已有其他（非基准测试）数据时仍然生成"
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="删除基准测试数据（与 --applications 同用则删除后重新生成）",
        )

    def handle(self, *args, **options) -> None:
        refuse_in_production("基准测试数据")
        if not options["clear"] and not options["applications"]:
            raise CommandError(
                "请用 --applications N 指定申报数量，或用 --clear 删除基准测试数据。"
            )
        if options["clear"]:
            removed = clear_bench()
            self.stdout.write(
                "已删除基准测试数据：" + "，".join(f"{k} {v}" for k, v in removed.items())
            )
        if not options["applications"]:
            return
        try:
            report = seed_bench(
                applications=options["applications"],
                seed=options["seed"],
                force=options["force"],
                progress=lambda message: self.stdout.write(f"  {message}"),
            )
        except BenchDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{'表':<36}{'行数':>12}{'耗时(秒)':>12}")
        for table, rows, seconds in report.tables:
            self.stdout.write(f"{table:<36}{rows:>12,}{seconds:>12.1f}")
        total = sum(rows for _, rows, _ in report.tables)
        self.stdout.write(
            self.style.SUCCESS(
                f"共 {total:,} 行，用时 {report.seconds:.1f} 秒（{report.method}，seed {options['seed']}）。"
            )
        )
        self.stdout.write(
            "基准测试数据：" + "，".join(f"{k} {v}" for k, v in bench_counts().items())
        )
