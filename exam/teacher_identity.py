"""身份核验 of a 推荐医师 / 指导老师 (DESIGN.md: the stand-in for face recognition): a
one-time code sent by SMS to the phone number on the physician's registry record (医师库),
which the candidate never sees. Typing the ID number the candidate already knows is gone.

- A code is 6 digits, valid CODE_VALIDITY (10 minutes); only a salted HMAC (SECRET_KEY) of
  it is stored, compared in constant time. The latest code of the current QR link counts;
  a new code or a new QR link voids the old one.
- MAX_CODE_ATTEMPTS (5) wrong codes void the code; the teacher asks for a new one. The link
  itself is not revoked: every new code is a new SMS to the teacher's own phone, limited
  to one a minute and five an hour per recommendation and per phone, and ten a day per
  phone, so guessing is bounded by the phone (at most 50 tries a day against 10⁶ codes).
- Written to the review log: recommender.code_sent, recommender.code_failed,
  recommender.identity_confirmed (the candidate's 审核进度 shows them; the phone masked).
"""

import datetime
import math
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from core.audit import log_action
from core.errors import ServiceError, atomic_or_conflict
from core.masking import mask_phone
from exam.audit_actions import (
    LOG_RECOMMENDER_CODE_FAILED,
    LOG_RECOMMENDER_CODE_SENT,
    LOG_RECOMMENDER_IDENTITY_CONFIRMED,
)
from exam.models import Recommender, RecommenderCode
from exam.recommender_services import lock_teacher_for_link
from people.audit_actions import entry_data
from people.models import SmsMessage, SmsPurpose
from people.sms import send_sms

Status = Recommender.Status

CODE_DIGITS = 6
CODE_VALIDITY = datetime.timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5
RESEND_INTERVAL = datetime.timedelta(minutes=1)
# (how many, within how long): per recommendation, and per phone number.
RECOMMENDATION_LIMITS = [(1, RESEND_INTERVAL), (5, datetime.timedelta(hours=1))]
PHONE_LIMITS = RECOMMENDATION_LIMITS + [(10, datetime.timedelta(days=1))]
_HMAC_SALT = "exam.teacher_identity.code"

PHONE_MISSING = (
    "医师库中没有登记您的手机号码，无法发送验证码。请告知考生：联系省级卫生健康行政部门"
    "在医师库中补充您的手机号码后，重新生成二维码。"
)


def code_digest(*, salt: str, code: str) -> str:
    return salted_hmac(_HMAC_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def sms_text(teacher: Recommender, code: str) -> str:
    candidate = teacher.application.candidate.name
    return (
        f"【湖北卫生人才网】您的身份核验码为{code}，{CODE_VALIDITY.seconds // 60}分钟内有效。"
        f"考生{candidate}邀请您作为{teacher.get_role_display()}进行推荐评价。"
        "请在推荐页面亲自输入，切勿告诉他人（包括考生）。"
    )


def _current_code(teacher: Recommender, *, lock: bool = False) -> RecommenderCode | None:
    codes = RecommenderCode.objects.filter(recommender=teacher, nonce=teacher.invitation_nonce)
    if lock:
        codes = codes.select_for_update()
    return codes.order_by("-created_at", "-id").first()


def _usable(code: RecommenderCode | None, now: datetime.datetime) -> bool:
    return (
        code is not None
        and code.used_at is None
        and code.attempts < MAX_CODE_ATTEMPTS
        and code.expires_at > now
    )


def _wait(times: list[datetime.datetime], limits, now: datetime.datetime) -> float:
    """Seconds until one more send fits every (count, window) limit; `times` newest first."""
    wait = 0.0
    for count, window in limits:
        recent = [t for t in times if t > now - window]
        if len(recent) >= count:
            wait = max(wait, (recent[count - 1] + window - now).total_seconds())
    return wait


def _send_refusal(teacher: Recommender, phone: str, now: datetime.datetime) -> str:
    hour_ago, day_ago = now - datetime.timedelta(hours=1), now - datetime.timedelta(days=1)
    mine = list(
        RecommenderCode.objects.filter(recommender=teacher, created_at__gt=hour_ago)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
    )
    phones = list(
        SmsMessage.objects.filter(
            phone=phone, purpose=SmsPurpose.TEACHER_CODE, created_at__gt=day_ago
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
    )
    wait = max(_wait(mine, RECOMMENDATION_LIMITS, now), _wait(phones, PHONE_LIMITS, now))
    if wait <= 0:
        return ""
    if wait <= RESEND_INTERVAL.total_seconds():
        return f"验证码已发送，请{math.ceil(wait)}秒后再重新获取。"
    if wait <= 3600:
        return f"获取验证码过于频繁，请{math.ceil(wait / 60)}分钟后再试。"
    return "该手机号码今日获取验证码的次数已达上限，请明天再试。"


@dataclass(frozen=True)
class CodeState:
    """What the 身份核验 page shows (a read, no lock)."""

    masked_phone: str
    phone_missing: bool
    code_sent: bool  # a usable code is waiting to be typed
    attempts_left: int
    expires_at: datetime.datetime | None


def code_state(teacher: Recommender) -> CodeState:
    now = timezone.now()
    phone = teacher.physician.phone
    code = _current_code(teacher)
    usable = _usable(code, now)
    return CodeState(
        masked_phone=mask_phone(phone),
        phone_missing=not phone,
        code_sent=usable,
        attempts_left=MAX_CODE_ATTEMPTS - code.attempts if usable else MAX_CODE_ATTEMPTS,
        expires_at=code.expires_at if usable else None,
    )


def _log(action: str, teacher: Recommender, remark: str, **kwargs) -> None:
    application = teacher.application
    log_action(
        action=action,
        actor=None,
        subject=application,
        data=entry_data(
            institution=application.current_institution,
            remark=f"{teacher.get_role_display()}{teacher.name}：{remark}",
            **kwargs,
        ),
    )


def recommender_code_send(*, recommender: Recommender, nonce: str) -> SmsMessage:
    """获取验证码: a new code to the phone on the registry record, within the limits. Returns
    the SMS record (its status is final once the transaction has committed)."""
    with transaction.atomic():
        teacher = lock_teacher_for_link(recommender, nonce)
        if teacher.status == Status.CONFIRMED:
            raise ServiceError("您已通过身份核验，请继续填写评价。")
        phone = teacher.physician.phone
        if not phone:
            raise ServiceError(PHONE_MISSING)
        now = timezone.now()
        refusal = _send_refusal(teacher, phone, now)
        if refusal:
            raise ServiceError(refusal)
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        salt = secrets.token_hex(16)
        message = send_sms(
            phone=phone,
            text=sms_text(teacher, code),
            purpose=SmsPurpose.TEACHER_CODE,
            secret=code,
        )
        RecommenderCode.objects.create(
            recommender=teacher,
            nonce=teacher.invitation_nonce,
            phone=phone,
            salt=salt,
            code_hash=code_digest(salt=salt, code=code),
            created_at=now,
            expires_at=now + CODE_VALIDITY,
            message=message,
        )
        _log(LOG_RECOMMENDER_CODE_SENT, teacher, f"验证码已发送至{mask_phone(phone)}")
    return message


def recommender_confirm_identity(*, recommender: Recommender, nonce: str, code: str) -> None:
    """核验身份: the code of the current link, unused, unexpired, fewer than
    MAX_CODE_ATTEMPTS wrong tries. A wrong code is counted (and logged) and refused."""
    code = (code or "").strip()
    if not code:
        raise ServiceError("请输入短信验证码。")
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        raise ServiceError(f"验证码为{CODE_DIGITS}位数字，请核对短信后重新输入。")
    refusal = ""
    with atomic_or_conflict():
        teacher = lock_teacher_for_link(recommender, nonce)
        if teacher.status == Status.CONFIRMED:
            return
        now = timezone.now()
        current = _current_code(teacher, lock=True)
        if current is None:
            raise ServiceError("请先点击“获取验证码”。")
        if not _usable(current, now):
            raise ServiceError("验证码已失效，请重新获取验证码。")
        if constant_time_compare(code_digest(salt=current.salt, code=code), current.code_hash):
            current.used_at = now
            current.save(update_fields=["used_at"])
            teacher.confirm_identity()
            teacher.confirmed_at = now
            teacher.save()
            _log(
                LOG_RECOMMENDER_IDENTITY_CONFIRMED,
                teacher,
                f"短信验证码核验通过（{mask_phone(current.phone)}）",
                from_state=Status.INVITED,
                to_state=teacher.status,
            )
            return
        current.attempts += 1
        current.save(update_fields=["attempts"])
        left = MAX_CODE_ATTEMPTS - current.attempts
        remark = f"验证码错误（第{current.attempts}次）"
        if left <= 0:
            remark += "，验证码已作废"
            refusal = f"验证码已连续{MAX_CODE_ATTEMPTS}次输入错误，已失效。请重新获取验证码。"
        else:
            refusal = f"验证码错误，还可尝试{left}次。"
        _log(LOG_RECOMMENDER_CODE_FAILED, teacher, remark)
    # Raised after the transaction, so the counted attempt stays counted.
    raise ServiceError(refusal)
