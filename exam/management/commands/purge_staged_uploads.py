"""Delete staged uploads (暂存文件) older than their signed references can be used.

A staged file belongs to a form the candidate never saved; after STAGED_MAX_AGE no page can
pick it up any more. Run daily (cron or the deployment's scheduler).
"""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from exam.models import StagedUpload
from exam.uploads import STAGED_MAX_AGE


class Command(BaseCommand):
    help = "删除过期的暂存上传文件（未保存表单留下的文件）。"

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - datetime.timedelta(seconds=STAGED_MAX_AGE)
        removed = 0
        for staged in StagedUpload.objects.filter(created_at__lt=cutoff).iterator():
            staged.file.delete(save=False)
            staged.delete()
            removed += 1
        self.stdout.write(f"已删除 {removed} 个过期暂存文件。")
