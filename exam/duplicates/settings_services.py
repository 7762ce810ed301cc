"""A project's 查重 settings: provincial staff set the text threshold (the admin's 查重设置
saves through here). A change is logged and re-matches the project's stored text
signatures in the background (no text is re-indexed: the bands serve every threshold from
LOWEST_THRESHOLD up)."""

from __future__ import annotations

from django.contrib.auth.models import User

from core.audit import log_action
from core.errors import ServiceError, atomic_or_conflict
from exam.audit_actions import LOG_DUPLICATE_SETTINGS_CHANGED
from exam.duplicates.models import DuplicateSettings
from exam.duplicates.text_hooks import rematch_on_commit
from exam.duplicates.texts import LOWEST_THRESHOLD
from exam.models import ExamProject
from people.audit_actions import entry_data
from people.models import Institution
from people.permissions import is_provincial_user
from people.tiers import Tier

NOT_ALLOWED = "只有省级管理人员可以修改查重设置。"
OUT_OF_RANGE = f"文字相似度阈值应为{LOWEST_THRESHOLD}至100之间的整数（%）。"


def threshold_problem(value: object) -> str:
    """Why `value` cannot be a text threshold ("" when it can)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return OUT_OF_RANGE
    return "" if LOWEST_THRESHOLD <= value <= 100 else OUT_OF_RANGE


def duplicate_settings_update(
    *, actor: User, project: ExamProject, text_threshold: int
) -> DuplicateSettings:
    """Set the project's text threshold (provincial staff only): one audit row with the
    value before and after, and the project's text matches found again once it commits.
    The same value again changes nothing."""
    if not is_provincial_user(actor):
        raise ServiceError(NOT_ALLOWED)
    problem = threshold_problem(text_threshold)
    if problem:
        raise ServiceError(problem)
    with atomic_or_conflict():
        settings, _ = DuplicateSettings.objects.select_for_update().get_or_create(project=project)
        before = settings.text_threshold  # the default when the project had no settings yet
        if before == text_threshold:
            return settings
        settings.text_threshold = text_threshold
        settings.save()
        province = Institution.objects.filter(tier=Tier.PROVINCE).order_by("pk").first()
        log_action(
            action=LOG_DUPLICATE_SETTINGS_CHANGED,
            actor=actor,
            subject=province,  # the province's staff find it in 审核日志
            data={
                **entry_data(
                    institution=province,
                    remark=(
                        f"{project.name}：文字相似度阈值 {before}% → {text_threshold}%；"
                        "已开始按新阈值重新比对"
                    ),
                ),
                "project": project.pk,
                "changes": {"text_threshold": {"from": before, "to": text_threshold}},
            },
        )
        rematch_on_commit(project.pk)
    return settings
