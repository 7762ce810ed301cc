"""Writes for institutions, reviewer accounts, candidates and real-name verification."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed
from guardian.shortcuts import assign_perm

from people.models import (
    Candidate,
    IdentityVerification,
    IdType,
    Institution,
    ReviewerMembership,
)
from people.models.candidates import validate_id_document
from people.models.institutions import new_confirmation_code
from review import workflow
from review.errors import CONFLICT_MESSAGE, ServiceError
from review.log import log_write
from review.permissions import Perm, has_institution_perm

User = get_user_model()

# What an institution's reviewer group may do on its own institution by default.
DEFAULT_GROUP_PERMS = (Perm.REVIEW, Perm.REPORT, Perm.VERIFY, Perm.EXPORT)


def _validation_message(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def institution_create(
    *,
    code: str,
    name: str,
    tier: str,
    parent: Institution | None,
    division=None,
    credit_code: str = "",
    group_perms: Iterable[Perm] = DEFAULT_GROUP_PERMS,
) -> Institution:
    """Create an institution with its reviewer group holding the default permissions."""
    institution = Institution(
        code=code,
        name=name,
        tier=tier,
        parent=parent,
        division=division,
        credit_code=credit_code,
    )
    try:
        institution.full_clean()
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    with transaction.atomic():
        group = Group.objects.create(name=f"机构审核组 {code}")
        institution.reviewer_group = group
        institution.save()
        for perm in group_perms:
            assign_perm(perm.full, group, institution)
    return institution


def reviewer_add(
    *,
    institution: Institution,
    username: str,
    password: str,
    extra_perms: Iterable[Perm] = (),
    full_name: str = "",
) -> AbstractBaseUser:
    """A reviewer account in one institution: member of its group, plus any extra permissions
    (e.g. 管理) granted to this user alone."""
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, password=password, is_staff=True, first_name=full_name
        )
        ReviewerMembership.objects.create(user=user, institution=institution)
        if institution.reviewer_group_id:
            user.groups.add(institution.reviewer_group)
        for perm in extra_perms:
            assign_perm(perm.full, user, institution)
    return user


def institution_regenerate_code(
    *, actor: AbstractBaseUser, institution: Institution
) -> Institution:
    """重新生成本单位确认码: the old code stops working at once."""
    if not has_institution_perm(actor, Perm.MANAGE, institution):
        raise ServiceError(f"您没有“{institution.name}”的管理权限。")
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        old = locked.confirmation_code
        for _ in range(10):
            locked.confirmation_code = new_confirmation_code()
            if not Institution.objects.filter(confirmation_code=locked.confirmation_code).exists():
                break
        locked.save(update_fields=["confirmation_code"])
        log_write(
            action=workflow.LOG_INSTITUTION_CODE_REGENERATED,
            actor=actor,
            institution=locked,
            from_state=old,
            to_state=locked.confirmation_code,
        )
    return locked


def candidate_register(*, phone: str, password: str, username: str | None = None) -> Candidate:
    """An account for a candidate: phone number + password (DESIGN: stands in for WeChat)."""
    phone = (phone or "").strip()
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        raise ServiceError("请输入11位手机号码。")
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username or phone, password=password)
            return Candidate.objects.create(user=user, phone=phone)
    except IntegrityError as exc:
        raise ServiceError("该手机号码已注册，请直接登录。") from exc


def _apply_identity(candidate: Candidate, verification: IdentityVerification) -> None:
    candidate.name = verification.name
    candidate.id_type = verification.id_type
    candidate.id_number = verification.id_number
    candidate.gender = ""
    candidate.birth_date = None
    facts = validate_id_document(verification.id_type, verification.id_number)
    candidate.birth_date = facts.birth_date
    candidate.gender = facts.gender or ""
    candidate.identity_status = Candidate.IdentityStatus.VERIFIED


def _check_free(candidate: Candidate, id_type: str, number: str) -> None:
    taken = (
        Candidate.objects.filter(id_type=id_type, id_number=number)
        .exclude(pk=candidate.pk)
        .exists()
    )
    if taken:
        raise ServiceError("该证件号码已被其他账号实名认证。如有疑问请联系客服。")


def identity_verify_auto(
    *,
    actor: AbstractBaseUser,
    candidate: Candidate,
    name: str,
    id_number: str,
    front_image=None,
    back_image=None,
) -> IdentityVerification:
    """身份证（自动核验）: checksum, birth date and region code of a resident ID, name and
    photos required; success at once or a precise reason (DESIGN: stands in for OCR)."""
    if candidate.user_id != actor.pk:
        raise ServiceError("只能为本人实名认证。")
    if candidate.is_verified:
        raise ServiceError("您已完成实名认证。")
    name = (name or "").strip()
    if not name:
        raise ServiceError("请填写姓名。")
    if not front_image or not back_image:
        raise ServiceError("请上传身份证正反面照片。")
    try:
        facts = validate_id_document(IdType.RESIDENT_ID, id_number)
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    with transaction.atomic():
        if candidate.verifications.filter(status=IdentityVerification.Status.PENDING).exists():
            raise ServiceError("您有待审核的人工认证申请，请先撤回后再进行自动核验。")
        _check_free(candidate, IdType.RESIDENT_ID, facts.number)
        verification = IdentityVerification.objects.create(
            candidate=candidate,
            method=IdentityVerification.Method.AUTO,
            id_type=IdType.RESIDENT_ID,
            name=name,
            id_number=facts.number,
            front_image=front_image,
            back_image=back_image,
        )
        verification.approve()
        verification.decided_at = timezone.now()
        verification.reason = "自动核验通过"
        verification.save()
        _apply_identity(candidate, verification)
        candidate.save()
    return verification


def identity_request_manual(
    *,
    actor: AbstractBaseUser,
    candidate: Candidate,
    id_type: str,
    name: str,
    id_number: str,
    front_image=None,
    back_image=None,
) -> IdentityVerification:
    """身份证（人工审核） and the other documents: checked for form, then queued for staff."""
    if candidate.user_id != actor.pk:
        raise ServiceError("只能为本人实名认证。")
    if candidate.is_verified:
        raise ServiceError("您已完成实名认证。")
    name = (name or "").strip()
    if not name:
        raise ServiceError("请填写姓名。")
    if not front_image:
        raise ServiceError("请上传证件照片。")
    try:
        facts = validate_id_document(id_type, id_number)
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    with transaction.atomic():
        if candidate.verifications.filter(status=IdentityVerification.Status.PENDING).exists():
            raise ServiceError("您已有待审核的认证申请，请等待审核或先撤回。")
        _check_free(candidate, id_type, facts.number)
        verification = IdentityVerification.objects.create(
            candidate=candidate,
            method=IdentityVerification.Method.MANUAL,
            id_type=id_type,
            name=name,
            id_number=facts.number,
            front_image=front_image,
            back_image=back_image or "",
        )
        candidate.identity_status = Candidate.IdentityStatus.PENDING
        candidate.save(update_fields=["identity_status"])
    return verification


def identity_decide(
    *,
    actor: AbstractBaseUser,
    verification: IdentityVerification,
    approve: bool,
    reason: str = "",
) -> IdentityVerification:
    """Staff approve or reject a manual request (a reason is required to reject)."""
    if not (actor.is_active and actor.has_perm("people.change_identityverification")):
        raise ServiceError("您没有实名认证审核权限。")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ServiceError("驳回实名认证时必须填写原因。")
    try:
        with transaction.atomic():
            if not can_proceed(verification.approve):
                raise ServiceError("该认证申请已处理或已撤回。")
            candidate = Candidate.objects.select_for_update().get(pk=verification.candidate_id)
            if approve:
                _check_free(candidate, verification.id_type, verification.id_number)
                verification.approve()
                _apply_identity(candidate, verification)
            else:
                verification.reject()
                candidate.identity_status = Candidate.IdentityStatus.UNVERIFIED
            verification.reason = reason
            verification.decided_by = actor
            verification.decided_at = timezone.now()
            verification.save()
            candidate.save()
    except ConcurrentTransition as exc:
        raise ServiceError(CONFLICT_MESSAGE) from exc
    return verification


def identity_withdraw(
    *, actor: AbstractBaseUser, verification: IdentityVerification
) -> IdentityVerification:
    """撤回 a pending manual request, e.g. to redo it as 身份证（自动核验）."""
    if verification.candidate.user_id != actor.pk:
        raise ServiceError("只能撤回本人的认证申请。")
    try:
        with transaction.atomic():
            if not can_proceed(verification.withdraw):
                raise ServiceError("只有待审核的认证申请可以撤回。")
            verification.withdraw()
            verification.save()
            candidate = verification.candidate
            candidate.identity_status = Candidate.IdentityStatus.UNVERIFIED
            candidate.save(update_fields=["identity_status"])
    except ConcurrentTransition as exc:
        raise ServiceError(CONFLICT_MESSAGE) from exc
    return verification
