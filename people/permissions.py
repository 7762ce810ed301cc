"""Object permissions on Institution (django-guardian, direct foreign-key tables).

A reviewer's institution group holds these permissions on that institution. Global
(model-level) permissions never count: `accept_global_perms=False` everywhere.
"""

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from people.models import Institution
from people.tiers import Tier

User = AbstractBaseUser | AnonymousUser


class Perm(StrEnum):
    REVIEW = "review_applications"
    REPORT = "report_applications"
    VERIFY = "verify_materials"
    EXPORT = "export_data"
    MANAGE = "manage_institution"
    # Exports show ID numbers and phones masked; this one unmasks them (PIPL: sensitive data).
    EXPORT_FULL_ID = "export_full_id"

    @property
    def full(self) -> str:
        return f"people.{self.value}"

    @property
    def label(self) -> str:
        return PERM_LABELS[self]


PERM_LABELS = {
    Perm.REVIEW: "审核",
    Perm.REPORT: "上报",
    Perm.VERIFY: "核验",
    Perm.EXPORT: "导出",
    Perm.MANAGE: "管理",
    Perm.EXPORT_FULL_ID: "导出完整证件号码",
}


def has_institution_perm(user: User, perm: Perm, institution: Institution) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return ObjectPermissionChecker(user).has_perm(perm.value, institution)


def institutions_with_perm(user: User, perm: Perm) -> QuerySet[Institution]:
    """Institutions on which the user holds `perm` directly or through a group."""
    if not user.is_authenticated or not user.is_active:
        return Institution.objects.none()
    return get_objects_for_user(
        user, perm.full, klass=Institution, accept_global_perms=False, with_superuser=True
    )


def is_provincial_user(user: User) -> bool:
    """people.access.is_provincial_staff for a user without a request (services, jobs):
    an active staff user with 管理 on the province, or the superuser."""
    if not (user.is_authenticated and user.is_active and getattr(user, "is_staff", False)):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return institutions_with_perm(user, Perm.MANAGE).filter(tier=Tier.PROVINCE).exists()
