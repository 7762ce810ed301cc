"""Forms of the account screens (机构与账号). They only collect input: every check that
matters (scope, password strength, uniqueness) is the services' job."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.safestring import SafeString
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminPasswordWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from people.models import Institution
from people.permissions import Perm

password_help = lazy(password_validators_help_text_html, str, SafeString)

PERMS_HELP = (
    "所属机构的审核人员组已具有的权限对该机构的全部账号有效，在此勾选的是单独授予本账号的权限。"
    "“管理”可创建、停用本机构及下级机构的账号并设置其权限。"
)


def perm_choices(group_perms: set[Perm] = frozenset()) -> list[tuple[str, str]]:
    return [
        (perm.value, f"{perm.label}（审核人员组已具有）" if perm in group_perms else perm.label)
        for perm in Perm
    ]


class InstitutionChoiceField(forms.ModelChoiceField):
    """Institutions indented by depth below the shallowest one offered."""

    def __init__(self, queryset: QuerySet[Institution], **kwargs) -> None:
        super().__init__(queryset=queryset, **kwargs)
        self.top_depth = min((i.depth for i in queryset), default=0)

    def label_from_instance(self, obj: Institution) -> str:
        indent = "\u3000" * max(obj.depth - self.top_depth, 0)
        return f"{indent}{obj.name}（{obj.get_tier_display()}）"


class _PasswordPairMixin:
    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致。")
        return cleaned


def _password_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=UnfoldAdminPasswordWidget(attrs={"autocomplete": "new-password"}),
    )


class AccountCreateForm(_PasswordPairMixin, forms.Form):
    username = forms.CharField(
        label="账号",
        max_length=150,
        help_text="登录用的账号名：字母、数字和 @ . + - _，不超过150个字符。",
        widget=UnfoldAdminTextInputWidget(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(label="姓名", max_length=150, widget=UnfoldAdminTextInputWidget)
    password1 = _password_field("初始密码", password_help())
    password2 = _password_field("确认初始密码")
    perms = forms.MultipleChoiceField(
        label="单独授予的权限",
        required=False,
        choices=perm_choices(),
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text=PERMS_HELP,
    )

    def __init__(self, *args, institutions: QuerySet[Institution], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"] = InstitutionChoiceField(
            queryset=institutions,
            label="所属机构",
            empty_label="请选择机构",
            widget=UnfoldAdminSelectWidget,
            help_text="只能在您管理的机构及其下级机构中创建账号。",
        )
        self.order_fields(["institution", "username", "full_name", "password1", "password2"])


class PasswordResetForm(_PasswordPairMixin, forms.Form):
    password1 = _password_field("新密码", password_help())
    password2 = _password_field("确认新密码")


class AccountPermsForm(forms.Form):
    perms = forms.MultipleChoiceField(
        label="单独授予的权限",
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text=PERMS_HELP,
    )

    def __init__(self, *args, group_perms: set[Perm], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["perms"].choices = perm_choices(group_perms)


class ConfirmForm(forms.Form):
    """An empty form: the POST itself is the confirmation (with its CSRF token)."""
