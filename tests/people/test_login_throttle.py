"""Login throttling (django-axes, database handler) on both logins: the admin's and the
candidate site's. Locks are per account, never per address alone, hold across processes
and end after the cool-off."""

import datetime
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse

from core.errors import ServiceError
from core.models import AuditLogEntry
from people import services
from tests.other_process import run_in_another_process

User = get_user_model()

LIMIT = 5  # failures before the lock (README)
COOLOFF = datetime.timedelta(minutes=15)
PASSWORD = "Shenhe-2026-ok"
WRONG = "not-the-password"
LOCKED = "登录失败次数过多，该账号已暂时锁定。请 15 分钟后再试。"
ADMIN_LOGIN = reverse("admin:login")
CANDIDATE_LOGIN = reverse("account:login")
ROOT = Path(__file__).resolve().parents[2]
# .ci/run runs these again with the shared cache on Redis (sessions in it).
pytestmark = pytest.mark.cache


@dataclass(frozen=True)
class Door:
    """One login page: where it is, what its name field is called, how accounts are made."""

    name: str
    url: str
    field: str

    def account(self, number: int) -> str:
        """A new account that may log in here; returns what is typed into the name field."""
        if self.name == "admin":
            username = f"reviewer{number}"
            User.objects.create_user(username=username, password=PASSWORD, is_staff=True)
            return username
        phone = f"1390000000{number}"
        services.candidate_register(phone=phone, password=PASSWORD)
        return phone

    def data(self, login: str, password: str) -> dict[str, str]:
        data = {self.field: login, "password": password}
        if self.name == "admin":
            data["next"] = "/admin/"
        return data

    def post(self, client: Client, login: str, password: str, **extra):
        return client.post(self.url, self.data(login, password), **extra)


ADMIN = Door("admin", ADMIN_LOGIN, "username")
CANDIDATE = Door("candidate", CANDIDATE_LOGIN, "phone")
DOORS = pytest.mark.parametrize("door", [ADMIN, CANDIDATE], ids=["admin", "candidate"])


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def assert_logged_in(response, client: Client) -> None:
    assert response.status_code == 302, response.content.decode()[:500]
    assert logged_in(client)


def assert_locked(response, client: Client, wait: str = "15") -> None:
    assert response.status_code == 429
    assert LOCKED.replace("15", wait) in response.content.decode()
    assert not logged_in(client)


def fail(door: Door, client: Client, login: str, times: int, **extra):
    response = None
    for _ in range(times):
        response = door.post(client, login, WRONG, **extra)
    return response


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
class TestLock:
    @DOORS
    def test_wrong_passwords_then_the_right_one_is_refused(self, door, client):
        login = door.account(1)
        for _ in range(LIMIT - 1):
            response = door.post(client, login, WRONG)
            assert response.status_code == 200
            assert "登录失败次数过多" not in response.content.decode()
        # The last allowed failure already answers with the lock, then the right password
        # is refused too.
        assert_locked(door.post(client, login, WRONG), client)
        assert_locked(door.post(client, login, PASSWORD), client)
        assert AccessAttempt.objects.get(username=login).failures_since_start == LIMIT

    @DOORS
    def test_another_account_behind_the_same_address_still_logs_in(self, door):
        """A hospital's NAT or the reverse proxy: everyone shares one address."""
        victim, colleague = door.account(1), door.account(2)
        nat = {"REMOTE_ADDR": "10.8.0.1"}
        attacker = Client(**nat)
        fail(door, attacker, victim, LIMIT)
        assert_locked(door.post(attacker, victim, PASSWORD), attacker)

        other = Client(**nat)
        response = door.post(other, colleague, WRONG)
        assert response.status_code == 200 and "登录失败次数过多" not in response.content.decode()
        assert_logged_in(door.post(other, colleague, PASSWORD), other)

    @DOORS
    def test_the_lock_ends_after_the_cooloff_and_says_how_long_is_left(self, door, client):
        login = door.account(1)
        fail(door, client, login, LIMIT)
        AccessAttempt.objects.update(
            attempt_time=F("attempt_time") - COOLOFF + datetime.timedelta(minutes=5, seconds=10)
        )
        assert_locked(door.post(client, login, PASSWORD), client, wait="6")
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=6))
        assert_logged_in(door.post(client, login, PASSWORD), client)

    @DOORS
    def test_a_success_clears_the_failures(self, door, client):
        login = door.account(1)
        fail(door, client, login, LIMIT - 1)
        assert_logged_in(door.post(client, login, PASSWORD), client)
        client.logout()
        assert fail(door, client, login, LIMIT - 1).status_code == 200
        assert AccessAttempt.objects.get(username=login).failures_since_start == LIMIT - 1

    def test_the_candidate_lock_counts_under_the_accounts_username(self, client):
        """The candidate page asks for the phone; the account's username may differ."""
        services.candidate_register(phone="13900000009", password=PASSWORD, username="wx_9f3a")
        fail(CANDIDATE, client, "13900000009", LIMIT)
        assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["wx_9f3a"]
        assert_locked(CANDIDATE.post(client, "13900000009", PASSWORD), client)

    def test_admin_lock_page_is_the_admins_and_candidate_lock_page_the_sites(self, client):
        reviewer, phone = ADMIN.account(1), CANDIDATE.account(2)
        response = fail(ADMIN, client, reviewer, LIMIT)
        names = {t.name for t in response.templates}
        assert "people/admin/lockout.html" in names
        assert "unfold/layouts/unauthenticated.html" in names
        assert f'href="{ADMIN_LOGIN}"' in response.content.decode()

        response = fail(CANDIDATE, client, phone, LIMIT)
        names = {t.name for t in response.templates}
        assert {"people/site/lockout.html", "site/base.html"} <= names
        assert f'href="{CANDIDATE_LOGIN}"' in response.content.decode()


@pytest.mark.django_db
class TestClientAddress:
    def recorded(self, **extra) -> str:
        AccessAttempt.objects.all().delete()
        fail(ADMIN, Client(), "nobody", 1, REMOTE_ADDR="10.0.0.7", **extra)
        return AccessAttempt.objects.get().ip_address

    def test_x_forwarded_for_is_ignored_by_default(self):
        assert self.recorded(HTTP_X_FORWARDED_FOR="203.0.113.5") == "10.0.0.7"

    def test_honoured_behind_the_configured_number_of_proxies(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        # The left-most entry is whatever the client sent; the proxy appended the right-most.
        forged = {"HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.5"}
        assert self.recorded(**forged) == "203.0.113.5"
        settings.TRUSTED_PROXY_COUNT = 2
        assert self.recorded(**forged) == "198.51.100.1"

    @pytest.mark.parametrize("header", ["", "garbage", "203.0.113.5, not-an-ip", "::1, , "])
    def test_a_bad_header_falls_back_to_the_peer(self, settings, header):
        settings.TRUSTED_PROXY_COUNT = 2
        assert self.recorded(HTTP_X_FORWARDED_FOR=header) == "10.0.0.7"


# --- across processes -------------------------------------------------------------------------

CHILD = """
import json, sys
import django
django.setup()
from django.test import Client
url, data, times = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
client = Client(HTTP_HOST="127.0.0.1")
print(json.dumps([client.post(url, data).status_code for _ in range(times)]))
"""


def fail_in_another_process(door: Door, login: str, times: int) -> list[int]:
    """Wrong passwords posted by a separate Python process (its own cache, its own memory),
    like a second gunicorn worker, on the same database."""
    return run_in_another_process(CHILD, door.url, json.dumps(door.data(login, WRONG)), str(times))


@pytest.mark.django_db(transaction=True)
@DOORS
def test_failures_are_counted_across_processes(door, client):
    login = door.account(1)
    fail(door, client, login, 2)
    assert fail_in_another_process(door, login, 2) == [200, 200]
    cache.clear()  # nothing this process keeps locally matters
    # The fifth failure overall, the third in this process: the lock.
    assert_locked(door.post(client, login, WRONG), client)
    assert_locked(door.post(client, login, PASSWORD), client)


# --- unlocking ----------------------------------------------------------------------------------

ATTEMPTS = reverse("admin:axes_accessattempt_changelist")


@pytest.mark.django_db
class TestUnlock:
    def test_superuser_unlocks_from_the_attempts_list(self, client):
        login = ADMIN.account(1)
        fail(ADMIN, client, login, LIMIT)
        admin = Client()
        admin.force_login(User.objects.create_superuser("root", password=PASSWORD))
        page = admin.get(ATTEMPTS)
        assert page.status_code == 200
        text = page.content.decode()
        for label in (
            "登录失败记录",
            "解除锁定",
            "账号",
            "登录页面",
            "失败次数",
            "已锁定（约 15 分钟后解除）",
        ):
            assert label in text
        assert "Attempt" not in text and "access attempt" not in text
        attempt = AccessAttempt.objects.get(username=login)

        response = admin.post(ATTEMPTS, {"action": "unlock", "_selected_action": [attempt.pk]})

        assert response.status_code == 302
        assert not AccessAttempt.objects.exists()
        log = AuditLogEntry.objects.get(action="account.login_unlocked")
        assert log.actor.username == "root" and login in log.remark
        assert_logged_in(ADMIN.post(client, login, PASSWORD), client)

    def test_only_the_superuser_sees_the_login_records(self, reviewers):
        client = Client()
        client.force_login(reviewers["province"])
        assert client.get(ATTEMPTS).status_code == 403
        assert client.get(reverse("admin:axes_accesslog_changelist")).status_code == 403
        assert (
            client.post(ATTEMPTS, {"action": "unlock", "_selected_action": [1]}).status_code == 403
        )

    def test_unlock_service_refuses_everyone_but_the_superuser(self, reviewers, client):
        login = ADMIN.account(1)
        fail(ADMIN, client, login, LIMIT)
        with pytest.raises(ServiceError) as info:
            services.login_lock_release(actor=reviewers["province"], usernames=[login])
        assert info.value.message == "只有系统管理员可以解除登录锁定。"
        assert AccessAttempt.objects.filter(username=login).exists()
        assert not AuditLogEntry.objects.filter(action="account.login_unlocked").exists()

    def test_the_documented_command_unlocks_too(self, client):
        login = CANDIDATE.account(1)
        fail(CANDIDATE, client, login, LIMIT)
        call_command("axes_reset_username", login, stdout=io.StringIO())
        assert_logged_in(CANDIDATE.post(client, login, PASSWORD), client)
