"""The review tree: province → city (市州) → county (区县) → unit, with 市直 and 省直 units."""

import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from people.tiers import ALLOWED_PARENT_TIERS, Tier

# No 0/O/1/I/L: candidates type this code from a printed notice.
CONFIRMATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CONFIRMATION_LENGTH = 8


def new_confirmation_code() -> str:
    return "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(CONFIRMATION_LENGTH))


def validate_credit_code(value: str) -> None:
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError("统一社会信用代码无效（18位，末位为校验码）。") from exc


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def subtree_of(self, institution: "Institution") -> "InstitutionQuerySet":
        """The institution and everything below it (one indexed prefix match)."""
        return self.filter(path__startswith=institution.path)


class Institution(models.Model):
    """机构. `path` is a materialised path of codes ("/420000/420100/X1/") for subtree queries."""

    code = models.CharField(
        "机构编码",
        max_length=32,
        unique=True,
        help_text="卫健部门用行政区划代码，单位用统一社会信用代码或自定编码。",
    )
    name = models.CharField("机构名称", max_length=128)
    tier = models.CharField("层级", max_length=16, choices=Tier.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    division = models.ForeignKey(
        "people.Division",
        verbose_name="行政区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="institutions",
    )
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code]
    )
    confirmation_code = models.CharField(
        "本单位确认码", max_length=16, unique=True, default=new_confirmation_code
    )
    path = models.CharField("路径", max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField("深度", editable=False, default=0)
    reviewer_group = models.OneToOneField(
        Group,
        verbose_name="审核人员组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="institution",
    )
    is_active = models.BooleanField("启用", default=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["path"]
        permissions = [
            ("review_applications", "审核报名材料"),
            ("report_applications", "材料上报"),
            ("verify_materials", "专项信息核验"),
            ("export_data", "导出数据"),
            ("manage_institution", "管理机构与账号"),
            ("export_full_id", "导出完整证件号码"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="institution_credit_code_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["path"], name="institution_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.compute_path()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        allowed = ALLOWED_PARENT_TIERS.get(self.tier, ())
        if not allowed and self.parent_id:
            raise ValidationError({"parent": "省级机构没有上级机构。"})
        if allowed:
            if self.parent is None:
                raise ValidationError({"parent": "请选择上级机构。"})
            if self.parent.tier not in allowed:
                names = "、".join(Tier(t).label for t in allowed)
                raise ValidationError(
                    {"parent": f"{self.get_tier_display()}的上级机构只能是{names}。"}
                )

    def compute_path(self) -> None:
        prefix = self.parent.path if self.parent_id else "/"
        self.path = f"{prefix}{self.code}/"
        self.depth = self.path.count("/") - 2

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the top (province) down to this institution."""
        return [c for c in self.path.split("/") if c]

    def chain(self) -> list["Institution"]:
        """This institution and its ancestors, bottom to top: the review chain (one query)."""
        by_code = {i.code: i for i in Institution.objects.filter(code__in=self.ancestor_codes)}
        return [by_code[c] for c in reversed(self.ancestor_codes)]


class InstitutionUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key object permissions (faster and safer than guardian's generic table)."""

    content_object = models.ForeignKey(Institution, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "机构用户权限"
        verbose_name_plural = "机构用户权限"


class InstitutionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Institution, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "机构组权限"
        verbose_name_plural = "机构组权限"


class ReviewerMembership(models.Model):
    """A reviewer account belongs to exactly one institution."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        on_delete=models.CASCADE,
        related_name="reviewer_membership",
    )
    institution = models.ForeignKey(
        Institution, verbose_name="所属机构", on_delete=models.PROTECT, related_name="members"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核人员"
        verbose_name_plural = "审核人员"

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"
