"""Candidates (考生) and their real-name verification (实名认证)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_fsm import FSMField, transition

from people import id_documents
from people.fsm import FSMModel


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    HK_MACAU_PERMIT = "hk_macau_permit", "港澳居民来往内地通行证"
    TAIWAN_PERMIT = "taiwan_permit", "台湾居民来往大陆通行证"
    RESIDENCE_PERMIT = "residence_permit", "港澳台居民居住证"
    PASSPORT = "passport", "护照"
    FOREIGN_PERMANENT = "foreign_permanent", "外国人永久居留身份证"


ID_VALIDATORS = {
    IdType.RESIDENT_ID: id_documents.validate_resident_id,
    IdType.HK_MACAU_PERMIT: id_documents.validate_hk_macau_permit,
    IdType.TAIWAN_PERMIT: id_documents.validate_taiwan_permit,
    IdType.RESIDENCE_PERMIT: id_documents.validate_residence_permit,
    IdType.PASSPORT: id_documents.validate_passport,
    IdType.FOREIGN_PERMANENT: id_documents.validate_foreign_permanent_residence,
}


def validate_id_document(id_type: str, number: str) -> id_documents.IdFacts:
    try:
        validator = ID_VALIDATORS[IdType(id_type)]
    except ValueError as exc:
        raise ValidationError("未知的证件类型。") from exc
    return validator(number)


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


def candidate_photo_path(instance: "Candidate", filename: str) -> str:
    return f"candidates/{instance.pk or 'new'}/photo/{filename}"


class Candidate(models.Model):
    """考生: one person, one account. Identity fields are filled by a successful 实名认证."""

    class IdentityStatus(models.TextChoices):
        UNVERIFIED = "unverified", "未认证"
        PENDING = "pending", "待审核"
        VERIFIED = "verified", "认证成功"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        on_delete=models.PROTECT,
        related_name="candidate",
    )
    name = models.CharField("姓名", max_length=64, blank=True)
    id_type = models.CharField(
        "证件类型", max_length=32, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = models.CharField("证件号码", max_length=32, blank=True, db_index=True)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity = models.ForeignKey(
        "people.Ethnicity", verbose_name="民族", null=True, blank=True, on_delete=models.PROTECT
    )
    political_status = models.ForeignKey(
        "people.PoliticalStatus",
        verbose_name="政治面貌",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    phone = models.CharField("手机号码", max_length=20, unique=True)
    photo = models.ImageField("证件照", upload_to=candidate_photo_path, blank=True)
    identity_status = models.CharField(
        "实名认证状态",
        max_length=16,
        choices=IdentityStatus.choices,
        default=IdentityStatus.UNVERIFIED,
    )
    created_at = models.DateTimeField("注册时间", auto_now_add=True)

    class Meta:
        verbose_name = "考生"
        verbose_name_plural = "考生"
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number"],
                condition=~models.Q(id_number=""),
                name="candidate_id_document_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.phone

    @property
    def is_verified(self) -> bool:
        return self.identity_status == self.IdentityStatus.VERIFIED

    def clean(self) -> None:
        if not self.id_number:
            return
        try:
            facts = validate_id_document(self.id_type, self.id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
        self.id_number = facts.number
        errors = {}
        if facts.birth_date:
            if self.birth_date and self.birth_date != facts.birth_date:
                errors["birth_date"] = "出生日期与证件号码不一致。"
            self.birth_date = facts.birth_date
        if facts.gender:
            if self.gender and self.gender != facts.gender:
                errors["gender"] = "性别与证件号码不一致。"
            self.gender = facts.gender
        if errors:
            raise ValidationError(errors)


def verification_upload_path(instance: "IdentityVerification", filename: str) -> str:
    return f"candidates/{instance.candidate_id}/identity/{filename}"


class IdentityVerification(FSMModel):
    """One 实名认证 attempt. Automatic checks decide at once; manual ones wait for staff."""

    class Method(models.TextChoices):
        AUTO = "auto", "身份证（自动核验）"
        MANUAL = "manual", "人工审核"

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        VERIFIED = "verified", "认证成功"
        REJECTED = "rejected", "认证未通过"
        WITHDRAWN = "withdrawn", "已撤回"

    candidate = models.ForeignKey(
        Candidate, verbose_name="考生", on_delete=models.CASCADE, related_name="verifications"
    )
    method = models.CharField("认证方式", max_length=16, choices=Method.choices)
    id_type = models.CharField("证件类型", max_length=32, choices=IdType.choices)
    name = models.CharField("姓名", max_length=64)
    id_number = models.CharField("证件号码", max_length=32)
    front_image = models.ImageField("证件正面", upload_to=verification_upload_path, blank=True)
    back_image = models.ImageField("证件背面", upload_to=verification_upload_path, blank=True)
    status = FSMField(
        "状态", max_length=16, choices=Status.choices, default=Status.PENDING, protected=True
    )
    reason = models.CharField("原因", max_length=255, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "实名认证"
        verbose_name_plural = "实名认证"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="identity_queue")]

    def __str__(self) -> str:
        return f"{self.name} {self.get_method_display()} {self.get_status_display()}"

    @transition(field=status, source=Status.PENDING, target=Status.VERIFIED)
    def approve(self) -> None:
        """Staff (or the automatic check) accepts the document."""

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self) -> None:
        """Staff rejects it with a reason."""

    @transition(field=status, source=Status.PENDING, target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        """The candidate takes a pending request back, e.g. to redo it automatically."""
