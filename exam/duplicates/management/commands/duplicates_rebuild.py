"""查重: rebuild the indexes from what is stored, e.g. after a change of the normalisation or
a restore. Each rebuilder reads in batches (memory stays flat) and reports its progress;
`--only` picks some of them."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

# Name → dotted path of a function(*, out) -> dict of counts.
REBUILDERS = {
    "files": "exam.duplicates.files.files_rebuild",
    "texts": "exam.duplicates.texts.texts_rebuild",
}

COUNT_LABELS = {
    "files": "文件",
    "failed": "无法读取",
    "dropped": "删除",
    "texts": "文字",
    "indexed": "建立索引",
    "matches": "相似对",
}


class Command(BaseCommand):
    help = "查重：重建索引并重新比对（--only 选择其中几项）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--only",
            action="append",
            choices=sorted(REBUILDERS),
            help="只重建这一项（可重复）",
        )

    def handle(self, *args, only=None, **options) -> None:
        names = only or list(REBUILDERS)
        unknown = set(names) - set(REBUILDERS)
        if unknown:
            raise CommandError("没有这些重建项：" + "、".join(sorted(unknown)))
        for name in names:
            started = time.monotonic()
            self.stdout.write(f"开始重建 {name}")
            counts = import_string(REBUILDERS[name])(out=self.stdout.write)
            summary = "，".join(f"{COUNT_LABELS.get(k, k)} {v}" for k, v in counts.items())
            self.stdout.write(f"{name} 重建完成：{summary}（{time.monotonic() - started:.1f} 秒）")
