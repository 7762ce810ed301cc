"""重新判断报考条件 for whole projects, outside the admin: nightly, as a safety net (the changes
that alter other applications' results, a teacher's 医师库 record or how many candidates a
指导老师 or 推荐医师 already has, re-evaluate them at once: exam.eligibility.fact_changes).
Each project in one transaction; a reviewer's override stays (exam.eligibility.services)."""

from django.core.management.base import BaseCommand, CommandError

from exam.eligibility.services import eligibility_refresh_project
from exam.models import EligibilityRuleSet


class Command(BaseCommand):
    help = "重新判断报考条件：按各考试项目当前的规则重新判断全部申报并保存结果。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--project", type=int, action="append", help="只判断这个考试项目（编号，可重复）"
        )

    def handle(self, *args, project=None, **options) -> None:
        rule_sets = EligibilityRuleSet.objects.select_related("project").order_by("project_id")
        if project:
            rule_sets = rule_sets.filter(project_id__in=project)
            missing = set(project) - {r.project_id for r in rule_sets}
            if missing:
                raise CommandError(
                    "这些考试项目没有报考条件规则：" + "、".join(map(str, sorted(missing)))
                )
        for rule_set in rule_sets:
            counts = eligibility_refresh_project(project_id=rule_set.project_id)
            self.stdout.write(
                f"{rule_set.project.name}（第 {rule_set.version} 版规则）：新判断 {counts.created}，"
                f"结果改变 {counts.updated}，不变 {counts.unchanged}"
            )
