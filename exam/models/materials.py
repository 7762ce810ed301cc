"""证明材料 of health-exam applications (seed 003 §2.3, §2.7): one model per material type,
each with its own fields and the reviewers' 核验 (verification) state."""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition

from people.fsm import FSMModel

# Fields every material shares (identity, image, verification, timestamps): detail pages
# show them in their own way, not among the certificate's own fields.
MATERIAL_BASE_FIELDS = frozenset(
    {
        "id",
        "application",
        "image",
        "verification_status",
        "verification_remark",
        "verified_by",
        "verified_at",
        "created_at",
        "updated_at",
    }
)


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "待核验"
    VERIFIED = "verified", "核验通过"
    FAILED = "failed", "核验不通过"


def material_upload_path(instance: "Material", filename: str) -> str:
    return f"applications/{instance.application_id}/{instance._meta.model_name}/{filename}"


class Material(FSMModel):
    """What every material list shares: the application, one image, and 核验."""

    SECTION_CODE = ""  # the Section this material belongs to (exam/sections.py)
    LABEL = ""

    application = models.ForeignKey(
        "exam.Application",
        verbose_name="申报",
        on_delete=models.CASCADE,
        related_name="%(class)s_set",
    )
    image = models.FileField("证书图片", upload_to=material_upload_path, blank=True)
    verification_status = FSMField(
        "核验状态",
        max_length=16,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
        protected=True,
        db_index=True,
    )
    verification_remark = models.CharField("核验备注", max_length=255, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核验人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.LABEL} #{self.pk}"

    @transition(
        field=verification_status,
        source=[VerificationStatus.PENDING, VerificationStatus.FAILED],
        target=VerificationStatus.VERIFIED,
    )
    def verify(self) -> None:
        """核验通过."""

    @transition(
        field=verification_status,
        source=[VerificationStatus.PENDING, VerificationStatus.VERIFIED],
        target=VerificationStatus.FAILED,
    )
    def fail(self) -> None:
        """核验不通过 (a remark says why)."""


class StudyForm(models.TextChoices):
    FULL_TIME = "full_time", "全日制"
    PART_TIME = "part_time", "非全日制"
    ADULT = "adult", "成人教育"
    SELF_STUDY = "self_study", "自学考试"
    ONLINE = "online", "网络教育"
    OTHER = "other", "其他"


class MajorType(models.TextChoices):
    """专业类型 as the health exam's eligibility rules distinguish them."""

    MEDICAL = "medical", "医学类"
    RELATED = "related", "相关医学类"
    NON_MEDICAL = "non_medical", "非医学类"


class EducationRecord(Material):
    SECTION_CODE = "education"
    LABEL = "学历信息"

    level = models.ForeignKey(
        "people.EducationLevel",
        verbose_name="学历层次",
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "category"},
    )
    graduation_date = models.DateField("毕业时间", db_index=True)
    school = models.CharField("毕业学校", max_length=128, db_index=True)
    certification_report_no = models.CharField("学历认证报告编号", max_length=64, blank=True)
    study_form = models.CharField("学习形式", max_length=16, choices=StudyForm.choices)
    major_type = models.CharField("专业类型", max_length=16, choices=MajorType.choices)
    duration_years = models.DecimalField("学制（年）", max_digits=3, decimal_places=1)
    enrollment_date = models.DateField("入学时间", db_index=True)
    major = models.CharField("所学专业", max_length=64)
    diploma_no = models.CharField("毕业证号", max_length=64)

    class Meta:
        verbose_name = "学历信息"
        verbose_name_plural = "学历信息"
        ordering = ["application", "-graduation_date"]


class TitleCertificate(Material):
    SECTION_CODE = "title"
    LABEL = "专技职称"

    class TitleLevel(models.TextChoices):
        JUNIOR_ASSISTANT = "junior_assistant", "初级（士）"
        JUNIOR = "junior", "初级（师）"
        INTERMEDIATE = "intermediate", "中级"
        ASSOCIATE_SENIOR = "associate_senior", "副高级"
        SENIOR = "senior", "正高级"

    title_name = models.CharField("职称名称", max_length=64)
    title_level = models.CharField("职称级别", max_length=32, choices=TitleLevel.choices)
    certificate_no = models.CharField("证书编号", max_length=64)
    issued_on = models.DateField("取得时间")
    issuing_authority = models.CharField("发证机构", max_length=128)

    class Meta:
        verbose_name = "专技职称"
        verbose_name_plural = "专技职称"


class PhysicianQualification(Material):
    SECTION_CODE = "physician_qualification"
    LABEL = "医师资格证"

    certificate_no = models.CharField("资格证书编号", max_length=64)
    category = models.CharField("类别", max_length=32, help_text="临床、中医、口腔、公共卫生")
    level = models.CharField("级别", max_length=32, help_text="执业医师 / 执业助理医师")
    issued_on = models.DateField("取得时间")

    class Meta:
        verbose_name = "医师资格证"
        verbose_name_plural = "医师资格证"


class PhysicianLicense(Material):
    SECTION_CODE = "physician_license"
    LABEL = "医师执业证"

    certificate_no = models.CharField("执业证书编码", max_length=64)
    category = models.CharField("执业类别", max_length=32)
    scope = models.CharField("执业范围", max_length=64)
    practice_institution = models.CharField("执业地点", max_length=128)
    issued_on = models.DateField("发证日期")

    class Meta:
        verbose_name = "医师执业证"
        verbose_name_plural = "医师执业证"


class NurseLicense(Material):
    SECTION_CODE = "nurse_license"
    LABEL = "护士执业证"

    certificate_no = models.CharField("证书编号", max_length=64)
    practice_institution = models.CharField("执业地点", max_length=128)
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "护士执业证"
        verbose_name_plural = "护士执业证"


class SupplementaryInfo(Material):
    SECTION_CODE = "supplementary"
    LABEL = "补充信息"

    covid_frontline = models.BooleanField("是否为抗击新冠肺炎疫情一线人员", default=False)
    work_started_on = models.DateField("参加工作时间", null=True, blank=True)
    years_in_specialty = models.PositiveSmallIntegerField(
        "从事本专业工作年限", null=True, blank=True
    )
    note = models.TextField("其他说明", blank=True)

    class Meta:
        verbose_name = "补充信息"
        verbose_name_plural = "补充信息"


# The 专项信息 lists, in the guide's order (seed 003 §2.7).
MATERIAL_MODELS: tuple[type[Material], ...] = (
    EducationRecord,
    NurseLicense,
    PhysicianLicense,
    PhysicianQualification,
    TitleCertificate,
    SupplementaryInfo,
)
