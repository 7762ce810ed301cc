"""Shared by the 机构与账号 tests: the units, a strong password, and snapshots of an account's
permissions and log."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from core.models import AuditLogEntry
from people import services
from people.models import (
    InstitutionGroupObjectPermission,
    InstitutionUserObjectPermission,
    ReviewerMembership,
)
from people.permissions import Perm

User = get_user_model()

UNIT_A, UNIT_B, UNIT_C = "U420102001", "U420102002", "U420106001"
STRONG = "Zhang-2026-strong"

CHANGELIST = reverse("admin:people_reviewermembership_changelist")


def snapshot() -> tuple:
    """Everything the account services may write."""
    return (
        list(User.objects.order_by("pk").values_list("pk", "is_active", "password")),
        list(ReviewerMembership.objects.order_by("pk").values_list("pk", "institution_id")),
        sorted(
            InstitutionUserObjectPermission.objects.values_list(
                "user_id", "content_object_id", "permission_id"
            )
        ),
        sorted(
            InstitutionGroupObjectPermission.objects.values_list(
                "group_id", "content_object_id", "permission_id"
            )
        ),
        list(User.groups.through.objects.order_by("pk").values_list("user_id", "group_id")),
        AuditLogEntry.objects.count(),
    )


def colleague(tree, code, username="colleague", extra_perms=()):
    """A plain reviewer of an institution (its group's permissions only)."""
    return services.reviewer_add(
        institution=tree[code],
        username=username,
        password=STRONG,
        extra_perms=extra_perms,
        full_name="李四",
    )


def last_log(action):
    return AuditLogEntry.objects.filter(action=action).latest("created_at", "id")


def user_perms(user, institution) -> set[Perm]:
    return {
        Perm(c)
        for c in InstitutionUserObjectPermission.objects.filter(
            user=user, content_object=institution
        ).values_list("permission__codename", flat=True)
    }
