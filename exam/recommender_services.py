"""推荐信息 writes (seed 000 §4.3.8): the candidate looks up 推荐医师 / 指导老师 in the
physician registry, uploads their proofs and sends each a QR link; the teacher opens it,
types the code sent by SMS to the phone on the registry record (exam/teacher_identity.py),
accepts the pledge, evaluates the candidate and signs by hand (DESIGN.md: stand-in for face
recognition).

The QR link carries a signed token (pk + a random nonce). A new QR code gets a new nonce,
which revokes the old link (and its codes); signing clears the nonce, so a link works once.

Every write checks permission (the candidate owns the application; a teacher holds the
current nonce), runs in one transaction, keeps Section.data of "recommendation" in step
with the Recommender rows and writes the review log.
"""

import base64
import binascii
import datetime
import io
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_fsm import can_proceed
from PIL import Image, ImageChops, UnidentifiedImageError

from core.audit import log_action
from core.errors import ServiceError, atomic_or_conflict
from exam.audit_actions import (
    LOG_RECOMMENDER_ADDED,
    LOG_RECOMMENDER_INVITED,
    LOG_RECOMMENDER_REMOVED,
    LOG_RECOMMENDER_SIGNED,
)
from exam.eligibility.fact_changes import eligibility_refresh_places
from exam.eligibility.tcm_facts import HOLDING_STATUSES
from exam.models import Application, Attachment, Recommender, Section, StagedUpload
from exam.notices import notify_teacher_signed
from exam.recommendation import teachers_required
from exam.uploads import attach_upload, delete_files_on_commit
from people.audit_actions import entry_data
from people.models import Physician
from people.uploaded_files import PNG, check_upload

Role = Recommender.Role
Status = Recommender.Status

SECTION_CODE = "recommendation"
TOKEN_SALT = "exam.recommender"
# How long a QR link stays valid after it was generated (seconds).
LINK_MAX_AGE: int = getattr(settings, "RECOMMENDER_LINK_MAX_AGE", 7 * 24 * 60 * 60)
MAX_SIGNATURE_BYTES = 1024 * 1024
MAX_SIGNATURE_SIDE = 4000
MAX_TEXT = 2000

LOOKUP_FAILED = (
    "获取失败：需推荐医师（指导老师）所在医疗机构前往“湖北省卫生健康基础资源综合管理系统”"
    "进行人员信息完善，并为人员分配对应标签分组，具体步骤请参照操作手册。"
)
LINK_INVALID = "二维码已失效，请联系考生重新生成。"


def phone_missing_for_candidate(teacher: Recommender) -> str:
    return (
        f"{teacher.get_role_display()}{teacher.name}在医师库中没有登记手机号码，无法接收身份核验"
        "短信。请联系省级卫生健康行政部门在医师库中补充该医师的手机号码后，再生成二维码。"
    )


# What the candidate uploads for each teacher (seed 000 §4.3.8.3): Attachment.kind → label.
# The guide: "上传推荐医师工作证明；推荐老师以及指导老师需上传医师资格证书、执业医师证书及副高职称
# 证书（或工作年限证明）", and for 多年实践 "添加指导老师同样需要上传证明材料、医师资格证、医师执业证",
# so both roles upload all four.
_CERTIFICATES = [
    ("work_proof", "工作证明"),
    ("qualification_certificate", "医师资格证书"),
    ("practice_certificate", "执业医师证书"),
    ("senior_title_or_years", "副高职称证书或工作年限证明"),
]
TEACHER_UPLOADS: dict[str, list[tuple[str, str]]] = {
    Role.RECOMMENDER: _CERTIFICATES,
    Role.SUPERVISOR: _CERTIFICATES,
}
UPLOAD_LABELS = {kind: label for kinds in TEACHER_UPLOADS.values() for kind, label in kinds}


def normalize_id_number(value: str | None) -> str:
    return (value or "").strip().replace(" ", "").upper()


# --- reads shared by the pages -------------------------------------------------------------


def describe(teacher: Recommender) -> str:
    physician = teacher.physician
    facts = "，".join(x for x in (physician.institution_name, physician.title) if x)
    return f"{teacher.name}（{facts}）" if facts else teacher.name


def section_data(application: Application, teachers: list[Recommender]) -> dict[str, Any]:
    """Section.data of 推荐信息 (keys of exam.sections.TCM_SECTION_FIELDS["recommendation"])."""
    needed = teachers_required(application)
    supervisor = next((t for t in teachers if t.role == Role.SUPERVISOR), None)
    return {
        "recommenders": "、".join(describe(t) for t in teachers if t.role == Role.RECOMMENDER),
        "supervisor_required": needed[Role.SUPERVISOR] > 0,
        "supervisor": describe(supervisor) if supervisor else "",
    }


def missing_uploads(teacher: Recommender, kinds: set[str]) -> list[str]:
    return [label for kind, label in TEACHER_UPLOADS[teacher.role] if kind not in kinds]


def _uploaded_kinds(teacher: Recommender) -> set[str]:
    return set(
        Attachment.objects.filter(recommender=teacher, section_code=SECTION_CODE).values_list(
            "kind", flat=True
        )
    )


def proofs_missing_message(teacher: Recommender, missing: list[str]) -> str:
    return (
        f"请先上传{teacher.get_role_display()}{teacher.name}的证明材料"
        f"（尚缺：{'、'.join(missing)}），再生成二维码。"
    )


def section_problems(application: Application, teachers: list[Recommender]) -> list[str]:
    """What keeps the section from being complete: teachers missing, proofs not uploaded.
    (Signing is checked at submission by exam.recommendation.teacher_problems.)"""
    problems = []
    for role, needed in teachers_required(application).items():
        have = sum(1 for t in teachers if t.role == role)
        if have < needed:
            problems.append(f"还需添加{needed - have}名{Role(role).label}")
    kinds_by_teacher: dict[int | None, set[str]] = {}
    for attachment in Attachment.objects.filter(
        application=application, section_code=SECTION_CODE, recommender__isnull=False
    ).only("recommender_id", "kind"):
        kinds_by_teacher.setdefault(attachment.recommender_id, set()).add(attachment.kind)
    for teacher in teachers:
        missing = missing_uploads(teacher, kinds_by_teacher.get(teacher.pk, set()))
        if missing:
            problems.append(f"{teacher.get_role_display()}{teacher.name}未上传{'、'.join(missing)}")
    return problems


def link_is_live(teacher: Recommender) -> bool:
    """A QR link exists and has not expired (the teacher may still use it)."""
    if not teacher.invitation_nonce or teacher.invited_at is None:
        return False
    return timezone.now() - teacher.invited_at < datetime.timedelta(seconds=LINK_MAX_AGE)


def recommender_token(teacher: Recommender) -> str:
    return signing.dumps({"r": teacher.pk, "n": teacher.invitation_nonce}, salt=TOKEN_SALT)


@dataclass(frozen=True)
class TeacherLink:
    """What a QR token leads to: `state` is valid / signed / revoked / expired / invalid."""

    state: str
    recommender: Recommender | None = None
    nonce: str = ""

    @property
    def is_valid(self) -> bool:
        return self.state == "valid"


def recommender_from_token(token: str) -> TeacherLink:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        return TeacherLink("expired")
    except signing.BadSignature:
        return TeacherLink("invalid")
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        return TeacherLink("invalid")
    teacher = (
        Recommender.objects.select_related(
            "application__project", "application__candidate", "physician"
        )
        .filter(pk=payload.get("r"))  # type: ignore[misc]  # no "r": pk=None finds no one
        .first()
    )
    if teacher is None:
        return TeacherLink("invalid")
    nonce = payload["n"]
    if teacher.status == Status.SIGNED:
        return TeacherLink("signed", teacher)
    if not teacher.invitation_nonce or not constant_time_compare(teacher.invitation_nonce, nonce):
        return TeacherLink("revoked", teacher)
    if not link_is_live(teacher):
        return TeacherLink("expired", teacher)
    return TeacherLink("valid", teacher, nonce)


def signature_problem(png: bytes) -> str | None:
    """Why these bytes are not an acceptable hand-drawn signature (None = they are)."""
    if not png:
        return "请在签名框内手写签名。"
    if len(png) > MAX_SIGNATURE_BYTES:
        return "签名图片过大，请清除后重新签名。"
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        return "签名图片格式不正确，请清除后重新签名。"
    damaged = "签名图片已损坏，请清除后重新签名。"
    try:
        with Image.open(io.BytesIO(png)) as image:  # the header only
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return damaged
    if not (0 < width <= MAX_SIGNATURE_SIDE and 0 < height <= MAX_SIGNATURE_SIDE):
        return "签名图片尺寸不正确，请清除后重新签名。"
    try:
        # The one upload check (decodes it whole: a damaged or truncated PNG fails here).
        check_upload(ContentFile(png), kinds=(PNG,), max_image_bytes=MAX_SIGNATURE_BYTES)
    except ValidationError:
        return damaged
    with Image.open(io.BytesIO(png)) as image:
        rgba = image.convert("RGBA")
    # Ink = visible (not transparent) and dark enough (not the white background).
    visible = rgba.getchannel("A").point(lambda a: 255 if a > 32 else 0)
    dark = rgba.convert("RGB").convert("L").point(lambda v: 255 if v < 200 else 0)
    ink = ImageChops.multiply(visible, dark)
    if ink.histogram()[255] < 20:
        return "签名为空，请在签名框内手写签名。"
    return None


def decode_data_url(value: str) -> bytes:
    """The bytes of a `data:image/png;base64,…` URL from the signature canvas (b"" if bad)."""
    prefix = "data:image/png;base64,"
    if not value or not value.startswith(prefix):
        return b""
    try:
        return base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        return b""


# --- candidate side ------------------------------------------------------------------------


def _require_owner(actor: User, application: Application) -> None:
    if not actor.is_authenticated or application.candidate.user_id != actor.pk:
        raise ServiceError("只能操作本人的申报。")


def _lock_for_change(application: Application) -> tuple[Application, Section]:
    """The application and its 推荐信息 section, locked for update, if still changeable."""
    locked = (  # NO KEY UPDATE: see exam.services._locked
        Application.objects.select_for_update(no_key=True)
        .select_related("project", "candidate", "current_institution")
        .get(pk=application.pk)
    )
    if not locked.is_editable_by_candidate:
        raise ServiceError("申报已提交，不能修改。如需修改请先撤回。")
    section = (
        Section.objects.select_for_update().filter(application=locked, code=SECTION_CODE).first()
    )
    if section is None:
        raise ServiceError("该申报没有推荐信息。")
    if section.status == Section.Status.LOCKED:
        raise ServiceError("“推荐信息”已被审核机构锁定，不能修改。")
    return locked, section


def _sync_section(application: Application, section: Section) -> None:
    teachers = list(application.recommenders.select_related("physician"))
    section.data = section_data(application, teachers)
    if not section_problems(application, teachers):
        section.mark_complete()
    elif can_proceed(section.mark_incomplete):
        section.mark_incomplete()
    section.save()


def _log(action: str, actor, application: Application, teacher: Recommender, **kwargs) -> None:
    log_action(
        action=action,
        actor=actor,
        subject=application,
        data=entry_data(
            institution=application.current_institution,
            remark=kwargs.pop("remark", f"{teacher.get_role_display()}{teacher.name}"),
            **kwargs,
        ),
    )


def recommender_add(
    *, actor: User, application: Application, role: str, name: str, id_number: str
) -> Recommender:
    """获取老师: a physician of the registry with this name and ID number, tagged for the
    role, becomes one of the application's teachers (获取成功); otherwise 获取失败."""
    _require_owner(actor, application)
    if role not in Role.values:
        raise ServiceError("请选择医师的类型。")
    name = (name or "").strip()
    number = normalize_id_number(id_number)
    if not name or not number:
        raise ServiceError("请填写老师的姓名和身份证号码。")
    label = Role(role).label
    with atomic_or_conflict():
        locked, section = _lock_for_change(application)
        needed = teachers_required(locked)[role]
        if needed == 0:
            raise ServiceError(f"根据您的实践经历，无需添加{label}。")
        if normalize_id_number(locked.candidate.id_number) == number:
            raise ServiceError(f"不能添加本人作为{label}。")
        physician = Physician.objects.filter(name=name, id_number__iexact=number).first()
        if physician is None or not getattr(physician, f"is_{role}", False):
            raise ServiceError(LOOKUP_FAILED)
        teachers = list(locked.recommenders.all())
        twin = next((t for t in teachers if t.physician_id == physician.pk), None)
        if twin is not None:
            raise ServiceError(
                f"{physician.name}已添加为{twin.get_role_display()}，同一位医师不能重复添加。"
            )
        have = sum(1 for t in teachers if t.role == role)
        if have >= needed:
            raise ServiceError(f"{label}只需{needed}名，已添加{have}名。如需更换，请先删除。")
        teacher = Recommender.objects.create(
            application=locked,
            role=role,
            physician=physician,
            name=physician.name,
            id_number=physician.id_number,
        )
        _log(LOG_RECOMMENDER_ADDED, actor, locked, teacher, to_state=teacher.status)
        _sync_section(locked, section)
        if locked.status in HOLDING_STATUSES:  # 退回修改: it holds its teachers' places
            eligibility_refresh_places(application=locked)
    return teacher


def _own_teacher(actor: User, teacher: Recommender) -> tuple[Application, Section]:
    _require_owner(actor, teacher.application)
    locked, section = _lock_for_change(teacher.application)
    return locked, section


def recommender_remove(*, actor: User, recommender: Recommender) -> None:
    """删除: the teacher, their proofs and signature go (also after signing, while the
    application can still be changed)."""
    with atomic_or_conflict():
        locked, section = _own_teacher(actor, recommender)
        teacher = Recommender.objects.select_for_update().filter(pk=recommender.pk).first()
        if teacher is None or teacher.application_id != locked.pk:
            raise ServiceError("该老师已被删除。")
        files = [a.file for a in teacher.attachments.all()] + [teacher.signature]
        _log(LOG_RECOMMENDER_REMOVED, actor, locked, teacher, from_state=teacher.status)
        key = (teacher.physician_id, teacher.role)
        teacher.attachments.all().delete()
        teacher.delete()
        delete_files_on_commit(files)
        _sync_section(locked, section)
        if locked.status in HOLDING_STATUSES:  # 退回修改: it gives up this teacher's place
            eligibility_refresh_places(application=locked, removed=[key])


def recommender_attachments_save(
    *, actor: User, recommender: Recommender, files: dict[str, Any]
) -> int:
    """The teacher's proofs (TEACHER_UPLOADS): each new file (a StagedUpload cleaned by
    UploadField) replaces the one of its kind. Returns how many were stored."""
    kinds = dict(TEACHER_UPLOADS[recommender.role])
    stored = 0
    with atomic_or_conflict():
        locked, section = _own_teacher(actor, recommender)
        if not Recommender.objects.filter(pk=recommender.pk, application=locked).exists():
            raise ServiceError("该老师已被删除。")
        old_files = []
        for kind, value in files.items():
            if kind not in kinds or not isinstance(value, StagedUpload):
                continue
            old = Attachment.objects.filter(recommender=recommender, kind=kind)
            old_files += [a.file for a in old]
            old.delete()
            attachment = Attachment(
                application=locked,
                section_code=SECTION_CODE,
                recommender=recommender,
                kind=kind,
                label=kinds[kind],
                content_type=value.content_type,
                size=value.size,
            )
            attach_upload(attachment.file, value, stem=kind)
            attachment.save()
            stored += 1
        delete_files_on_commit(old_files)
        _sync_section(locked, section)
    return stored


def recommender_invite(*, actor: User, recommender: Recommender) -> str:
    """生成二维码 / 重新生成二维码: a new nonce (the old QR code stops working); returns the
    token of the new link."""
    with atomic_or_conflict():
        locked, _section = _own_teacher(actor, recommender)
        teacher = (
            Recommender.objects.select_for_update()
            .select_related("physician")
            .filter(pk=recommender.pk)
            .first()
        )
        if teacher is None or teacher.application_id != locked.pk:
            raise ServiceError("该老师已被删除。")
        if teacher.status == Status.SIGNED:
            raise ServiceError(
                "该老师已完成评价和签名，无需再生成二维码。如需更换老师，请删除后重新获取。"
            )
        if not teacher.physician.phone:
            raise ServiceError(phone_missing_for_candidate(teacher))
        # The guide's order: 获取老师 → upload the teacher's proofs → 生成二维码.
        if missing := missing_uploads(teacher, _uploaded_kinds(teacher)):
            raise ServiceError(proofs_missing_message(teacher, missing))
        from_state = teacher.status
        teacher.invite()
        teacher.invitation_nonce = secrets.token_urlsafe(24)
        teacher.invited_at = timezone.now()
        teacher.confirmed_at = None
        teacher.save()
        _log(
            LOG_RECOMMENDER_INVITED,
            actor,
            locked,
            teacher,
            from_state=from_state,
            to_state=teacher.status,
        )
    return recommender_token(teacher)


# --- teacher side (no login: the nonce of the QR link is the permission) -------------------


def lock_teacher_for_link(recommender: Recommender, nonce: str) -> Recommender:
    """The teacher row, locked, if `nonce` is its live QR link and it may still act."""
    teacher = (
        Recommender.objects.select_for_update()
        .select_related("application", "physician")
        .filter(pk=recommender.pk)
        .first()
    )
    if teacher is None:
        raise ServiceError(LINK_INVALID)
    if teacher.status == Status.SIGNED:
        raise ServiceError("您已完成评价和签名，无需重复操作。")
    live = link_is_live(teacher) and constant_time_compare(teacher.invitation_nonce, nonce or "")
    if not live:
        raise ServiceError(LINK_INVALID)
    if not teacher.application.is_editable_by_candidate:
        raise ServiceError("考生的申报已提交，推荐信息不能再修改。")
    return teacher


def recommender_sign(
    *,
    recommender: Recommender,
    nonce: str,
    pledge_accepted: bool,
    evaluation: str,
    opinion: str,
    signature_png_bytes: bytes,
) -> Recommender:
    """推荐承诺书 accepted, 评价 and 意见 written, signed by hand: done. The link is used up."""
    evaluation = (evaluation or "").strip()
    opinion = (opinion or "").strip()
    if not pledge_accepted:
        raise ServiceError("请阅读并勾选推荐承诺书。")
    if not evaluation or not opinion:
        raise ServiceError("请填写对被推荐人的评价和意见。")
    if len(evaluation) > MAX_TEXT or len(opinion) > MAX_TEXT:
        raise ServiceError(f"评价和意见各不超过{MAX_TEXT}字。")
    problem = signature_problem(signature_png_bytes)
    if problem:
        raise ServiceError(problem)
    with atomic_or_conflict():
        teacher = lock_teacher_for_link(recommender, nonce)
        if teacher.status != Status.CONFIRMED:
            raise ServiceError("请先完成身份核验。")
        teacher.sign()
        teacher.pledge_accepted = True
        teacher.evaluation = evaluation
        teacher.opinion = opinion
        teacher.signature.save(
            f"{teacher.application_id}_{teacher.pk}_{uuid.uuid4().hex[:8]}.png",
            ContentFile(signature_png_bytes),
            save=False,
        )
        teacher.signed_at = timezone.now()
        teacher.invitation_nonce = ""
        teacher.save()
        _log(
            LOG_RECOMMENDER_SIGNED,
            None,
            teacher.application,
            teacher,
            from_state=Status.CONFIRMED,
            to_state=teacher.status,
        )
        notify_teacher_signed(teacher=teacher)
    return teacher
