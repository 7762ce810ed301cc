"""The teacher's SMS code (exam/teacher_identity.py): hashed, 10 minutes, 5 tries, resend
limits per recommendation and per phone, a missing phone, what is logged."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from core.models import AuditLogEntry
from exam import recommender_services as rs
from exam import teacher_identity as ti
from exam.audit_actions import (
    LOG_RECOMMENDER_CODE_FAILED,
    LOG_RECOMMENDER_CODE_SENT,
    LOG_RECOMMENDER_IDENTITY_CONFIRMED,
)
from exam.models import Recommender, RecommenderCode
from people.models import SmsMessage
from people.sms.backends import SmsBackend, SmsDeliveryError
from tests.builders import new_application, teacher_proofs
from tests.factories import PhysicianFactory
from tests.teacher_codes import age_codes, confirm_identity, nonce_of, outbox_code, send_code

pytestmark = pytest.mark.django_db

Status = Recommender.Status


@pytest.fixture
def app(tree, tcm_project):
    return new_application(tcm_project, tree["420102"], track="apprenticeship")


def add(application, physician=None, role="recommender") -> Recommender:
    physician = physician or PhysicianFactory()
    return rs.recommender_add(
        actor=application.candidate.user,
        application=application,
        role=role,
        name=physician.name,
        id_number=physician.id_number,
    )


def invite(teacher) -> str:
    if not teacher.attachments.exists():
        teacher_proofs(teacher)
    return rs.recommender_invite(actor=teacher.application.candidate.user, recommender=teacher)


def confirm(teacher, code):
    ti.recommender_confirm_identity(recommender=teacher, nonce=nonce_of(teacher), code=code)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def status(teacher) -> str:
    return Recommender.objects.get(pk=teacher.pk).status


def test_the_code_goes_to_the_registry_phone_and_is_stored_hashed(app):
    teacher = add(app, PhysicianFactory(phone="13812341234"))
    invite(teacher)
    code = send_code(teacher)
    assert len(code) == 6 and code.isdigit()
    message = SmsMessage.objects.get()
    assert message.phone == "13812341234" and message.purpose == "teacher_code"
    assert app.candidate.name in message.text and "切勿告诉他人" in message.text
    stored = RecommenderCode.objects.get()
    assert code not in (stored.code_hash, stored.salt) and len(stored.code_hash) == 64
    assert stored.code_hash == ti.code_digest(salt=stored.salt, code=code)
    assert stored.expires_at - stored.created_at == datetime.timedelta(minutes=10)
    assert stored.message == message
    # Logged with the phone masked, never the code.
    log = AuditLogEntry.objects.get(action=LOG_RECOMMENDER_CODE_SENT)
    assert "138****1234" in log.remark and code not in log.remark
    assert "13812341234" not in log.remark
    confirm(teacher, code)
    assert status(teacher) == Status.CONFIRMED
    confirmed = AuditLogEntry.objects.get(action=LOG_RECOMMENDER_IDENTITY_CONFIRMED)
    assert confirmed.to_state == Status.CONFIRMED and code not in confirmed.remark
    # Used once: the same code cannot confirm again after a new link.
    invite(teacher)
    with pytest.raises(ServiceError, match="请先点击“获取验证码”"):
        confirm(teacher, code)


def test_a_code_is_valid_ten_minutes(app):
    teacher = add(app)
    invite(teacher)
    code = send_code(teacher)
    age_codes(teacher, minutes=10.01)
    with pytest.raises(ServiceError, match="验证码已失效，请重新获取验证码"):
        confirm(teacher, code)
    assert not ti.code_state(teacher).code_sent
    new = send_code(teacher)
    confirm(teacher, new)
    assert status(teacher) == Status.CONFIRMED


def test_five_wrong_codes_void_the_code_not_the_link(app):
    teacher = add(app)
    token = invite(teacher)
    code = send_code(teacher)
    for left in (4, 3, 2, 1):
        with pytest.raises(ServiceError, match=f"验证码错误，还可尝试{left}次"):
            confirm(teacher, wrong(code))
    with pytest.raises(ServiceError, match="已连续5次输入错误，已失效"):
        confirm(teacher, wrong(code))
    with pytest.raises(ServiceError, match="验证码已失效"):
        confirm(teacher, code)
    assert status(teacher) == Status.INVITED
    failed = AuditLogEntry.objects.filter(action=LOG_RECOMMENDER_CODE_FAILED)
    assert failed.count() == 5 and "验证码已作废" in failed.order_by("id").last().remark
    assert rs.recommender_from_token(token).is_valid
    age_codes(teacher, minutes=1)
    confirm(teacher, send_code(teacher))
    assert status(teacher) == Status.CONFIRMED


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "１２３４５６"])
def test_malformed_codes_are_refused_and_not_counted(app, typed):
    teacher = add(app)
    invite(teacher)
    send_code(teacher)
    with pytest.raises(ServiceError, match="请输入短信验证码|验证码为6位数字"):
        confirm(teacher, typed)
    assert RecommenderCode.objects.get().attempts == 0
    assert not AuditLogEntry.objects.filter(action=LOG_RECOMMENDER_CODE_FAILED).exists()


def test_a_new_code_or_a_new_link_voids_the_old_code(app):
    teacher = add(app)
    invite(teacher)
    first = send_code(teacher)
    age_codes(teacher, minutes=1)
    second = send_code(teacher)
    if first != second:
        with pytest.raises(ServiceError, match="验证码错误"):
            confirm(teacher, first)
    invite(teacher)  # the candidate generates a new QR code
    with pytest.raises(ServiceError, match="请先点击“获取验证码”"):
        confirm(teacher, second)


def test_resend_once_a_minute_and_five_an_hour_per_recommendation(app):
    teacher = add(app)
    invite(teacher)
    send_code(teacher)
    with pytest.raises(ServiceError, match=r"验证码已发送，请\d+秒后再重新获取"):
        send_code(teacher)
    for _ in range(4):
        age_codes(teacher, minutes=1)
        send_code(teacher)
    age_codes(teacher, minutes=1)
    with pytest.raises(ServiceError, match=r"获取验证码过于频繁，请\d+分钟后再试"):
        send_code(teacher)
    # A new QR code does not reset the count.
    invite(teacher)
    with pytest.raises(ServiceError, match="过于频繁"):
        send_code(teacher)
    assert SmsMessage.objects.count() == 5
    age_codes(teacher, minutes=60)
    send_code(teacher)
    assert SmsMessage.objects.count() == 6


def test_limits_per_phone_across_recommendations(app, tree, tcm_project):
    phone = "13912340000"
    teacher = add(app, PhysicianFactory(phone=phone))
    other_app = new_application(tcm_project, tree["420102"], track="apprenticeship")
    other = add(other_app, PhysicianFactory(phone=phone))
    invite(teacher)
    invite(other)
    send_code(teacher)
    with pytest.raises(ServiceError, match="秒后再重新获取"):
        send_code(other)
    # Ten a day per phone, whatever the recommendation.
    SmsMessage.objects.all().delete()
    RecommenderCode.objects.all().delete()
    earlier = timezone.now() - datetime.timedelta(hours=2)
    SmsMessage.objects.bulk_create(
        [SmsMessage(phone=phone, text="…", purpose="teacher_code", backend="x") for _ in range(10)]
    )
    SmsMessage.objects.update(created_at=earlier)
    with pytest.raises(ServiceError, match="今日获取验证码的次数已达上限"):
        send_code(other)
    SmsMessage.objects.update(created_at=earlier - datetime.timedelta(days=1))
    send_code(other)


def test_a_registry_record_without_a_phone(client, app):
    physician = PhysicianFactory()
    teacher = add(app, physician)
    token = invite(teacher)
    physician.phone = ""
    physician.save()
    # The teacher's page says so, and sends nothing.
    identity = reverse("recommend:identity", args=[token])
    html = client.get(identity).content.decode()
    assert "医师库中没有登记您的手机号码" in html and 'id="send-form"' not in html
    response = client.post(identity, {"action": "send"})
    assert response.status_code == 400
    assert "医师库中没有登记您的手机号码" in response.content.decode()
    assert not SmsMessage.objects.exists()
    # The candidate is told what to do, and cannot generate a new QR code meanwhile.
    client.force_login(app.candidate.user)
    page = client.get(reverse("apply:section", args=[app.pk, "recommendation"]))
    message = rs.phone_missing_for_candidate(teacher)
    assert "请联系省级卫生健康行政部门在医师库中补充该医师的手机号码" in message
    assert message in page.content.decode()
    with pytest.raises(ServiceError, match="没有登记手机号码"):
        invite(teacher)


class GatewayDown(SmsBackend):
    def deliver(self, *, phone: str, text: str) -> None:
        raise SmsDeliveryError("网关无响应")


@pytest.mark.django_db(transaction=True)  # delivery runs when the transaction commits
def test_a_failed_delivery_is_shown_to_the_teacher(client, app, settings):
    settings.SMS_BACKEND = f"{__name__}.GatewayDown"
    teacher = add(app)
    token = invite(teacher)
    identity = reverse("recommend:identity", args=[token])
    response = client.post(identity, {"action": "send"})
    assert response.status_code == 400
    assert "短信发送失败，请1分钟后重新获取验证码。" in response.content.decode()
    message = SmsMessage.objects.get()
    assert message.status == SmsMessage.Status.FAILED and message.error == "网关无响应"
    # The gateway backend does not keep the code in the record.
    assert "******" in message.text


def test_confirmed_teacher_gets_no_more_codes(app):
    teacher = add(app)
    invite(teacher)
    confirm_identity(teacher)
    age_codes(teacher, minutes=1)
    with pytest.raises(ServiceError, match="您已通过身份核验"):
        send_code(teacher)
    assert outbox_code(teacher.physician.phone)  # the first one only
    assert SmsMessage.objects.count() == 1
