"""TCM-expertise content that is more than a section's fields: case records, recommenders
and supervising teachers, and the attachments of every section (seed 000 §4.3)."""

from django.db import models
from django_fsm import FSMField, transition

from people.fsm import FSMModel
from people.models import Gender


def attachment_upload_path(instance: "Attachment", filename: str) -> str:
    return f"applications/{instance.application_id}/attachments/{instance.section_code}/{filename}"


class Attachment(models.Model):
    """A file attached to a section (certificates, notes, contracts, proofs …).

    Stored outside any public URL; served only through a view that checks permission.
    """

    application = models.ForeignKey(
        "exam.Application",
        verbose_name="申报",
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    section_code = models.CharField("分项", max_length=32)
    # 推荐信息: the teacher a certificate or work proof belongs to.
    recommender = models.ForeignKey(
        "exam.Recommender",
        verbose_name="推荐医师/指导老师",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField("附件类型", max_length=64)
    label = models.CharField("附件名称", max_length=128)
    file = models.FileField("文件", upload_to=attachment_upload_path)
    content_type = models.CharField("文件类型", max_length=64)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["application", "section_code", "kind", "id"]
        indexes = [models.Index(fields=["application", "section_code"], name="attachment_section")]

    def __str__(self) -> str:
        return self.label

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class CaseRecord(models.Model):
    """回顾性中医医术实践资料: the project says how many (5); all fields are required."""

    application = models.ForeignKey(
        "exam.Application",
        verbose_name="申报",
        on_delete=models.CASCADE,
        related_name="case_records",
    )
    number = models.PositiveSmallIntegerField("序号")
    patient_name = models.CharField("姓名", max_length=64)
    patient_gender = models.CharField("性别", max_length=8, choices=Gender.choices)
    # Null only while the candidate has 暂存 an unfinished record (the section stays 去完善).
    patient_age = models.PositiveSmallIntegerField("年龄", null=True, blank=True)
    address = models.CharField("住址", max_length=255)
    phone = models.CharField("电话", max_length=20)
    chief_complaint = models.TextField("主诉")
    history = models.TextField("病史")
    syndrome_analysis = models.TextField("辨证分析")
    diagnosis = models.TextField("诊断")
    treatment = models.TextField("治法和处方")
    analysis = models.TextField("病例分析")

    class Meta:
        verbose_name = "回顾性中医医术实践资料"
        verbose_name_plural = "回顾性中医医术实践资料"
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="case_record_number"),
        ]

    def __str__(self) -> str:
        return f"病案{self.number}"


class Recommender(FSMModel):
    """推荐医师 / 指导老师, looked up in the physician registry, then invited by QR code to
    confirm their identity, accept the pledge, evaluate the candidate and sign."""

    class Role(models.TextChoices):
        RECOMMENDER = "recommender", "推荐医师"
        SUPERVISOR = "supervisor", "指导老师"

    class Status(models.TextChoices):
        LOOKED_UP = "looked_up", "获取成功"
        INVITED = "invited", "待核验"
        CONFIRMED = "confirmed", "已核验身份"
        SIGNED = "signed", "已签名"

    application = models.ForeignKey(
        "exam.Application",
        verbose_name="申报",
        on_delete=models.CASCADE,
        related_name="recommenders",
    )
    role = models.CharField("类型", max_length=16, choices=Role.choices)
    physician = models.ForeignKey(
        "people.Physician", verbose_name="医师", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=64)
    id_number = models.CharField("身份证号码", max_length=32)
    status = FSMField(
        "状态", max_length=16, choices=Status.choices, default=Status.LOOKED_UP, protected=True
    )
    invitation_nonce = models.CharField("邀请码", max_length=64, blank=True)
    invited_at = models.DateTimeField("生成二维码时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("身份核验时间", null=True, blank=True)
    pledge_accepted = models.BooleanField("已阅读并勾选推荐承诺书", default=False)
    evaluation = models.TextField("评价", blank=True)
    opinion = models.TextField("意见", blank=True)
    signature = models.FileField("签名", upload_to="recommenders/signatures/", blank=True)
    signed_at = models.DateTimeField("签名时间", null=True, blank=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "推荐医师/指导老师"
        verbose_name_plural = "推荐医师/指导老师"
        ordering = ["application", "role", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @transition(
        field=status,
        source=[Status.LOOKED_UP, Status.INVITED, Status.CONFIRMED],
        target=Status.INVITED,
    )
    def invite(self) -> None:
        """A (new) QR code; a new nonce revokes the old one."""

    @transition(field=status, source=Status.INVITED, target=Status.CONFIRMED)
    def confirm_identity(self) -> None:
        """The teacher typed the code sent to the phone on the registry record."""

    @transition(field=status, source=Status.CONFIRMED, target=Status.SIGNED)
    def sign(self) -> None:
        """Pledge, evaluation and signature done."""


class RecommenderCode(models.Model):
    """A one-time code sent by SMS to the phone on the teacher's registry record (see
    exam/teacher_identity.py). Only a salted HMAC of the code is stored. The latest code of
    the current QR link is the one that counts; the rows also count the resends."""

    recommender = models.ForeignKey(
        Recommender,
        verbose_name="推荐医师/指导老师",
        on_delete=models.CASCADE,
        related_name="codes",
    )
    # The QR link (Recommender.invitation_nonce) it was sent for: a new link voids it.
    nonce = models.CharField("二维码", max_length=64)
    phone = models.CharField("手机号码", max_length=11)
    salt = models.CharField("盐", max_length=32)
    code_hash = models.CharField("验证码摘要", max_length=128)
    attempts = models.PositiveSmallIntegerField("输错次数", default=0)
    created_at = models.DateTimeField("发送时间", db_index=True)
    expires_at = models.DateTimeField("有效期至")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    message = models.ForeignKey(
        "people.SmsMessage",
        verbose_name="短信",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "身份核验码"
        verbose_name_plural = "身份核验码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recommender} {self.created_at:%Y-%m-%d %H:%M}"
