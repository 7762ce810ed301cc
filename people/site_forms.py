"""Forms of the candidate site (考生端). They collect and check input; the writes and the
checks that decide (uniqueness, ownership, state) are people.services' job."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from people.models import IdType
from people.models.candidates import validate_id_document
from people.uploaded_files import IMAGE_KINDS, CheckedFileField


class PhotoField(CheckedFileField):
    """A JPG or PNG photo of an identity document, through the one upload check."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("error_messages", {}).setdefault("required", "请上传证件照片。")
        super().__init__(kinds=IMAGE_KINDS, **kwargs)


class _PasswordPairMixin:
    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致。")
        return cleaned


def _phone_field() -> forms.CharField:
    return forms.CharField(
        label="手机号码",
        max_length=11,
        error_messages={"required": "请输入手机号码。"},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "tel", "pattern": "1[0-9]{10}"}
        ),
    )


class RegisterForm(_PasswordPairMixin, forms.Form):
    phone = _phone_field()
    password1 = forms.CharField(
        label="密码",
        strip=False,
        help_text="至少8位，不能全是数字，不能是常见密码，也不能与手机号码相近。",
        error_messages={"required": "请输入密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="确认密码",
        strip=False,
        error_messages={"required": "请再次输入密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password1(self) -> str:
        password = self.cleaned_data["password1"]
        # The phone number becomes the username: Django's similarity check compares with it.
        validate_password(password, get_user_model()(username=self.cleaned_data.get("phone", "")))
        return password


class LoginForm(forms.Form):
    phone = _phone_field()
    password = forms.CharField(
        label="密码",
        strip=False,
        error_messages={"required": "请输入密码。"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class _IdentityForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64, error_messages={"required": "请填写姓名。"})
    id_number = forms.CharField(
        label="证件编号", max_length=32, error_messages={"required": "请填写证件编号。"}
    )

    def _check_number(self, id_type: str) -> None:
        number = self.cleaned_data.get("id_number")
        if not number or not id_type:
            return
        try:
            self.cleaned_data["id_number"] = validate_id_document(id_type, number).number
        except ValidationError as exc:
            self.add_error("id_number", exc)


class AutoIdentityForm(_IdentityForm):
    """身份证（自动核验）."""

    front_image = PhotoField(label="身份证人像面照片")
    back_image = PhotoField(label="身份证国徽面照片")

    field_order = ["name", "id_number", "front_image", "back_image"]

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_number(IdType.RESIDENT_ID)
        return cleaned


class ManualIdentityForm(_IdentityForm):
    """人工审核: 身份证（人工审核） and the other documents."""

    id_type = forms.ChoiceField(
        label="证件类型",
        choices=[
            (value, "居民身份证（人工审核）" if value == IdType.RESIDENT_ID else label)
            for value, label in IdType.choices
        ],
        error_messages={"required": "请选择证件类型。"},
    )
    front_image = PhotoField(label="证件照片（正面或资料页）")
    back_image = PhotoField(label="证件背面照片（如有）", required=False)

    field_order = ["id_type", "name", "id_number", "front_image", "back_image"]

    def clean(self) -> dict:
        cleaned = super().clean()
        self._check_number(cleaned.get("id_type", ""))
        return cleaned
