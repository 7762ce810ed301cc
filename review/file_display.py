"""证书图片的方向: a reviewer turns a sideways photo upright once; every later reviewer (and
the thumbnail) sees it that way. Stored per stored file name (core.models.FileDisplay).
"""

from django.contrib.auth.models import User
from django.db import transaction

from core.audit import log_action
from core.errors import ServiceError
from core.models import FileDisplay
from exam.files import MATERIAL_KINDS, find_file
from exam.models import Application
from people.audit_actions import entry_data
from people.models import Institution
from people.permissions import Perm
from review.selectors import application_list

LOG_FILE_ROTATED = "review.file_rotated"
LOG_LABELS = {LOG_FILE_ROTATED: "调整图片方向"}

# Who may see an application's files: its reviewers and those who verify its materials.
VIEWING_PERMISSIONS = (Perm.REVIEW, Perm.VERIFY)
KIND_LABELS = {"attachment": "附件", "signature": "签名", "candidate-photo": "证件照"}


def _kind_label(kind: str) -> str:
    model = MATERIAL_KINDS.get(kind)
    return model.LABEL if model is not None else KIND_LABELS.get(kind, "图片")


def _may_see(user: User, application: Application) -> bool:
    return any(
        application_list(user=user, business=None, permission=perm)
        .filter(pk=application.pk)
        .exists()
        for perm in VIEWING_PERMISSIONS
    )


def file_rotation_set(
    *,
    actor: User,
    application: Application,
    kind: str,
    obj_id: int,
    rotation: int,
    institution: Institution | None = None,
) -> FileDisplay:
    """Remember `rotation` (0/90/180/270, clockwise) for one file of `application`, which the
    actor must be allowed to see; the file's thumbnail is made again on its next request.
    `institution` (the actor's own) goes into the log row."""
    if rotation not in FileDisplay.ROTATIONS:
        raise ServiceError("旋转角度无效。")
    if not _may_see(actor, application):
        raise ServiceError("您无权查看该申报的材料。")
    field_file = find_file(application, kind, obj_id)
    if not field_file:
        raise ServiceError("文件不存在。")
    with transaction.atomic():
        row, _ = FileDisplay.objects.select_for_update().get_or_create(name=field_file.name)
        before, old_thumbnail = row.rotation, row.thumbnail
        if before == rotation:
            return row
        row.rotation = rotation
        row.thumbnail = ""
        row.save(update_fields=["rotation", "thumbnail", "updated_at"])
        log_action(
            action=LOG_FILE_ROTATED,
            actor=actor,
            subject=application,
            data=entry_data(
                institution=institution,
                from_state=f"{before}°",
                to_state=f"{rotation}°",
                remark=f"{_kind_label(kind)}旋转至{rotation}°",
            ),
        )
        if old_thumbnail:
            storage = field_file.storage
            # The old thumbnail goes once the new rotation is committed.
            transaction.on_commit(lambda: storage.delete(old_thumbnail))
    return row
