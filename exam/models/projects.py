"""Exam projects, levels and specialties; a project's rules are data on the project."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from people.tiers import Tier

# 《中华人民共和国中医药法》 took effect on this day; practice after it needs a 指导老师.
TCM_LAW_EFFECTIVE_DATE = datetime.date(2017, 7, 1)


class ExamKind(models.TextChoices):
    HEALTH_QUALIFICATION = "health_qualification", "卫生专业技术资格考试"
    TCM_EXPERTISE = "tcm_expertise", "中医医术确有专长人员医师资格考核"


# The tier of the institution an application is bound to when it is created.
ENTRY_TIER: dict[str, str] = {
    ExamKind.HEALTH_QUALIFICATION: Tier.UNIT,
    ExamKind.TCM_EXPERTISE: Tier.COUNTY,
}


class ExamProject(models.Model):
    """考试项目: one exam in one year."""

    kind = models.CharField("项目类型", max_length=32, choices=ExamKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("项目名称", max_length=128, unique=True)
    registration_opens_at = models.DateTimeField("报名开始时间")
    registration_closes_at = models.DateTimeField("报名截止时间")
    # TCM-expertise rules (seed 000 §4.3.6, §4.3.8); kept on the project so a new year can differ.
    case_record_count = models.PositiveSmallIntegerField("医案份数", default=5)
    apprenticeship_recommenders = models.PositiveSmallIntegerField("师承类推荐医师人数", default=2)
    apprenticeship_supervisors = models.PositiveSmallIntegerField("师承类指导老师人数", default=1)
    practice_recommenders = models.PositiveSmallIntegerField("多年实践类推荐医师人数", default=2)
    practice_supervisor_cutoff = models.DateField(
        "需指导老师的实践起始日",
        default=TCM_LAW_EFFECTIVE_DATE,
        help_text="医术实践全部或部分在此日期及以后的，需要一名指导老师。",
    )
    is_active = models.BooleanField("当前项目", default=True)

    class Meta:
        verbose_name = "考试项目"
        verbose_name_plural = "考试项目"
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="exam_project_kind_year"),
            models.CheckConstraint(
                condition=models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="exam_project_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def entry_tier(self) -> str:
        return ENTRY_TIER[self.kind]

    def is_registration_open(self, at: datetime.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.registration_opens_at <= at < self.registration_closes_at

    def needs_supervisor(self, practice_dates: list[datetime.date | None]) -> bool:
        """A 多年实践 candidate needs a 指导老师 if any practice reaches the cut-off date.

        `practice_dates` are the end dates of the practice periods; None means "ongoing".
        """
        return any(d is None or d >= self.practice_supervisor_cutoff for d in practice_dates)

    def clean(self) -> None:
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            raise ValidationError({"registration_closes_at": "报名截止时间应晚于开始时间。"})


class Level(models.Model):
    """申报级别. The code is the first digit of its specialty codes (1xx 士, 2xx 师, 3xx 中级)."""

    code = models.CharField("代码", max_length=8, primary_key=True)
    name = models.CharField("名称", max_length=32, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "申报级别"
        verbose_name_plural = "申报级别"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Specialty(models.Model):
    """类别(专业): coded per level; the fixtures hold a partial list, the annual import completes it."""

    level = models.ForeignKey(
        Level, verbose_name="申报级别", on_delete=models.PROTECT, related_name="specialties"
    )
    code = models.CharField("专业代码", max_length=8)
    name = models.CharField("专业名称", max_length=64)
    source_year = models.PositiveSmallIntegerField("来源年度", null=True, blank=True)
    note = models.CharField("备注", max_length=255, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "类别(专业)"
        verbose_name_plural = "类别(专业)"
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="specialty_level_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TcmCategory(models.Model):
    """考核类别 and assessment forms of the TCM-expertise exam (国家卫生计生委令第15号)."""

    class CategoryType(models.TextChoices):
        TECHNIQUE = "technique_category", "考核类别"
        ASSESSMENT = "assessment_form", "考核方式"

    category_type = models.CharField("类型", max_length=32, choices=CategoryType.choices)
    name = models.CharField("名称", max_length=64)
    description = models.TextField("说明", blank=True)
    basis = models.CharField("依据", max_length=255, blank=True)

    class Meta:
        verbose_name = "中医考核类别"
        verbose_name_plural = "中医考核类别"
        constraints = [
            models.UniqueConstraint(fields=["category_type", "name"], name="tcm_category_unique"),
        ]

    def __str__(self) -> str:
        return self.name
