"""Excel imports of the people app: 医师库, 机构 and 审核账号 (see people/admin/imports.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from import_export.fields import Field

from core.errors import ServiceError
from core.imports.base import CellError, PlatformResource
from core.imports.widgets import (
    ChoiceLabelWidget,
    CodeLookupWidget,
    IdNumberWidget,
    TextWidget,
    YesNoWidget,
)
from core.masking import MASK_ID, MASK_PHONE, MaskKind
from people.importers import Importer, register
from people.models import Division, Institution, Physician, ReviewerMembership
from people.models.candidates import IdType, validate_id_document
from people.permissions import PERM_LABELS, Perm
from people.phones import normalize_mobile
from people.physician_changes import eligibility_facts, physicians_changed
from people.physician_columns import (
    ClinicalStartYearWidget,
    PhysicianTitleWidget,
    PracticeCategoryWidget,
)
from people.selectors import manages, user_perms_on
from people.services import (
    institution_create,
    institution_perms_set,
    perm_labels,
    reviewer_account_create,
    reviewer_account_rename,
)
from people.tiers import Tier

User = get_user_model()


# --- 医师库 -----------------------------------------------------------------------------------


class ResidentIdWidget(IdNumberWidget):
    """居民身份证号码: text (see IdNumberWidget), then checksum, birth date and region code."""

    def clean(self, value, row=None, **kwargs) -> str:
        number = super().clean(value, row=row, **kwargs)
        try:
            return validate_id_document(IdType.RESIDENT_ID, number).number
        except ValidationError as exc:
            raise ValueError(f"身份证号码“{number}”无效：{'；'.join(exc.messages)}") from exc


class MobileWidget(TextWidget):
    """手机号码: required, an 11-digit mainland mobile number (a number cell is fine: 11
    digits survive Excel's conversion)."""

    def clean(self, value, row=None, **kwargs) -> str:
        text = super().clean(value, row=row, **kwargs)
        if not text:
            raise ValueError("手机号码不能为空（老师身份核验的短信验证码发到这个号码）。")
        try:
            return normalize_mobile(text)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from exc


class PhysicianResource(PlatformResource):
    """The physician registry, keyed by 身份证号码."""

    importer_key = "physicians"
    importer_label = "医师库"
    required_columns = ("姓名", "身份证号码", "执业机构", "手机号码")
    text_columns = ("身份证号码", "手机号码", "医师资格证书编号", "执业证书编号")
    masked_columns: ClassVar[dict[str, MaskKind]] = {"身份证号码": MASK_ID, "手机号码": MASK_PHONE}
    example_row = {
        "姓名": "张三",
        "身份证号码": "420102199001011236",
        "执业机构": "武汉市第一医院",
        "手机号码": "13812341234",
        "医师资格证书编号": "200942110420102199001011236",
        "执业证书编号": "110420100012345",
        "执业类别": "中医",
        "执业范围": "中医专业",
        "职称": "主任中医师",
        "从事临床工作起始年份": 1998,
        "推荐医师": "是",
        "指导老师": "否",
    }
    column_notes = {
        "身份证号码": "必须是“文本”格式；校验位、出生日期和地区码都会校验。",
        "手机号码": "必填，11位手机号码。老师身份核验的短信验证码发到这个号码，考生看不到。",
        "执业类别": "临床、中医、口腔或公共卫生（可带“类别”二字）；可空白，报考条件将转人工核实。",
        "职称": "如主任医师、副主任中医师、主治医师、医师；可空白，报考条件将转人工核实。",
        "从事临床工作起始年份": "四位年份，如 1998；可空白，报考条件将转人工核实。",
        "推荐医师": "填“是”或“否”，空白视为“否”。",
        "指导老师": "填“是”或“否”，空白视为“否”。",
    }

    name = Field("name", "姓名", widget=TextWidget(required=True, label="姓名"))
    id_number = Field("id_number", "身份证号码", widget=ResidentIdWidget())
    institution_name = Field(
        "institution_name", "执业机构", widget=TextWidget(required=True, label="执业机构")
    )
    phone = Field("phone", "手机号码", widget=MobileWidget())
    qualification_no = Field("qualification_no", "医师资格证书编号", widget=TextWidget())
    license_no = Field("license_no", "执业证书编号", widget=TextWidget())
    practice_category = Field("practice_category", "执业类别", widget=PracticeCategoryWidget())
    practice_scope = Field("practice_scope", "执业范围", widget=TextWidget())
    title = Field("title", "职称", widget=PhysicianTitleWidget())
    clinical_start_year = Field(
        "clinical_start_year", "从事临床工作起始年份", widget=ClinicalStartYearWidget()
    )
    is_recommender = Field("is_recommender", "推荐医师", widget=YesNoWidget())
    is_supervisor = Field("is_supervisor", "指导老师", widget=YesNoWidget())

    class Meta(PlatformResource.Meta):
        model = Physician
        fields = (
            "name",
            "id_number",
            "institution_name",
            "phone",
            "qualification_no",
            "license_no",
            "practice_category",
            "practice_scope",
            "title",
            "clinical_start_year",
            "is_recommender",
            "is_supervisor",
        )
        import_id_fields = ("id_number",)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Existing records: what the 报考条件 rules read before the row; those it changed.
        self._facts_before: dict[int, tuple[object, ...]] = {}
        self._facts_changed: set[int] = set()

    def after_init_instance(self, instance: Physician, new, row, **kwargs) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        if not new:
            self._facts_before[instance.pk] = eligibility_facts(instance)

    def after_save_instance(self, instance: Physician, row, **kwargs) -> None:
        super().after_save_instance(instance, row, **kwargs)
        before = self._facts_before.get(instance.pk)
        if before is not None and before != eligibility_facts(instance):
            self._facts_changed.add(instance.pk)

    def after_import(self, dataset, result, **kwargs) -> None:
        super().after_import(dataset, result, **kwargs)
        # A preview, or a file that failed, is rolled back: nothing to tell.
        if self._facts_changed and not kwargs.get("dry_run") and not result.has_errors():
            physicians_changed.send(
                sender=type(self), actor=self.actor, physician_ids=frozenset(self._facts_changed)
            )


# --- 机构 ---------------------------------------------------------------------------------


class InstitutionResource(PlatformResource):
    """The review tree by parent code. New institutions are created by
    `institution_create` (reviewer group, default permissions); an existing institution's
    name, division and credit code may change, its tier and parent may not (that would
    move a subtree)."""

    importer_key = "institutions"
    importer_label = "机构"
    required_columns = ("机构编码", "机构名称", "层级", "上级机构编码")
    text_columns = ("机构编码", "上级机构编码", "行政区划代码", "统一社会信用代码")
    example_row = {
        "机构编码": "U420102009",
        "机构名称": "武汉市江岸区示例医院",
        "层级": "单位",
        "上级机构编码": "420102",
        "行政区划代码": "420102",
        "统一社会信用代码": "",
    }
    column_notes = {
        "机构编码": "卫健部门用行政区划代码，单位用统一社会信用代码或自定编码；已有编码的行更新该机构。",
        "层级": "省级、市州、区县或单位。市州的上级是省级，区县的上级是市州，单位的上级是区县、市州（市直）或省级（省直）。",
        "上级机构编码": "省级机构不填；其他必须是系统中已有的机构，或本文件中的另一行（顺序不限）。",
        "行政区划代码": "6位 GB/T 2260 代码，可不填。",
        "统一社会信用代码": "18位，末位为校验码，可不填。",
    }

    code = Field("code", "机构编码", widget=TextWidget(required=True, label="机构编码"))
    name = Field("name", "机构名称", widget=TextWidget(required=True, label="机构名称"))
    tier = Field("tier", "层级", widget=ChoiceLabelWidget(Tier.choices))
    parent = Field(
        "parent",
        "上级机构编码",
        widget=CodeLookupWidget(Institution, what="上级机构编码", required=False),
    )
    division = Field(
        "division",
        "行政区划代码",
        widget=CodeLookupWidget(Division, what="行政区划代码", required=False),
    )
    credit_code = Field("credit_code", "统一社会信用代码", widget=TextWidget())

    class Meta(PlatformResource.Meta):
        model = Institution
        fields = ("code", "name", "tier", "parent", "division", "credit_code")
        import_id_fields = ("code",)

    def prepare_dataset(self, rows, headers):
        """Parents before their children (the file may list them in any order)."""
        try:
            code_at, parent_at = headers.index("机构编码"), headers.index("上级机构编码")
        except ValueError:
            return rows

        def text(value: Any) -> str:
            return TextWidget().clean(value)

        by_code: dict[str, int] = {}
        for index, (_, values) in enumerate(rows):
            by_code.setdefault(text(values[code_at]), index)
        ordered: list[int] = []
        state: dict[int, str] = {}

        def visit(index: int) -> None:
            if state.get(index) == "done":
                return
            if state.get(index) == "visiting":  # a cycle: leave it, the rows will fail
                return
            state[index] = "visiting"
            parent = by_code.get(text(rows[index][1][parent_at]))
            if parent is not None and parent != index:
                visit(parent)
            state[index] = "done"
            ordered.append(index)

        for index in range(len(rows)):
            visit(index)
        return [rows[i] for i in ordered]

    def row_errors(self, instance: Institution, row, new: bool) -> dict[str, list[str]]:
        if new:
            return {}
        errors: dict[str, list[str]] = {}
        original = Institution.objects.get(pk=instance.pk)
        if instance.tier != original.tier:
            errors["层级"] = [
                f"已有机构“{original.name}”的层级是{original.get_tier_display()}，不能通过导入修改。"
            ]
        if instance.parent_id != original.parent_id:
            current = original.parent.code if original.parent_id else "（无）"
            errors["上级机构编码"] = [
                f"已有机构“{original.name}”的上级机构编码是{current}，不能通过导入修改。"
            ]
        return errors

    def do_instance_save(self, instance: Institution, is_create: bool) -> None:
        if not is_create:
            instance.save()
            return
        created = institution_create(
            code=instance.code,
            name=instance.name,
            tier=instance.tier,
            parent=instance.parent,
            division=instance.division,
            credit_code=instance.credit_code,
        )
        instance.pk = created.pk
        instance.path = created.path
        instance.depth = created.depth
        instance.reviewer_group_id = created.reviewer_group_id
        instance.confirmation_code = created.confirmation_code

    def dehydrate_parent(self, obj: Institution) -> str:
        return obj.parent.code if obj.parent_id else ""

    def dehydrate_division(self, obj: Institution) -> str:
        return obj.division_id or ""


# --- 审核账号 --------------------------------------------------------------------------------

_PERM_BY_LABEL = {label: perm for perm, label in PERM_LABELS.items()}
_SEPARATORS = re.compile(r"[,，、;；/\s]+")


def parse_perms(value: Any) -> set[Perm]:
    text = TextWidget().clean(value)
    if not text or text == "无":
        return set()
    perms, unknown = set(), []
    for part in _SEPARATORS.split(text):
        if not part:
            continue
        perm = _PERM_BY_LABEL.get(part)
        if perm is None:
            unknown.append(part)
        else:
            perms.add(perm)
    if unknown:
        allowed = "、".join(PERM_LABELS.values())
        raise ValueError(f"未知的权限：{'、'.join(unknown)}（可选：{allowed}，用逗号分隔）。")
    return perms


@dataclass
class AccountRow:
    username: str = ""
    full_name: str = ""
    institution: Institution | None = None
    password: str = field(default="", repr=False)
    perms: set[Perm] | None = None  # None: the column is absent, permissions stay


class ReviewerAccountResource(PlatformResource):
    """Reviewer accounts, keyed by 账号. New accounts go through `reviewer_account_create`
    (same rules as the 创建审核账号 page); existing ones in the actor's subtree get their
    name and individually granted permissions updated through the services. Passwords
    only create accounts: they are never stored anywhere else, shown or logged."""

    importer_key = "reviewer_accounts"
    importer_label = "审核账号"
    required_columns = ("账号", "姓名", "所属机构编码")
    text_columns = ("账号", "所属机构编码", "初始密码")
    duplicate_key_columns = ("账号",)
    private_columns = ("初始密码",)
    column_notes = {
        "账号": "登录名；已存在的账号会更新姓名和权限。",
        "所属机构编码": "只能是您管理的机构（本机构及其下级机构）。",
        "所属机构": "仅供查看，导入时忽略。",
        "初始密码": "新账号必填，须符合密码规则；已有账号的密码不会被修改。导入后请提醒本人尽快修改密码。",
        "权限": "单独授予该账号的权限：审核、上报、核验、导出、管理，用逗号分隔；不填表示不单独授予（仍有所属机构审核组的权限）。",
    }

    username = Field(column_name="账号", widget=TextWidget())
    full_name = Field(column_name="姓名", widget=TextWidget())
    institution_code = Field(column_name="所属机构编码", widget=TextWidget())
    institution_name = Field(column_name="所属机构", widget=TextWidget())
    password = Field(column_name="初始密码", widget=TextWidget())
    perms = Field(column_name="权限", widget=TextWidget())

    class Meta(PlatformResource.Meta):
        model = ReviewerMembership
        fields = (
            "username",
            "full_name",
            "institution_code",
            "institution_name",
            "password",
            "perms",
        )
        import_id_fields = ("username",)
        clean_model_instances = False

    def template_example(self) -> dict[str, Any]:
        institution = self.institution
        return {
            "账号": "zhangsan01",
            "姓名": "张三",
            "所属机构编码": institution.code if institution else "420000",
            "所属机构": institution.name if institution else "",
            "初始密码": "Hb#2026-Change",
            "权限": "审核,上报",
        }

    def get_queryset(self):
        return ReviewerMembership.objects.select_related("user", "institution")

    def get_instance(self, instance_loader, row):
        username = TextWidget().clean(row.get("账号"))
        if not username:
            return None
        return self.get_queryset().filter(user__username__iexact=username).first()

    def init_instance(self, row=None) -> ReviewerMembership:
        return ReviewerMembership()

    # --- reading a row -----------------------------------------------------------------

    def _read(self, row) -> tuple[AccountRow, dict[str, list[str]]]:
        data, errors = AccountRow(), {}

        def need(column: str) -> str:
            value = TextWidget().clean(row.get(column))
            if not value:
                errors.setdefault(column, []).append(f"{column}不能为空。")
            return value

        data.username = need("账号")
        data.full_name = need("姓名")
        max_name = User._meta.get_field("first_name").max_length
        if len(data.full_name) > max_name:
            errors.setdefault("姓名", []).append(f"姓名不能超过{max_name}个字符。")
        if data.username:
            try:
                User._meta.get_field(User.USERNAME_FIELD).clean(data.username, None)
            except ValidationError as exc:
                errors.setdefault("账号", []).extend(exc.messages)
        code = need("所属机构编码")
        if code:
            institution = Institution.objects.filter(code=code).first()
            if institution is None:
                errors.setdefault("所属机构编码", []).append(f"未找到机构编码“{code}”。")
            elif not manages(self.actor, institution):
                errors.setdefault("所属机构编码", []).append(
                    f"“{institution.name}”不在您的管理范围内：只能导入本机构及其下级机构的账号。"
                )
            elif not institution.is_active:
                errors.setdefault("所属机构编码", []).append(
                    f"“{institution.name}”已停用，不能导入账号。"
                )
            else:
                data.institution = institution
        data.password = "" if row.get("初始密码") is None else str(row.get("初始密码")).strip()
        if "权限" in row:
            try:
                data.perms = parse_perms(row.get("权限"))
            except ValueError as exc:
                errors.setdefault("权限", []).append(str(exc))
        return data, errors

    def import_instance(self, instance: ReviewerMembership, row, **kwargs) -> None:
        data, errors = self._read(row)
        number = kwargs.get("row_number")
        for column, messages in self._row_extra.get(number, {}).items():
            errors.setdefault(column, []).extend(messages)
        if instance.pk is None:
            self._check_new(data, errors)
        else:
            self._check_existing(instance, data, errors)
        instance._import = data
        if errors:
            raise ValidationError(errors)

    def _check_new(self, data: AccountRow, errors: dict[str, list[str]]) -> None:
        if data.username and User.objects.filter(username__iexact=data.username).exists():
            errors.setdefault("账号", []).append(
                f"账号“{data.username}”已被占用（不是审核人员账号），请换一个账号名。"
            )
        if not data.password:
            errors.setdefault("初始密码", []).append("新账号必须填写初始密码。")
        else:
            try:
                validate_password(
                    data.password, User(username=data.username, first_name=data.full_name)
                )
            except ValidationError as exc:
                errors.setdefault("初始密码", []).append(
                    "初始密码不符合规则：" + "；".join(exc.messages)
                )

    def _check_existing(
        self, membership: ReviewerMembership, data: AccountRow, errors: dict[str, list[str]]
    ) -> None:
        user = membership.user
        if user.is_superuser or not manages(self.actor, membership.institution):
            errors["账号"] = [
                f"账号“{user.get_username()}”已存在，且不属于您管理的机构，不能导入。"
            ]
            errors.pop("所属机构编码", None)
            return
        if data.institution is not None and data.institution.pk != membership.institution_id:
            errors.setdefault("所属机构编码", []).append(
                f"账号“{user.get_username()}”属于“{membership.institution.name}”，"
                "不能通过导入调换所属机构。"
            )
        own = user.pk == self.actor.pk and data.perms is not None
        if own and data.perms != user_perms_on(user, membership.institution):
            errors.setdefault("权限", []).append("不能修改自己的权限，请联系上级机构的管理员。")

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        if import_validation_errors or instance.pk is None:
            return False
        data: AccountRow = instance._import
        user = instance.user
        if data.full_name != user.first_name:
            return False
        return data.perms is None or data.perms == user_perms_on(user, instance.institution)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            super().validate_instance(instance, import_validation_errors, validate_unique)

    def save_instance(self, instance: ReviewerMembership, is_create, row, **kwargs):
        data: AccountRow = instance._import
        try:
            if is_create:
                user = reviewer_account_create(
                    actor=self.actor,
                    institution=data.institution,
                    username=data.username,
                    full_name=data.full_name,
                    password=data.password,
                    perms=data.perms or (),
                )
                membership = user.reviewer_membership
                instance.pk = membership.pk
                instance.user = user
                instance.institution = membership.institution
                return
            user = instance.user
            if data.full_name != user.first_name:
                reviewer_account_rename(actor=self.actor, user=user, full_name=data.full_name)
            if data.perms is not None:
                institution_perms_set(
                    actor=self.actor,
                    institution=instance.institution,
                    user=user,
                    perms=data.perms,
                )
        except ServiceError as exc:
            raise CellError(exc.message) from exc
        finally:
            data.password = ""

    # --- export and preview --------------------------------------------------------------

    def dehydrate_username(self, obj: ReviewerMembership) -> str:
        data = getattr(obj, "_import", None)
        if data is not None and obj.pk is None:
            return data.username
        return obj.user.get_username() if obj.user_id else ""

    def dehydrate_full_name(self, obj: ReviewerMembership) -> str:
        data = getattr(obj, "_import", None)
        if data is not None:
            return data.full_name
        return obj.user.first_name if obj.user_id else ""

    def dehydrate_institution_code(self, obj: ReviewerMembership) -> str:
        institution = getattr(getattr(obj, "_import", None), "institution", None)
        institution = institution or (obj.institution if obj.institution_id else None)
        return institution.code if institution else ""

    def dehydrate_institution_name(self, obj: ReviewerMembership) -> str:
        institution = getattr(getattr(obj, "_import", None), "institution", None)
        institution = institution or (obj.institution if obj.institution_id else None)
        return institution.name if institution else ""

    def dehydrate_password(self, obj: ReviewerMembership) -> str:
        return ""

    def dehydrate_perms(self, obj: ReviewerMembership) -> str:
        data = getattr(obj, "_import", None)
        if data is not None and data.perms is not None:
            perms = data.perms
        elif obj.pk is not None and obj.user_id:
            perms = user_perms_on(obj.user, obj.institution)
        else:
            perms = set()
        return ",".join(perm.label for perm in Perm if perm in perms)


__all__ = [
    "InstitutionResource",
    "PhysicianResource",
    "ReviewerAccountResource",
    "parse_perms",
    "perm_labels",
]


# The registry's importers of people (people/importers.py); the identifiers are the admins'
# model labels.
register(Importer(identifier="people.physician", resource_class=PhysicianResource))
register(Importer(identifier="people.institution", resource_class=InstitutionResource))
register(
    Importer(
        identifier="people.reviewermembership",
        resource_class=ReviewerAccountResource,
        perm=Perm.MANAGE,
        province_only=False,
    )
)
