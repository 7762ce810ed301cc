"""报考条件 as data: one rule set per exam project (exam/eligibility/ reads it)."""

from django.conf import settings
from django.db import models

from exam.eligibility.outcomes import Outcome


class EligibilityRuleSet(models.Model):
    """The project's eligibility rules: JSON in the shape its exam kind reads
    (exam.eligibility.registry), years counted to `cutoff_date`. `version` grows with every
    saved change, so a stored result names the rules that produced it."""

    project = models.OneToOneField(
        "exam.ExamProject",
        verbose_name="考试项目",
        on_delete=models.CASCADE,
        related_name="rule_set",
    )
    cutoff_date = models.DateField("截止日期", help_text="年限计算至此日期，如 2026-12-31。")
    rules = models.JSONField("规则", default=dict)
    version = models.PositiveIntegerField("版本", default=1)
    blocks_submission = models.BooleanField(
        "不符合时禁止提交",
        default=False,
        help_text="勾选：考生的报考条件为“不符合”时不能提交；不勾选：只提示。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "报考条件"
        verbose_name_plural = "报考条件"

    def __str__(self) -> str:
        return f"{self.project}（第 {self.version} 版）"


class EligibilityResult(models.Model):
    """An application's 报考条件 as the engine last found it, kept so lists filter on it
    without evaluating. `computed_outcome` is the engine's; a reviewer's override (with its
    remark) stands beside it, and `outcome` is what counts: the override if there is one,
    else the engine's. `rule_set_version` names the rules that produced `results`."""

    application = models.OneToOneField(
        "exam.Application",
        verbose_name="申报",
        on_delete=models.CASCADE,
        related_name="eligibility",
    )
    outcome = models.CharField("报考条件", max_length=16, choices=Outcome.choices, db_index=True)
    computed_outcome = models.CharField("系统判断", max_length=16, choices=Outcome.choices)
    results = models.JSONField("各项规则", default=list)
    rule_set_version = models.PositiveIntegerField("规则版本")
    evaluated_at = models.DateTimeField("判断时间")
    override_outcome = models.CharField(
        "人工认定", max_length=16, choices=Outcome.choices, blank=True
    )
    override_remark = models.CharField("认定说明", max_length=255, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="认定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    overridden_at = models.DateTimeField("认定时间", null=True, blank=True)

    class Meta:
        verbose_name = "报考条件结果"
        verbose_name_plural = "报考条件结果"

    def __str__(self) -> str:
        return f"{self.application_id}: {self.get_outcome_display()}"
