"""Password rules: Django's four validators wherever a password is set, with Chinese
messages (candidate registration and password change, the admin's account pages)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from core.errors import ServiceError
from people import services
from tests.tree import REVIEWER_PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()

# Accepted before: each is 8 characters or more and not all digits. All are common.
WEAK = ["password", "aaaaaaaa", "qwertyui", "P@ssw0rd"]
COMMON = "这个密码太常见了。"
TOO_SHORT = "密码长度太短。密码必须包含至少 8 个字符。"
STRONG = "Jiangcheng-2026-ok"
PHONE = "13912345678"

REGISTER = reverse("account:register")
CANDIDATE_PASSWORD = reverse("account:password_change")
ACCOUNT_ADD = reverse("admin:people_reviewermembership_add")
USER_ADD = reverse("admin:auth_user_add")
OWN_PASSWORD = reverse("admin:password_change")


def page_text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def register(client: Client, password: str, phone: str = PHONE):
    return client.post(REGISTER, {"phone": phone, "password1": password, "password2": password})


# --- candidate site ---------------------------------------------------------------------------


class TestCandidate:
    @pytest.mark.parametrize("password", WEAK)
    def test_registration_refuses_a_common_password(self, client, password):
        response = register(client, password)
        assert response.status_code == 200
        assert COMMON in response.context["form"].errors["password1"]
        assert not User.objects.filter(username=PHONE).exists()

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("Ab1-xyz", TOO_SHORT),
            ("99009900", "密码只包含数字。"),
            (f"{PHONE}a", "密码跟 用户名 太相似了。"),
        ],
    )
    def test_registration_messages_are_chinese(self, client, password, message):
        response = register(client, password)
        assert response.context["form"].errors["password1"] == [message]
        assert "This password" not in page_text(response)
        assert not User.objects.filter(username=PHONE).exists()

    def test_registration_with_a_good_password(self, client):
        assert register(client, STRONG).status_code == 302
        assert User.objects.get(username=PHONE).check_password(STRONG)

    @pytest.mark.parametrize("password", [*WEAK, "Ab1-xyz", f"{PHONE}a"])
    def test_the_service_refuses_too(self, password):
        with pytest.raises(ServiceError):
            services.candidate_register(phone=PHONE, password=password)
        assert not User.objects.filter(username=PHONE).exists()

    @pytest.mark.parametrize("password", WEAK)
    def test_password_change_refuses_a_common_password(self, client, password):
        candidate = services.candidate_register(phone=PHONE, password=STRONG)
        client.force_login(candidate.user)
        response = client.post(
            CANDIDATE_PASSWORD,
            {"old_password": STRONG, "new_password1": password, "new_password2": password},
        )
        assert response.status_code == 200
        assert COMMON in response.context["form"].errors["new_password2"]
        candidate.user.refresh_from_db()
        assert candidate.user.check_password(STRONG)


# --- admin -----------------------------------------------------------------------------------


def admin_client(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


class TestAdmin:
    @pytest.mark.parametrize("password", WEAK)
    def test_reviewer_account_creation_refuses_it(self, reviewers, tree, password):
        client = admin_client(reviewers["county_jiangan"])
        response = client.post(
            ACCOUNT_ADD,
            {
                "institution": tree["U420102001"].pk,
                "username": "wang_wu",
                "full_name": "王五",
                "password1": password,
                "password2": password,
            },
        )
        assert response.status_code == 200
        assert any(COMMON in m for m in messages_of(response))
        assert not User.objects.filter(username="wang_wu").exists()

    @pytest.mark.parametrize("password", WEAK)
    def test_reviewer_password_reset_refuses_it(self, reviewers, password):
        target = reviewers["unit_a"]
        url = reverse(
            "admin:people_reviewermembership_reset_password",
            args=[target.reviewer_membership.pk],
        )
        client = admin_client(reviewers["county_jiangan"])
        response = client.post(url, {"password1": password, "password2": password})
        assert response.status_code == 200
        assert any(COMMON in m for m in messages_of(response))
        target.refresh_from_db()
        assert target.check_password(REVIEWER_PASSWORD)

    @pytest.mark.parametrize("password", WEAK)
    def test_superusers_user_form_refuses_it(self, password):
        root = User.objects.create_superuser("root", password=STRONG)
        response = admin_client(root).post(
            USER_ADD,
            {
                "username": "someone",
                "usable_password": "true",
                "password1": password,
                "password2": password,
            },
        )
        assert response.status_code == 200
        assert COMMON in page_text(response)
        assert not User.objects.filter(username="someone").exists()

    @pytest.mark.parametrize("password", WEAK)
    def test_own_password_change_refuses_it(self, password):
        user = User.objects.create_user("shenhe", password=STRONG, is_staff=True)
        response = admin_client(user).post(
            OWN_PASSWORD,
            {"old_password": STRONG, "new_password1": password, "new_password2": password},
        )
        assert response.status_code == 200
        assert COMMON in page_text(response)
        user.refresh_from_db()
        assert user.check_password(STRONG)
