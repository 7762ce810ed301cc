from django.core.management.base import BaseCommand, CommandError

from devtools.demo.seed import DemoDataError, seed_demo
from devtools.demo.summary import demo_counts, summary_lines
from devtools.guard import refuse_in_production


class Command(BaseCommand):
    help = (
        "生成演示数据：审核机构树、演示审核账号、超级管理员 admin、2026年两个考试项目、"
        "约300名考生及其各状态的申报（含证明材料、医案、附件、推荐医师），医师库与对比库演示记录。"
        "可重复执行，已存在的数据不会重复创建。"
    )

    def handle(self, *args, **options) -> None:
        refuse_in_production("演示数据")
        try:
            result = seed_demo()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        for name in result.projects_created:
            self.stdout.write(f"已创建考试项目：{name}")
        if result.superuser_created:
            self.stdout.write("已创建超级管理员：admin（密码 demo12345）")
        self.stdout.write(
            f"本次新建考生 {result.candidates_created} 人、申报 {result.applications_created} 条；"
            f"已存在而跳过的演示考生 {result.candidates_skipped} 人。"
        )
        self.stdout.write(
            f"本次新建医师库医师 {result.physicians_created} 人、"
            f"对比库记录 {result.reference_records_created} 条。"
        )
        for line in summary_lines(demo_counts()):
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS("演示数据已就绪。运行 python manage.py demo_info 查看账号。")
        )
