"""Candidate accounts and real-name verification (实名认证) through people.services."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from stdnum.cn import ric

from core.errors import CONFLICT_MESSAGE, ServiceError
from people import services
from people.models import Candidate, IdentityVerification, IdType

pytestmark = pytest.mark.django_db

User = get_user_model()
Status = IdentityVerification.Status


def gb11643(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


RESIDENT_ID = gb11643("42010219900307123")  # 1990-03-07, male
OTHER_DOCUMENTS = {
    IdType.HK_MACAU_PERMIT: "H12345678",
    IdType.TAIWAN_PERMIT: "12345678",
    IdType.RESIDENCE_PERMIT: gb11643("81000019900307124"),
    IdType.PASSPORT: "E12345678",
    IdType.FOREIGN_PERMANENT: gb11643("94284019900101123"),
}


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


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def photo(name: str = "id.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def candidate():
    return services.candidate_register(phone="13900000001", password="secret-123")


@pytest.fixture
def other_candidate():
    return services.candidate_register(phone="13900000002", password="secret-123")


@pytest.fixture
def staff():
    user = User.objects.create_user(username="identity-staff", password="x", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="people", codename="change_identityverification"
        )
    )
    return User.objects.get(pk=user.pk)  # no stale permission cache


def verify_auto(candidate, id_number=RESIDENT_ID, name="张三", **kwargs):
    kwargs.setdefault("front_image", photo("front.png"))
    kwargs.setdefault("back_image", photo("back.png"))
    return services.identity_verify_auto(
        actor=candidate.user, candidate=candidate, name=name, id_number=id_number, **kwargs
    )


def request_manual(candidate, id_type=IdType.PASSPORT, id_number=None, name="李四", **kwargs):
    kwargs.setdefault("front_image", photo("front.png"))
    return services.identity_request_manual(
        actor=candidate.user,
        candidate=candidate,
        id_type=id_type,
        name=name,
        id_number=id_number or OTHER_DOCUMENTS[id_type],
        **kwargs,
    )


def refused(func, *args, **kwargs) -> str:
    with pytest.raises(ServiceError) as info:
        func(*args, **kwargs)
    return info.value.message


# --- candidate_register ------------------------------------------------------------------------


class TestRegister:
    def test_creates_account_and_candidate(self):
        candidate = services.candidate_register(phone=" 13912345678 ", password="secret-123")
        assert candidate.phone == "13912345678"
        assert candidate.user.username == "13912345678"
        assert candidate.user.check_password("secret-123")
        assert candidate.identity_status == Candidate.IdentityStatus.UNVERIFIED

    @pytest.mark.parametrize(
        "phone", ["", "1391234567", "139123456789", "23912345678", "1391234567a"]
    )
    def test_bad_phone(self, phone):
        before = User.objects.count(), Candidate.objects.count()
        message = refused(services.candidate_register, phone=phone, password="secret-123")
        assert message == "请输入11位手机号码。"
        assert (User.objects.count(), Candidate.objects.count()) == before

    def test_duplicate_phone(self, candidate):
        message = refused(services.candidate_register, phone="13900000001", password="other-123")
        assert "已注册" in message
        assert User.objects.filter(username="13900000001").count() == 1
        assert Candidate.objects.filter(phone="13900000001").get() == candidate
        assert candidate.user.check_password("secret-123")

    def test_duplicate_phone_with_another_username_leaves_no_account(self, candidate):
        message = refused(
            services.candidate_register,
            phone="13900000001",
            password="other-123",
            username="someone-else",
        )
        assert "已注册" in message
        assert not User.objects.filter(username="someone-else").exists()
        assert Candidate.objects.filter(phone="13900000001").get() == candidate


# --- identity_verify_auto ----------------------------------------------------------------------


class TestVerifyAuto:
    def test_success(self, candidate, media):
        verification = verify_auto(candidate, id_number=RESIDENT_ID.lower(), name=" 张三 ")

        verification.refresh_from_db()
        assert verification.method == IdentityVerification.Method.AUTO
        assert verification.status == Status.VERIFIED
        assert verification.decided_at is not None
        assert verification.id_number == RESIDENT_ID
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.VERIFIED
        assert candidate.name == "张三"
        assert (candidate.id_type, candidate.id_number) == (IdType.RESIDENT_ID, RESIDENT_ID)
        assert candidate.birth_date == datetime.date(1990, 3, 7)
        assert candidate.gender == "male"
        # Both photos are stored, in the temporary media directory.
        assert verification.front_image.name.startswith(f"candidates/{candidate.pk}/identity/")
        assert len(stored_files(media)) == 2

    @pytest.mark.parametrize(
        ("id_number", "reason"),
        [
            (RESIDENT_ID[:17] + ("0" if RESIDENT_ID[17] != "0" else "1"), "校验位错误"),
            (gb11643("42010219900230123"), "出生日期不存在"),
            (gb11643("00000019900307123"), "行政区划代码"),
            ("420102900307123", "已停止使用"),
        ],
    )
    def test_bad_id_gives_the_reason_and_writes_nothing(self, candidate, media, id_number, reason):
        assert reason in refused(verify_auto, candidate, id_number=id_number)
        assert not candidate.verifications.exists()
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.UNVERIFIED
        assert candidate.id_number == "" and candidate.name == ""
        assert stored_files(media) == []

    @pytest.mark.parametrize("missing", ["front_image", "back_image"])
    def test_photos_required(self, candidate, missing):
        assert "正反面照片" in refused(verify_auto, candidate, **{missing: None})
        assert not candidate.verifications.exists()

    def test_name_required(self, candidate):
        assert "姓名" in refused(verify_auto, candidate, name="  ")
        assert not candidate.verifications.exists()

    def test_only_for_oneself(self, candidate, other_candidate):
        message = refused(
            services.identity_verify_auto,
            actor=other_candidate.user,
            candidate=candidate,
            name="张三",
            id_number=RESIDENT_ID,
            front_image=photo(),
            back_image=photo(),
        )
        assert "本人" in message
        assert not candidate.verifications.exists()

    def test_id_verified_by_another_candidate(self, candidate, other_candidate):
        verify_auto(candidate)
        assert "已被其他账号实名认证" in refused(verify_auto, other_candidate)
        assert not other_candidate.verifications.exists()
        other_candidate.refresh_from_db()
        assert other_candidate.identity_status == Candidate.IdentityStatus.UNVERIFIED
        assert other_candidate.id_number == ""

    def test_already_verified(self, candidate):
        verify_auto(candidate)
        candidate.refresh_from_db()
        assert "已完成实名认证" in refused(verify_auto, candidate)
        assert candidate.verifications.count() == 1

    def test_refused_while_a_manual_request_is_pending(self, candidate):
        request_manual(candidate)
        candidate.refresh_from_db()
        assert "待审核的人工认证申请" in refused(verify_auto, candidate)
        assert candidate.verifications.get().status == Status.PENDING
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.PENDING


# --- identity_request_manual -------------------------------------------------------------------


class TestRequestManual:
    @pytest.mark.parametrize("id_type", list(OTHER_DOCUMENTS))
    def test_other_documents_go_to_manual_review(self, candidate, id_type):
        verification = request_manual(candidate, id_type=id_type)
        verification.refresh_from_db()
        assert verification.method == IdentityVerification.Method.MANUAL
        assert verification.status == Status.PENDING
        assert (verification.id_type, verification.id_number) == (
            id_type,
            OTHER_DOCUMENTS[id_type],
        )
        assert verification.back_image.name == ""
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.PENDING
        assert candidate.id_number == ""  # set only when staff approve

    def test_number_normalised(self, candidate):
        verification = request_manual(candidate, id_number="e1234-5678")
        assert verification.id_number == "E12345678"

    def test_bad_number_refused_with_reason(self, candidate, media):
        message = refused(request_manual, candidate, id_type=IdType.HK_MACAU_PERMIT, id_number="C1")
        assert "H或M加8位数字" in message
        assert not candidate.verifications.exists()
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.UNVERIFIED
        assert stored_files(media) == []

    def test_photo_required(self, candidate):
        assert "证件照片" in refused(request_manual, candidate, front_image=None)
        assert not candidate.verifications.exists()

    def test_second_request_while_pending_refused(self, candidate):
        request_manual(candidate)
        message = refused(request_manual, candidate, id_type=IdType.TAIWAN_PERMIT)
        assert "已有待审核" in message
        assert candidate.verifications.count() == 1


# --- identity_decide ---------------------------------------------------------------------------


class TestDecide:
    def test_approve(self, candidate, staff):
        verification = request_manual(candidate, id_type=IdType.RESIDENCE_PERMIT, name="陈大文")
        services.identity_decide(actor=staff, verification=verification, approve=True)

        verification.refresh_from_db()
        assert verification.status == Status.VERIFIED
        assert verification.decided_by == staff
        assert verification.decided_at is not None
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.VERIFIED
        assert candidate.name == "陈大文"
        assert candidate.id_type == IdType.RESIDENCE_PERMIT
        assert candidate.id_number == OTHER_DOCUMENTS[IdType.RESIDENCE_PERMIT]
        assert (candidate.birth_date, candidate.gender) == (datetime.date(1990, 3, 7), "female")

    def test_approve_passport_leaves_birth_and_gender_empty(self, candidate, staff):
        verification = request_manual(candidate, id_type=IdType.PASSPORT)
        services.identity_decide(actor=staff, verification=verification, approve=True)
        candidate.refresh_from_db()
        assert candidate.is_verified
        assert (candidate.birth_date, candidate.gender) == (None, "")

    def test_reject_requires_a_reason(self, candidate, staff):
        verification = request_manual(candidate)
        message = refused(
            services.identity_decide,
            actor=staff,
            verification=verification,
            approve=False,
            reason="  ",
        )
        assert "必须填写原因" in message
        verification.refresh_from_db()
        assert verification.status == Status.PENDING
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.PENDING

    def test_reject(self, candidate, staff):
        verification = request_manual(candidate)
        services.identity_decide(
            actor=staff, verification=verification, approve=False, reason="照片不清晰"
        )
        verification.refresh_from_db()
        assert verification.status == Status.REJECTED
        assert verification.reason == "照片不清晰"
        assert verification.decided_by == staff
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.UNVERIFIED
        assert candidate.id_number == ""

    def test_candidate_may_try_again_after_rejection(self, candidate, staff):
        verification = request_manual(candidate)
        services.identity_decide(
            actor=staff, verification=verification, approve=False, reason="照片不清晰"
        )
        candidate.refresh_from_db()
        verify_auto(candidate)
        candidate.refresh_from_db()
        assert candidate.is_verified

    def test_without_permission(self, candidate):
        reviewer = User.objects.create_user(username="plain-staff", password="x", is_staff=True)
        verification = request_manual(candidate)
        message = refused(
            services.identity_decide, actor=reviewer, verification=verification, approve=True
        )
        assert "没有实名认证审核权限" in message
        verification.refresh_from_db()
        assert verification.status == Status.PENDING
        assert verification.decided_by is None

    def test_inactive_staff_refused(self, candidate, staff):
        staff.is_active = False
        staff.save()
        verification = request_manual(candidate)
        assert "权限" in refused(
            services.identity_decide, actor=staff, verification=verification, approve=True
        )

    @pytest.mark.parametrize("first", [True, False])
    def test_deciding_twice_refused(self, candidate, staff, first):
        verification = request_manual(candidate)
        services.identity_decide(
            actor=staff, verification=verification, approve=first, reason="第一次"
        )
        for again in (verification, IdentityVerification.objects.get(pk=verification.pk)):
            message = refused(
                services.identity_decide,
                actor=staff,
                verification=again,
                approve=not first,
                reason="第二次",
            )
            assert "已处理或已撤回" in message
        verification.refresh_from_db()
        assert verification.reason == "第一次"
        assert verification.status == (Status.VERIFIED if first else Status.REJECTED)

    def test_stale_copy_loses(self, candidate, staff):
        """Two staff open the same request; the second decision is refused, nothing changes."""
        verification = request_manual(candidate)
        stale = IdentityVerification.objects.get(pk=verification.pk)
        services.identity_decide(actor=staff, verification=verification, approve=True)
        message = refused(
            services.identity_decide,
            actor=staff,
            verification=stale,
            approve=False,
            reason="迟到的驳回",
        )
        assert message == CONFLICT_MESSAGE
        verification.refresh_from_db()
        assert verification.status == Status.VERIFIED
        candidate.refresh_from_db()
        assert candidate.is_verified

    def test_approve_refused_when_the_document_was_verified_meanwhile(
        self, candidate, other_candidate, staff
    ):
        first = request_manual(candidate)
        second = request_manual(other_candidate)  # same passport number, both pending
        services.identity_decide(actor=staff, verification=first, approve=True)
        message = refused(services.identity_decide, actor=staff, verification=second, approve=True)
        assert "已被其他账号实名认证" in message
        second.refresh_from_db()
        assert second.status == Status.PENDING
        other_candidate.refresh_from_db()
        assert other_candidate.identity_status == Candidate.IdentityStatus.PENDING
        assert other_candidate.id_number == ""


# --- identity_withdraw -------------------------------------------------------------------------


class TestWithdraw:
    def test_withdraw_then_verify_automatically(self, candidate):
        verification = request_manual(candidate)
        services.identity_withdraw(actor=candidate.user, verification=verification)

        verification.refresh_from_db()
        assert verification.status == Status.WITHDRAWN
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.UNVERIFIED

        verify_auto(candidate)
        candidate.refresh_from_db()
        assert candidate.is_verified
        assert candidate.id_number == RESIDENT_ID
        assert list(candidate.verifications.values_list("status", flat=True)) == [
            Status.VERIFIED,
            Status.WITHDRAWN,
        ]

    @pytest.mark.parametrize("approve", [True, False])
    def test_decided_request_cannot_be_withdrawn(self, candidate, staff, approve):
        verification = request_manual(candidate)
        services.identity_decide(
            actor=staff, verification=verification, approve=approve, reason="已审核"
        )
        message = refused(
            services.identity_withdraw,
            actor=candidate.user,
            verification=IdentityVerification.objects.get(pk=verification.pk),
        )
        assert "只有待审核" in message
        verification.refresh_from_db()
        assert verification.status == (Status.VERIFIED if approve else Status.REJECTED)
        candidate.refresh_from_db()
        assert candidate.is_verified is approve

    def test_withdrawing_twice_refused(self, candidate):
        verification = request_manual(candidate)
        services.identity_withdraw(actor=candidate.user, verification=verification)
        assert "只有待审核" in refused(
            services.identity_withdraw, actor=candidate.user, verification=verification
        )

    def test_another_user_cannot_withdraw(self, candidate, other_candidate, staff):
        verification = request_manual(candidate)
        for intruder in (other_candidate.user, staff):
            message = refused(services.identity_withdraw, actor=intruder, verification=verification)
            assert "本人" in message
        verification.refresh_from_db()
        assert verification.status == Status.PENDING
        candidate.refresh_from_db()
        assert candidate.identity_status == Candidate.IdentityStatus.PENDING
