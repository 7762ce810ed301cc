"""Remove expired job result files, old jobs, previewed import uploads nobody confirmed and
spreadsheet scratch folders a killed process left behind, and mark jobs whose worker died
as failed. Run it from cron or a systemd timer (e.g. hourly)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from core.jobs.services import job_purge
from core.jobs.storage import purge_stale_uploads
from core.tmpfiles import purge_tmp


class Command(BaseCommand):
    help = "清理过期的后台任务结果文件、旧任务、未确认的导入临时文件和中断留下的临时文件"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--keep-days", type=float, default=30, help="任务记录保留天数")
        parser.add_argument(
            "--upload-hours",
            type=float,
            default=float(getattr(settings, "JOB_RESULT_HOURS", 24)),
            help="预览后未确认的导入文件保留小时数",
        )
        parser.add_argument(
            "--tmp-hours",
            type=float,
            default=1,
            help="导出临时文件夹这么久没有变化即视为中断遗留并删除（小时）",
        )

    def handle(self, *args, keep_days: float, upload_hours: float, tmp_hours: float, **kw):
        counts = job_purge(keep_days=keep_days)
        uploads = purge_stale_uploads(max_age_hours=upload_hours)
        scratch = purge_tmp(max_age_hours=tmp_hours)
        self.stdout.write(
            f"已删除过期结果文件 {counts['files']} 个、旧任务 {counts['deleted']} 个，"
            f"标记中断任务 {counts['stale']} 个，删除未确认的导入文件 {uploads} 个、"
            f"中断遗留的临时文件夹 {scratch} 个。"
        )
