"""Exam projects, levels and specialties; a project's rules are data on the project."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from people.tiers import Tier

# 《中华人民共和国中医药法》 took effect on this day; practice after it needs a 指导老师.
TCM_LAW_EFFECTIVE_DATE = datetime.date(2017, 7, 1)


class ExamKind(models.TextChoices):
    HEALTH_QUALIFICATION = "health_qualification", "卫生专业技术资格考试"
    TCM_EXPERTISE = "tcm_expertise", "中医医术确有专长人员医师资格考核"


RETENTION_MAX_YEARS = 30


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
    # Retention (exam/retention.py decides what is past its period): counted from the day the
    # project ended; null = still open, and an open project is never purged.
    closed_at = models.DateTimeField(
        "项目结束时间",
        null=True,
        blank=True,
        help_text="审核、考试等全部工作结束后填写；留空表示项目尚未结束。"
        "个人信息保存期限自此日起计算，未结束的项目不会被清除。",
    )
    application_retention_years = models.PositiveSmallIntegerField(
        "申报资料保存期限（年）",
        default=3,
        validators=[MaxValueValidator(RETENTION_MAX_YEARS, "保存期限不能超过30年。")],
        help_text="项目结束后保存申报内容、附件、医案、推荐评价等的年数；期满后删除文件并匿名化。",
    )
    identity_retention_years = models.PositiveSmallIntegerField(
        "证件照和签名保存期限（年）",
        default=1,
        validators=[MaxValueValidator(RETENTION_MAX_YEARS, "保存期限不能超过30年。")],
        help_text="项目结束后保存证件照、实名认证证件图片和老师手写签名的年数，不能长于申报资料的保存期限。",
    )

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
        errors = {}
        if self.closed_at and self.registration_closes_at:
            if self.closed_at < self.registration_closes_at:
                errors["closed_at"] = "项目结束时间不能早于报名截止时间。"
            elif self.is_active:
                errors["closed_at"] = "已结束的项目不能是当前项目：请同时取消“当前项目”。"
        if (
            self.application_retention_years is not None
            and self.identity_retention_years is not None
        ):
            if self.application_retention_years < 1:
                errors["application_retention_years"] = "申报资料保存期限至少为1年。"
            elif self.identity_retention_years > self.application_retention_years:
                errors["identity_retention_years"] = (
                    "证件照和签名的保存期限不能长于申报资料的保存期限"
                    "（申报资料清除时，证件照和签名随之清除）。"
                )
        if errors:
            raise ValidationError(errors)


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
