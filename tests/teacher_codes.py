"""The teacher's SMS code in tests: sent through the real service, read from the outbox
(SmsMessage, OutboxBackend) the way a teacher reads their phone."""

import datetime
import re

from exam import teacher_identity as ti
from exam.models import Recommender, RecommenderCode
from people.models import SmsMessage

CODE_IN_TEXT = re.compile(r"身份核验码为(\d{6})")


def outbox_code(phone: str) -> str:
    """The code in the latest message to `phone`."""
    message = SmsMessage.objects.filter(phone=phone).order_by("-created_at", "-id").first()
    assert message is not None, f"no SMS to {phone}"
    return CODE_IN_TEXT.search(message.text).group(1)


def nonce_of(teacher: Recommender) -> str:
    return Recommender.objects.get(pk=teacher.pk).invitation_nonce


def send_code(teacher: Recommender, nonce: str | None = None) -> str:
    """获取验证码, then the code as the teacher's phone shows it."""
    ti.recommender_code_send(recommender=teacher, nonce=nonce or nonce_of(teacher))
    return outbox_code(teacher.physician.phone)


def confirm_identity(teacher: Recommender, nonce: str | None = None) -> None:
    nonce = nonce or nonce_of(teacher)
    code = send_code(teacher, nonce)
    ti.recommender_confirm_identity(recommender=teacher, nonce=nonce, code=code)


def age_codes(teacher: Recommender, *, minutes: float) -> None:
    """Pretend the teacher's codes and SMS were sent `minutes` earlier (resend limits)."""
    delta = datetime.timedelta(minutes=minutes)
    for code in RecommenderCode.objects.filter(recommender=teacher):
        RecommenderCode.objects.filter(pk=code.pk).update(
            created_at=code.created_at - delta, expires_at=code.expires_at - delta
        )
    for message in SmsMessage.objects.filter(phone=teacher.physician.phone):
        SmsMessage.objects.filter(pk=message.pk).update(created_at=message.created_at - delta)
