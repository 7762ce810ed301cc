"""Writes for institutions, reviewer accounts, candidates and real-name verification."""

from collections.abc import Iterable

from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed
from guardian.shortcuts import assign_perm, remove_perm

from core.audit import log_action
from core.errors import ServiceError, atomic_or_conflict
from people.audit_actions import (
    LOG_ACCOUNT_ACTIVATED,
    LOG_ACCOUNT_CREATED,
    LOG_ACCOUNT_DEACTIVATED,
    LOG_ACCOUNT_LOGIN_UNLOCKED,
    LOG_ACCOUNT_PASSWORD_RESET,
    LOG_ACCOUNT_PERMS_CHANGED,
    LOG_ACCOUNT_RENAMED,
    LOG_INSTITUTION_CODE_REGENERATED,
    entry_data,
)
from people.identity_attempts import TOO_MANY_AUTO_FAILURES, auto_attempts_left
from people.models import (
    Candidate,
    IdentityVerification,
    IdType,
    Institution,
    ReviewerMembership,
)
from people.models.candidates import validate_id_document
from people.models.institutions import new_confirmation_code
from people.notice_services import notify_identity_decided
from people.permissions import Perm, has_institution_perm
from people.selectors import manages, user_perms_on
from people.tiers import Tier
from people.uploaded_files import IMAGE_KINDS, checked_file

# What an institution's reviewer group may do on its own institution by default.
DEFAULT_GROUP_PERMS = (Perm.REVIEW, Perm.REPORT, Perm.VERIFY, Perm.EXPORT)


def _validation_message(exc: ValidationError) -> str:
    return "；".join(exc.messages)


IDENTITY_DECIDE_PERM = "people.change_identityverification"


def _identity_photo(upload, *, stem: str):
    """The photo through the one upload check, named by its detected type: the candidate's
    file name (`back.pdf` holding a PNG) must not decide how it is stored and served."""
    if not upload:
        return None
    try:
        return checked_file(upload, stem=stem, kinds=IMAGE_KINDS)
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc


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
        if tier == Tier.PROVINCE:
            # 实名认证 requests are not tied to any institution: the province decides them.
            assign_perm(IDENTITY_DECIDE_PERM, group)
    return institution


def reviewer_add(
    *,
    institution: Institution,
    username: str,
    password: str,
    extra_perms: Iterable[Perm] = (),
    full_name: str = "",
) -> User:
    """A reviewer account in one institution: member of its group, plus any extra permissions
    (e.g. 管理) granted to this user alone."""
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, password=password, is_staff=True, first_name=full_name
        )
        ReviewerMembership.objects.create(user=user, institution=institution)
        if institution.reviewer_group_id:
            user.groups.add(institution.reviewer_group_id)
        for perm in extra_perms:
            assign_perm(perm.full, user, institution)
    return user


def institution_regenerate_code(*, actor: User, institution: Institution) -> Institution:
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
        log_action(
            action=LOG_INSTITUTION_CODE_REGENERATED,
            actor=actor,
            subject=locked,
            data=entry_data(institution=locked, from_state=old, to_state=locked.confirmation_code),
        )
    return locked


def candidate_register(*, phone: str, password: str, username: str | None = None) -> Candidate:
    """An account for a candidate: phone number + password (DESIGN: stands in for WeChat)."""
    phone = (phone or "").strip()
    if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        raise ServiceError("请输入11位手机号码。")
    _check_password(password, User(username=username or phone))
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
    actor: User,
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
    if auto_attempts_left(candidate) == 0:
        raise ServiceError(TOO_MANY_AUTO_FAILURES)
    name = (name or "").strip()
    if not name:
        raise ServiceError("请填写姓名。")
    if not front_image or not back_image:
        raise ServiceError("请上传身份证正反面照片。")
    try:
        facts = validate_id_document(IdType.RESIDENT_ID, id_number)
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc
    front_image = _identity_photo(front_image, stem="front")
    back_image = _identity_photo(back_image, stem="back")
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
    actor: User,
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
    front_image = _identity_photo(front_image, stem="front")
    back_image = _identity_photo(back_image, stem="back")
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
    actor: User,
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
    with atomic_or_conflict():
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
        notify_identity_decided(verification=verification)
    return verification


def identity_withdraw(*, actor: User, verification: IdentityVerification) -> IdentityVerification:
    """撤回 a pending manual request, e.g. to redo it as 身份证（自动核验）."""
    if verification.candidate.user_id != actor.pk:
        raise ServiceError("只能撤回本人的认证申请。")
    with atomic_or_conflict():
        if not can_proceed(verification.withdraw):
            raise ServiceError("只有待审核的认证申请可以撤回。")
        verification.withdraw()
        verification.save()
        candidate = verification.candidate
        candidate.identity_status = Candidate.IdentityStatus.UNVERIFIED
        candidate.save(update_fields=["identity_status"])
    return verification


# --- 机构与账号: reviewer accounts managed by an institution's administrators -----------------
#
# Whoever holds 管理 on an institution manages the accounts of that institution and of its
# whole subtree; nobody acts above or beside it. The superuser may do everything. Superuser
# accounts and accounts that belong to no institution are never managed here.

# Their log codes (account.*) are in people/audit_actions.py.

ACTIVE_LABELS = {True: "启用", False: "停用"}


def perm_labels(perms: Iterable[Perm]) -> str:
    """“审核、上报、管理” in the order of `Perm`, or “无”."""
    chosen = set(perms)
    return "、".join(perm.label for perm in Perm if perm in chosen) or "无"


def account_label(user: User) -> str:
    full_name = getattr(user, "first_name", "")
    return f"{user.get_username()}（{full_name}）" if full_name else user.get_username()


def _as_perms(perms: Iterable[Perm | str]) -> set[Perm]:
    result = set()
    for perm in perms:
        try:
            result.add(Perm(perm))
        except ValueError as exc:
            raise ServiceError(f"未知的权限：{perm}。") from exc
    return result


def _require_manages(actor: User, institution: Institution) -> None:
    if not manages(actor, institution):
        raise ServiceError(
            f"您没有“{institution.name}”的管理权限：只能管理本机构及其下级机构的账号。"
        )


def _lock_reviewer(user: User) -> tuple[User, ReviewerMembership]:
    """The account's row, locked, and its membership; refuses superusers and non-reviewers."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_superuser:
        raise ServiceError("系统管理员账号不能在这里管理。")
    membership = (
        ReviewerMembership.objects.select_related("institution").filter(user_id=locked.pk).first()
    )
    if membership is None:
        raise ServiceError(f"“{locked.get_username()}”不是审核人员账号，不能在这里管理。")
    return locked, membership


def _check_password(password: str, user: User) -> None:
    """Django's password validators (settings); their messages come in Chinese (the too-short
    one from locale/, which Django's own zh_Hans catalogue lacks for 5.2)."""
    if not password:
        raise ServiceError("请输入密码。")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(_validation_message(exc)) from exc


def reviewer_account_create(
    *,
    actor: User,
    institution: Institution,
    username: str,
    full_name: str,
    password: str,
    perms: Iterable[Perm | str] = (),
) -> User:
    """创建审核账号 in an institution of the actor's subtree. The account joins the
    institution's reviewer group (its permissions); `perms` are granted to it alone."""
    _require_manages(actor, institution)
    if not institution.is_active:
        raise ServiceError(f"“{institution.name}”已停用，不能创建账号。")
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    if not username:
        raise ServiceError("请填写账号。")
    try:
        # get_field may return a relation in general; the username field is a concrete Field.
        User._meta.get_field(User.USERNAME_FIELD).clean(username, None)  # type: ignore[union-attr]
    except ValidationError as exc:
        raise ServiceError("账号：" + _validation_message(exc)) from exc
    if not full_name:
        raise ServiceError("请填写姓名。")
    max_name = User._meta.get_field("first_name").max_length
    if len(full_name) > max_name:  # type: ignore[operator]  # first_name has a max_length
        raise ServiceError(f"姓名不能超过{max_name}个字符。")
    wanted = _as_perms(perms)
    _check_password(password, User(username=username, first_name=full_name))
    taken = f"账号“{username}”已存在，请换一个账号名。"
    try:
        with transaction.atomic():
            if User.objects.filter(username__iexact=username).exists():
                raise ServiceError(taken)
            user = reviewer_add(
                institution=institution,
                username=username,
                password=password,
                extra_perms=[perm for perm in Perm if perm in wanted],
                full_name=full_name,
            )
            log_action(
                action=LOG_ACCOUNT_CREATED,
                actor=actor,
                subject=institution,
                data=entry_data(
                    institution=institution,
                    to_state=ACTIVE_LABELS[True],
                    remark=f"创建账号 {account_label(user)}；单独授予的权限：{perm_labels(wanted)}",
                ),
            )
    except IntegrityError as exc:
        raise ServiceError(taken) from exc
    return user


def reviewer_account_set_active(*, actor: User, user: User, active: bool) -> User:
    """停用 / 启用 a reviewer account of the actor's subtree (never one's own). A deactivated
    account can no longer log in, and its open sessions end at their next request."""
    if user.pk == actor.pk:
        raise ServiceError("不能停用或启用自己的账号。")
    with transaction.atomic():
        locked, membership = _lock_reviewer(user)
        _require_manages(actor, membership.institution)
        if locked.is_active == active:
            raise ServiceError(f"账号 {account_label(locked)} 已是{ACTIVE_LABELS[active]}状态。")
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        log_action(
            action=LOG_ACCOUNT_ACTIVATED if active else LOG_ACCOUNT_DEACTIVATED,
            actor=actor,
            subject=membership.institution,
            data=entry_data(
                institution=membership.institution,
                from_state=ACTIVE_LABELS[not active],
                to_state=ACTIVE_LABELS[active],
                remark=f"{ACTIVE_LABELS[active]}账号 {account_label(locked)}",
            ),
        )
    user.is_active = active
    return locked


def reviewer_password_reset(*, actor: User, user: User, password: str) -> User:
    """重置密码 of a reviewer account of the actor's subtree, checked by Django's password
    validators (their messages are Chinese). The password itself is never logged."""
    with transaction.atomic():
        locked, membership = _lock_reviewer(user)
        _require_manages(actor, membership.institution)
        _check_password(password, locked)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        log_action(
            action=LOG_ACCOUNT_PASSWORD_RESET,
            actor=actor,
            subject=membership.institution,
            data=entry_data(
                institution=membership.institution,
                remark=f"重置账号 {account_label(locked)} 的密码",
            ),
        )
    return locked


def reviewer_account_rename(*, actor: User, user: User, full_name: str) -> User:
    """修改姓名 of a reviewer account of the actor's subtree (the account import uses it);
    nothing is written or logged when the name does not change."""
    full_name = (full_name or "").strip()
    if not full_name:
        raise ServiceError("请填写姓名。")
    max_name = User._meta.get_field("first_name").max_length
    if len(full_name) > max_name:  # type: ignore[operator]  # first_name has a max_length
        raise ServiceError(f"姓名不能超过{max_name}个字符。")
    with transaction.atomic():
        locked, membership = _lock_reviewer(user)
        _require_manages(actor, membership.institution)
        old = locked.first_name
        if old == full_name:
            return locked
        locked.first_name = full_name
        locked.save(update_fields=["first_name"])
        log_action(
            action=LOG_ACCOUNT_RENAMED,
            actor=actor,
            subject=membership.institution,
            data=entry_data(
                institution=membership.institution,
                from_state=old,
                to_state=full_name,
                remark=f"账号 {locked.get_username()} 的姓名由“{old or '—'}”改为“{full_name}”",
            ),
        )
    user.first_name = full_name
    return locked


def institution_perms_set(
    *,
    actor: User,
    institution: Institution,
    user: User,
    perms: Iterable[Perm | str],
) -> tuple[list[Perm], list[Perm]]:
    """Set the permissions granted to `user` alone on `institution` (the account's own
    institution) to exactly `perms`; what the institution's reviewer group holds stays as it
    is. Returns (granted, revoked); nothing is written or logged when nothing changes."""
    wanted = _as_perms(perms)
    _require_manages(actor, institution)
    if user.pk == actor.pk:
        raise ServiceError("不能修改自己的权限，请联系上级机构的管理员。")
    with transaction.atomic():
        locked, membership = _lock_reviewer(user)
        if membership.institution_id != institution.pk:
            raise ServiceError(
                f"账号 {account_label(locked)} 属于“{membership.institution.name}”，"
                "只能设置其所属机构的权限。"
            )
        current = user_perms_on(locked, institution)
        granted = [perm for perm in Perm if perm in wanted - current]
        revoked = [perm for perm in Perm if perm in current - wanted]
        if not granted and not revoked:
            return [], []
        for perm in granted:
            assign_perm(perm.full, locked, institution)
        for perm in revoked:
            remove_perm(perm.full, locked, institution)
        changes = []
        if granted:
            changes.append(f"授予 {perm_labels(granted)}")
        if revoked:
            changes.append(f"撤销 {perm_labels(revoked)}")
        log_action(
            action=LOG_ACCOUNT_PERMS_CHANGED,
            actor=actor,
            subject=institution,
            data=entry_data(
                institution=institution,
                remark=f"账号 {account_label(locked)}：{'；'.join(changes)}"
                f"（单独授予的权限现为：{perm_labels(wanted)}）",
            ),
        )
    return granted, revoked


def login_lock_release(*, actor: User, usernames: Iterable[str]) -> int:
    """解除锁定: forget the failed logins django-axes counts for these accounts, so they may log
    in at once instead of after the cool-off. Superuser only. Returns the records removed."""
    if not (actor.is_authenticated and actor.is_active and actor.is_superuser):
        raise ServiceError("只有系统管理员可以解除登录锁定。")
    names = sorted({name for name in usernames if name})
    if not names:
        raise ServiceError("请选择要解除锁定的账号。")
    # A reviewer's unlock is logged on the reviewer's institution; a candidate's on none.
    institutions = {
        membership.user.username: membership.institution
        for membership in ReviewerMembership.objects.select_related("user", "institution").filter(
            user__username__in=names
        )
    }
    removed = 0
    with transaction.atomic():
        for name in names:
            removed += axes_reset(username=name)
            log_action(
                action=LOG_ACCOUNT_LOGIN_UNLOCKED,
                actor=actor,
                subject=institutions.get(name),
                data=entry_data(
                    institution=institutions.get(name), remark=f"解除账号 {name} 的登录锁定"
                ),
            )
    return removed
