"""Reference tables loaded from fixtures/ (see fixtures/SOURCES.md)."""

from django.db import models


class Division(models.Model):
    """行政区划: GB/T 2260 county-level-and-above codes."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        PREFECTURE = "prefecture", "地级"
        COUNTY = "county", "县级"

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("级别", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Ethnicity(models.Model):
    """民族: GB/T 3304-1991 codes 01–56, plus the common extensions 97 and 98."""

    code = models.CharField("代码", max_length=2, primary_key=True)
    name = models.CharField("名称", max_length=32, unique=True)
    roman = models.CharField("罗马字母拼写", max_length=32, blank=True)
    letter_code = models.CharField("字母代码", max_length=2, blank=True)

    class Meta:
        verbose_name = "民族"
        verbose_name_plural = "民族"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PoliticalStatus(models.Model):
    """政治面貌: GB/T 4762-1984."""

    code = models.CharField("代码", max_length=2, primary_key=True)
    name = models.CharField("简称", max_length=32)
    full_name = models.CharField("全称", max_length=64)

    class Meta:
        verbose_name = "政治面貌"
        verbose_name_plural = "政治面貌"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class EducationLevel(models.Model):
    """学历: GB/T 4658-2006; categories carry the short label the exams use (研究生/本科/大专/中专)."""

    class Kind(models.TextChoices):
        CATEGORY = "category", "类别"
        ITEM = "item", "条目"

    code = models.CharField("代码", max_length=2, primary_key=True)
    name = models.CharField("名称", max_length=32)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="所属类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    exam_label = models.CharField("考试学历层级", max_length=16, blank=True)

    class Meta:
        verbose_name = "学历"
        verbose_name_plural = "学历"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
