"""The physician registry (医师库) used to look up recommenders and supervising teachers."""

from django.db import models


class Physician(models.Model):
    """One registered physician, imported from the province's basic-resources system.

    The tags 推荐医师 / 指导老师 say in which role a physician may be chosen (seed 000 §4.3.8.2).
    """

    name = models.CharField("姓名", max_length=64)
    id_number = models.CharField("身份证号码", max_length=32, unique=True)
    institution_name = models.CharField("执业机构", max_length=128)
    qualification_no = models.CharField("医师资格证书编号", max_length=64, blank=True)
    license_no = models.CharField("执业证书编号", max_length=64, blank=True)
    practice_category = models.CharField("执业类别", max_length=32, blank=True)
    practice_scope = models.CharField("执业范围", max_length=64, blank=True)
    title = models.CharField("职称", max_length=32, blank=True)
    # The 中医医术确有专长 rules read it (a 指导老师 needs 15 years of clinical work); blank
    # means unknown, and the rule then asks a reviewer instead of guessing.
    clinical_start_year = models.PositiveSmallIntegerField(
        "从事临床工作起始年份", null=True, blank=True
    )
    # Where the teacher's identity code is sent (exam.teacher_identity); required by the
    # import, blank only on records imported before it was.
    phone = models.CharField("手机号码", max_length=11, blank=True)
    is_recommender = models.BooleanField("推荐医师", default=False)
    is_supervisor = models.BooleanField("指导老师", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "医师库"
        verbose_name_plural = "医师库"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.institution_name}）"
