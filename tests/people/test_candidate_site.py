"""The candidate site (考生端): account pages and 实名认证 pages, and the admin queue of
manual identity requests."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from people import services
from people.models import Candidate, IdentityVerification, IdType
from people.site_views import candidate_verified_required, mask_id_number
from tests.factories import fake_resident_id

pytestmark = pytest.mark.django_db

User = get_user_model()
Status = IdentityVerification.Status
PASSWORD = "secret-pass-1"
PHONE = "13900000001"

REGISTER = reverse("account:register")
LOGIN = reverse("account:login")
LOGOUT = reverse("account:logout")
PASSWORD_CHANGE = reverse("account:password_change")
IDENTITY = reverse("account:identity")
AUTO = reverse("account:identity_auto")
MANUAL = reverse("account:identity_manual")
QUEUE = reverse("admin:people_identityverification_changelist")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded photos go to a temporary directory, never into the repository."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/private-media-not-served/"},
        },
    }
    return tmp_path


def png(name: str = "id.png", fmt: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def candidate():
    return services.candidate_register(phone=PHONE, password=PASSWORD)


@pytest.fixture
def other():
    return services.candidate_register(phone="13900000002", password=PASSWORD)


@pytest.fixture
def logged_in(client, candidate):
    client.force_login(candidate.user)
    return client


def _staff(username: str, *, perm: bool):
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True)
    if perm:
        user.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="people", codename="change_identityverification"
            )
        )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def staff():
    return _staff("identity-staff", perm=True)


@pytest.fixture
def plain_staff():
    return _staff("plain-staff", perm=False)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def submit_auto(client, *, name="张三", id_number=None, front=True, back=True):
    data = {"name": name, "id_number": id_number or fake_resident_id()}
    if front:
        data["front_image"] = png("front.png")
    if back:
        data["back_image"] = png("back.png")
    return client.post(AUTO, data)


def submit_passport(client, number="E12345678"):
    return client.post(
        MANUAL,
        {
            "id_type": IdType.PASSPORT,
            "name": "JOHN SMITH",
            "id_number": number,
            "front_image": png("passport.png"),
        },
    )


# --- landing and base template -------------------------------------------------------------


def test_landing_links_to_login_and_register(client):
    response = client.get("/")
    content = response.content.decode()
    assert f'href="{LOGIN}"' in content and f'href="{REGISTER}"' in content
    assert "site/site.css" in content
    assert "http://" not in content and "https://" not in content  # no CDN


# --- register ------------------------------------------------------------------------------


class TestRegister:
    def test_good(self, client):
        response = client.post(
            REGISTER, {"phone": "13912345678", "password1": PASSWORD, "password2": PASSWORD}
        )
        assert response.status_code == 302 and response.url == IDENTITY
        candidate = Candidate.objects.get(phone="13912345678")
        assert candidate.user.username == "13912345678"
        assert client.get(IDENTITY).context["candidate"] == candidate  # logged in

    @pytest.mark.parametrize("phone", ["1391234567", "23912345678", "abc"])
    def test_bad_phone(self, client, phone):
        response = client.post(
            REGISTER, {"phone": phone, "password1": PASSWORD, "password2": PASSWORD}
        )
        assert response.status_code == 200
        assert "请输入11位手机号码。" in response.context["form"].errors["phone"]
        assert not Candidate.objects.exists()

    def test_duplicate(self, client, candidate):
        response = client.post(
            REGISTER, {"phone": PHONE, "password1": PASSWORD, "password2": PASSWORD}
        )
        assert "该手机号码已注册，请直接登录。" in response.context["form"].errors["phone"]
        assert Candidate.objects.count() == 1

    def test_passwords_differ_or_weak(self, client):
        response = client.post(
            REGISTER, {"phone": "13912345678", "password1": PASSWORD, "password2": "other-pass-2"}
        )
        assert "两次输入的密码不一致。" in response.context["form"].errors["password2"]
        response = client.post(
            REGISTER, {"phone": "13912345678", "password1": "12345678", "password2": "12345678"}
        )
        assert response.context["form"].errors["password1"]
        assert not Candidate.objects.exists()


# --- login, logout, password (lockouts: test_login_throttle.py) ------------------------------


class TestLogin:
    def test_good(self, client, candidate):
        response = client.post(LOGIN, {"phone": PHONE, "password": PASSWORD})
        assert response.status_code == 302 and response.url == IDENTITY
        assert int(client.session["_auth_user_id"]) == candidate.user.pk

    def test_next_is_kept_but_only_on_this_site(self, client, candidate):
        response = client.post(
            LOGIN + "?next=/account/password/", {"phone": PHONE, "password": PASSWORD}
        )
        assert response.url == "/account/password/"
        client.logout()
        response = client.post(
            LOGIN + "?next=https://evil.example/", {"phone": PHONE, "password": PASSWORD}
        )
        assert response.url == IDENTITY

    def test_bad_password(self, client, candidate):
        response = client.post(LOGIN, {"phone": PHONE, "password": "wrong"})
        assert response.status_code == 200
        assert "手机号码或密码错误。" in response.context["form"].non_field_errors()
        assert "_auth_user_id" not in client.session

    def test_staff_account_is_refused_politely(self, client, reviewers):
        # A reviewer whose username happens to be a phone number, with the right password.
        User.objects.create_user(username="13800000000", password=PASSWORD, is_staff=True)
        response = client.post(LOGIN, {"phone": "13800000000", "password": PASSWORD})
        assert response.status_code == 200
        assert "该账号不是考生账号" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_staff_session_cannot_use_candidate_pages(self, client, reviewers):
        client.force_login(User.objects.get(username="unit_a"))
        for url in (IDENTITY, AUTO, MANUAL, PASSWORD_CHANGE):
            response = client.get(url)
            assert response.status_code == 403
            assert "该账号不是考生账号" in response.content.decode()

    def test_anonymous_goes_to_login(self, client):
        response = client.get(IDENTITY)
        assert response.status_code == 302
        assert response.url == f"{LOGIN}?next={IDENTITY}"

    def test_logout_is_post_only(self, logged_in):
        assert logged_in.get(LOGOUT).status_code == 405
        response = logged_in.post(LOGOUT)
        assert response.status_code == 302 and response.url == "/"
        assert "_auth_user_id" not in logged_in.session

    def test_password_change(self, logged_in, candidate):
        response = logged_in.get(PASSWORD_CHANGE)
        assert response.status_code == 200
        assert "site/base.html" in [t.name for t in response.templates]
        response = logged_in.post(
            PASSWORD_CHANGE,
            {
                "old_password": "wrong",
                "new_password1": "new-pass-22",
                "new_password2": "new-pass-22",
            },
        )
        assert response.context["form"].errors["old_password"]
        response = logged_in.post(
            PASSWORD_CHANGE,
            {
                "old_password": PASSWORD,
                "new_password1": "new-pass-22",
                "new_password2": "new-pass-22",
            },
        )
        assert response.status_code == 302 and response.url == IDENTITY
        candidate.user.refresh_from_db()
        assert candidate.user.check_password("new-pass-22")
        assert logged_in.get(IDENTITY).status_code == 200  # still logged in


# --- 实名认证 --------------------------------------------------------------------------------


class TestIdentity:
    def test_status_unverified(self, logged_in):
        response = logged_in.get(IDENTITY)
        content = response.content.decode()
        assert "未认证" in content
        assert f'href="{AUTO}"' in content and f'href="{MANUAL}"' in content

    def test_auto_success(self, logged_in, candidate, media):
        number = fake_resident_id()
        response = submit_auto(logged_in, id_number=number)
        assert response.status_code == 302 and response.url == IDENTITY
        candidate.refresh_from_db()
        assert candidate.is_verified and candidate.id_number == number
        content = logged_in.get(IDENTITY).content.decode()
        assert "认证成功" in content and "张三" in content
        assert mask_id_number(number) in content and number not in content
        assert len([p for p in media.rglob("*") if p.is_file()]) == 2

    def test_auto_precise_failure_keeps_typed_values(self, logged_in, candidate):
        number = fake_resident_id()
        wrong = number[:17] + ("0" if number[17] != "0" else "1")
        response = submit_auto(logged_in, name="王五", id_number=wrong)
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["id_number"] == ["居民身份证号码校验位错误，请逐位核对。"]
        content = response.content.decode()
        assert 'value="王五"' in content and f'value="{wrong}"' in content
        candidate.refresh_from_db()
        assert not candidate.is_verified
        # The failed recognition is counted (test_identity_attempts.py), nothing else.
        attempt = IdentityVerification.objects.get()
        assert (attempt.method, attempt.status) == ("auto", Status.REJECTED)
        assert not attempt.front_image

    def test_auto_missing_photos(self, logged_in):
        response = submit_auto(logged_in, front=False, back=False)
        errors = response.context["form"].errors
        assert errors["front_image"] == ["请上传证件照片。"]
        assert errors["back_image"] == ["请上传证件照片。"]
        assert not IdentityVerification.objects.exists()

    def test_photo_checked_by_content_and_size(self, logged_in):
        fake = SimpleUploadedFile("front.png", b"not an image", content_type="image/png")
        response = logged_in.post(
            AUTO,
            {
                "name": "张三",
                "id_number": fake_resident_id(),
                "front_image": fake,
                "back_image": png("back.gif", fmt="GIF"),
            },
        )
        errors = response.context["form"].errors
        assert errors["front_image"] == ["无法识别该文件，只接受JPG、PNG格式。"]
        assert errors["back_image"] == ["无法识别该文件，只接受JPG、PNG格式。"]
        # A PNG signature followed by padding: the size is checked before anything is decoded.
        padded = png("front.png").read() + b"\0" * (5 * 1024 * 1024)
        big = SimpleUploadedFile("front.png", padded, content_type="image/png")
        response = logged_in.post(
            AUTO, {"name": "张三", "id_number": fake_resident_id(), "front_image": big}
        )
        assert response.context["form"].errors["front_image"] == [
            "图片不能超过5 MB，请压缩后重新上传。"
        ]

    def test_manual_passport_approved_in_admin(self, logged_in, candidate, client, staff):
        response = submit_passport(logged_in)
        assert response.status_code == 302
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.PENDING
        verification = IdentityVerification.objects.get()
        assert verification.status == Status.PENDING
        content = logged_in.get(IDENTITY).content.decode()
        assert "待审核" in content and "撤回申请" in content

        admin = type(logged_in)()
        admin.force_login(staff)
        assert admin.get(QUEUE).status_code == 200
        change_url = reverse("admin:people_identityverification_change", args=[verification.pk])
        assert admin.get(change_url).status_code == 200
        approve_url = reverse(
            "admin:people_identityverification_approve_request", args=[verification.pk]
        )
        assert admin.get(approve_url).status_code == 200
        response = admin.post(approve_url)
        assert response.status_code == 302
        candidate.refresh_from_db()
        assert candidate.is_verified and candidate.name == "JOHN SMITH"
        assert candidate.id_type == IdType.PASSPORT
        assert "认证成功" in logged_in.get(IDENTITY).content.decode()
        # Once verified, the forms say so instead of accepting another attempt.
        response = logged_in.get(AUTO)
        assert response.status_code == 302 and response.url == IDENTITY

    def test_manual_bad_number_for_the_chosen_document(self, logged_in):
        response = logged_in.post(
            MANUAL,
            {
                "id_type": IdType.HK_MACAU_PERMIT,
                "name": "陈大文",
                "id_number": "X1234",
                "front_image": png(),
            },
        )
        assert response.context["form"].errors["id_number"] == [
            "港澳居民来往内地通行证号码应为H或M加8位数字（旧版为10位数字）。"
        ]

    def test_withdraw_then_auto(self, logged_in, candidate):
        submit_passport(logged_in)
        verification = IdentityVerification.objects.get()
        # Automatic check is refused while a request is pending, with the reason.
        response = submit_auto(logged_in)
        assert "请先撤回" in response.content.decode()
        url = reverse("account:identity_withdraw", args=[verification.pk])
        assert logged_in.get(url).status_code == 405
        response = logged_in.post(url)
        assert response.status_code == 302
        verification.refresh_from_db()
        assert verification.status == Status.WITHDRAWN
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.UNVERIFIED
        assert submit_auto(logged_in).status_code == 302
        candidate.refresh_from_db()
        assert candidate.is_verified

    def test_others_cannot_see_or_withdraw(self, client, candidate, other):
        client.force_login(candidate.user)
        submit_passport(client)
        verification = IdentityVerification.objects.get()
        client.force_login(other.user)
        assert "JOHN SMITH" not in client.get(IDENTITY).content.decode()
        url = reverse("account:identity_withdraw", args=[verification.pk])
        assert client.post(url).status_code == 404
        verification.refresh_from_db()
        assert verification.status == Status.PENDING

    def test_rejection_reason_is_shown(self, logged_in, staff):
        submit_passport(logged_in)
        verification = IdentityVerification.objects.get()
        services.identity_decide(
            actor=staff, verification=verification, approve=False, reason="照片模糊"
        )
        content = logged_in.get(IDENTITY).content.decode()
        assert "上次认证未通过：照片模糊" in content and f'href="{AUTO}"' in content


def test_mask_id_number():
    assert mask_id_number("420102199003071234") == "420102********1234"
    assert mask_id_number("E12345678") == "E1*****78"


# --- candidate_verified_required -----------------------------------------------------------


def _request(user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@candidate_verified_required
def _guarded(request):
    return HttpResponse("ok")


def test_verified_required(candidate, staff):
    response = _guarded(_request(candidate.user))
    assert response.status_code == 302 and response.url == IDENTITY
    request = _request(candidate.user)
    _guarded(request)
    assert [str(m) for m in request._messages] == ["请先完成实名认证。"]
    assert _guarded(_request(staff)).status_code == 403
    candidate.identity_status = Candidate.IdentityStatus.VERIFIED
    candidate.save()
    assert _guarded(_request(candidate.user)).content == b"ok"


# --- admin queue ---------------------------------------------------------------------------


class TestAdminQueue:
    @pytest.fixture
    def pending(self, candidate):
        return services.identity_request_manual(
            actor=candidate.user,
            candidate=candidate,
            id_type=IdType.PASSPORT,
            name="JOHN SMITH",
            id_number="E12345678",
            front_image=png("front.png"),
        )

    def photo_url(self, verification, side="front"):
        return reverse("admin:people_identityverification_photo", args=[verification.pk, side])

    def test_access_control(self, client, pending, staff, plain_staff, candidate, admin_user):
        change = reverse("admin:people_identityverification_change", args=[pending.pk])
        for user, allowed in ((staff, True), (admin_user, True), (plain_staff, False)):
            client.force_login(user)
            assert (client.get(QUEUE).status_code == 200) is allowed
            assert (client.get(change).status_code == 200) is allowed
            assert (client.get(self.photo_url(pending)).status_code == 200) is allowed
        client.force_login(candidate.user)  # not staff: the admin sends it to its login
        assert client.get(QUEUE).status_code == 302
        assert client.get(self.photo_url(pending)).status_code == 302
        client.logout()
        assert client.get(self.photo_url(pending)).status_code == 302

    def test_provincial_reviewers_decide_identity_and_others_do_not(
        self, client, pending, reviewers
    ):
        """The province's reviewer group holds the permission (institution_create gives it);
        a city reviewer does not see the queue."""
        client.force_login(reviewers["province"])
        assert client.get(QUEUE).status_code == 200
        client.force_login(reviewers["city_wuhan"])
        assert client.get(QUEUE).status_code == 403

    def test_photo_is_streamed_privately(self, client, pending, staff):
        client.force_login(staff)
        response = client.get(self.photo_url(pending))
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert client.get(self.photo_url(pending, "back")).status_code == 404  # none uploaded
        assert client.get(self.photo_url(pending, "other")).status_code == 404
        change = reverse("admin:people_identityverification_change", args=[pending.pk])
        assert self.photo_url(pending) in client.get(change).content.decode()

    def test_pending_first_and_filters(self, client, pending, other, staff):
        services.identity_verify_auto(
            actor=other.user,
            candidate=other,
            name="赵六",
            id_number=fake_resident_id(),
            front_image=png(),
            back_image=png(),
        )
        client.force_login(staff)
        rows = list(client.get(QUEUE).context["cl"].result_list)
        assert [r.status for r in rows] == [Status.PENDING, Status.VERIFIED]
        rows = client.get(QUEUE, {"status__exact": Status.VERIFIED}).context["cl"].result_list
        assert [r.name for r in rows] == ["赵六"]
        rows = client.get(QUEUE, {"q": "E12345678"}).context["cl"].result_list
        assert [r.name for r in rows] == ["JOHN SMITH"]

    def test_reject_needs_reason(self, client, pending, staff, candidate):
        client.force_login(staff)
        url = reverse("admin:people_identityverification_reject_request", args=[pending.pk])
        response = client.post(url, {"reason": " "})
        assert response.status_code == 200
        assert "驳回实名认证时必须填写原因。" in messages_of(response)
        pending.refresh_from_db()
        assert pending.status == Status.PENDING
        response = client.post(url, {"reason": "证件照片不清晰"})
        assert response.status_code == 302
        pending.refresh_from_db()
        assert pending.status == Status.REJECTED and pending.reason == "证件照片不清晰"
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.UNVERIFIED
        # A decided request offers no more decisions.
        assert client.post(url, {"reason": "again"}).status_code == 403

    def test_staff_without_permission_cannot_decide(self, client, pending, plain_staff):
        client.force_login(plain_staff)
        url = reverse("admin:people_identityverification_approve_request", args=[pending.pk])
        assert client.post(url).status_code == 403
        pending.refresh_from_db()
        assert pending.status == Status.PENDING

    def test_sidebar_item(self, client, staff, plain_staff):
        client.force_login(staff)
        assert "实名认证审核" in client.get(reverse("admin:index")).content.decode()
        client.force_login(plain_staff)
        assert "实名认证审核" not in client.get(reverse("admin:index")).content.decode()
