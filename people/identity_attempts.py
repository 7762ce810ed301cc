"""Failed 身份证（自动核验） attempts (seed 000 §2 C04): each is kept as a rejected automatic
IdentityVerification, so the count survives logins and staff can see what was tried. After
AUTO_ATTEMPT_LIMIT failures the candidate is sent to 身份证（人工审核）."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from core.errors import ServiceError
from people.models import Candidate, IdentityVerification, IdType

AUTO_ATTEMPT_LIMIT = 3
TOO_MANY_AUTO_FAILURES = (
    f"身份证自动核验已失败{AUTO_ATTEMPT_LIMIT}次，不能再自动核验。"
    "请改用“身份证（人工审核）”，上传身份证照片后由工作人员审核。"
)


def auto_failures(candidate: Candidate) -> int:
    """Failed automatic attempts of the candidate."""
    return candidate.verifications.filter(
        method=IdentityVerification.Method.AUTO,
        status=IdentityVerification.Status.REJECTED,
    ).count()


def auto_attempts_left(candidate: Candidate) -> int:
    return max(0, AUTO_ATTEMPT_LIMIT - auto_failures(candidate))


def identity_auto_failure_record(
    *, actor: AbstractBaseUser, candidate: Candidate, name: str, id_number: str, reason: str
) -> IdentityVerification:
    """Keep one failed automatic attempt (what was typed, why it failed; no photos)."""
    if candidate.user_id != actor.pk:
        raise ServiceError("只能为本人实名认证。")
    with transaction.atomic():
        # Serialises a candidate's concurrent attempts, so the count cannot be outrun.
        Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
        attempt = IdentityVerification.objects.create(
            candidate=candidate,
            method=IdentityVerification.Method.AUTO,
            id_type=IdType.RESIDENT_ID,
            name=(name or "").strip()[:64],
            id_number=(id_number or "").strip()[:32],
        )
        attempt.reject()
        attempt.reason = reason[:255]
        attempt.decided_at = timezone.now()
        attempt.save()
    return attempt
