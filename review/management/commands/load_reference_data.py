from django.core.management.base import BaseCommand

from review.reference_data import load_reference_data


class Command(BaseCommand):
    help = "载入参考数据（行政区划、民族、政治面貌、学历、类别(专业)、中医考核类别），可重复执行。"

    def handle(self, *args, **options) -> None:
        for name, count in load_reference_data().items():
            self.stdout.write(f"{name}: {count}")
