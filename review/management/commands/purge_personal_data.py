"""Delete the files and anonymise the rows past their retention period (review/purge.py).

A dry run by default: it prints, per closed project and kind, how many files it would delete
and rows it would clear. `--execute` does it (monthly, hbwsrc-purge-personal-data.timer).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from exam import retention
from exam.models import ExamProject
from exam.retention import Period
from review.purge import (
    OPEN_PROJECT,
    ProjectOpen,
    ProjectPurge,
    project_purge,
    projects_to_purge,
    purge_plan,
)


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期“{value}”格式不正确，应为 YYYY-MM-DD。") from exc


class Command(BaseCommand):
    help = (
        "按考试项目的保存期限清除个人信息：删除到期的文件，匿名化到期的记录，保留统计数据和审核日志。"
        "默认只试运行并列出数量，加 --execute 才执行。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--execute", action="store_true", help="执行清除（默认只试运行）。")
        parser.add_argument(
            "--project", type=int, action="append", help="只处理此编号的考试项目（可重复）。"
        )
        parser.add_argument("--today", help="按此日期（YYYY-MM-DD）判断是否到期，默认今天。")

    def handle(self, *args, **options) -> None:
        today = _day(options["today"]) if options["today"] else timezone.localdate()
        projects = self._projects(options["project"], today)
        if not projects:
            self.stdout.write("没有已结束的考试项目，无需清除。")
            return
        try:
            if options["execute"]:
                results = [project_purge(project=p, today=today) for p in projects]
            else:
                results = purge_plan(projects=projects, today=today)
        except ProjectOpen as exc:  # reopened since the check above
            raise CommandError(str(exc)) from exc
        for result in results:
            self._report(result, today)
        failed = [name for r in results for name in r.failed_files]
        if options["execute"]:
            files, rows = sum(r.files for r in results), sum(r.rows for r in results)
            self.stdout.write(
                f"已执行：删除文件 {files - len(failed)} 个，清除或匿名化记录 {rows} 条。"
            )
        else:
            self.stdout.write("试运行，未做任何修改。确认无误后加 --execute 执行。")
        if failed:
            raise CommandError(
                f"{len(failed)} 个文件未能删除（记录已清除），请手工删除：" + "、".join(failed)
            )

    def _projects(self, ids: list[int] | None, today: datetime.date) -> list[ExamProject]:
        if not ids:
            return projects_to_purge(today=today)
        found = {p.pk: p for p in ExamProject.objects.filter(pk__in=ids)}
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise CommandError(f"没有编号为 {'、'.join(missing)} 的考试项目。")
        projects = [found[pk] for pk in dict.fromkeys(ids)]
        for project in projects:
            if retention.is_open(project, today=today):
                raise CommandError(OPEN_PROJECT.format(name=project.name, today=today.isoformat()))
        return projects

    def _report(self, result: ProjectPurge, today: datetime.date) -> None:
        project = result.project
        ended = retention.closed_on(project)
        apps = retention.kept_until(project, Period.APPLICATIONS)
        ids = retention.kept_until(project, Period.IDENTITY)
        self.stdout.write(
            f"{project.name}（编号 {project.pk}，{ended} 结束；申报资料 {apps} 到期，"
            f"证件照和签名 {ids} 到期）"
        )
        if result.is_empty:
            self.stdout.write("  没有到期的个人信息。")
            return
        for label, counts in result.counts().items():
            self.stdout.write(f"  {label}：文件 {counts['files']} 个，记录 {counts['rows']} 条")
        self.stdout.write(f"  合计：文件 {result.files} 个，记录 {result.rows} 条")
