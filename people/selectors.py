"""Reads for institutions and reviewer accounts: what a manager (管理 permission) may see.

A user with 管理 on an institution manages that institution's whole subtree (its
materialised `path` is a prefix of theirs). Every account screen and service asks here.
"""

from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from people.models import (
    Institution,
    InstitutionGroupObjectPermission,
    InstitutionUserObjectPermission,
    ReviewerMembership,
)
from people.permissions import Perm, institutions_with_perm

User = auth_models.User | AnonymousUser

_BY_CODENAME = {perm.value: perm for perm in Perm}


def manage_roots(user: User) -> list[str] | None:
    """Paths of the subtrees `user` manages (one query); None means everything (superuser).

    Roots lying inside another root are dropped, so the prefix filter stays short."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    paths = sorted(institutions_with_perm(user, Perm.MANAGE).values_list("path", flat=True))
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def subtree_condition(roots: list[str] | None, field: str = "path") -> Q | None:
    """An OR of `path__startswith` over the roots; None means no restriction."""
    if roots is None:
        return None
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(**{f"{field}__startswith": root})
    return condition


def managed_institutions(user: User) -> QuerySet[Institution]:
    """Institutions in the subtrees where `user` holds 管理."""
    condition = subtree_condition(manage_roots(user))
    queryset = Institution.objects.all()
    return queryset if condition is None else queryset.filter(condition)


def manages(user: User, institution: Institution) -> bool:
    """Whether `user` holds 管理 on `institution` or on one of its ancestors."""
    roots = manage_roots(user)
    if roots is None:
        return True
    return any(institution.path.startswith(root) for root in roots)


def _perm_flag(perm: Perm) -> ExpressionWrapper:
    """True when the membership's user holds `perm` on the membership's institution,
    directly or through any of their groups (guardian's semantics)."""
    direct = InstitutionUserObjectPermission.objects.filter(
        user_id=OuterRef("user_id"),
        content_object_id=OuterRef("institution_id"),
        permission__content_type__app_label="people",
        permission__codename=perm.value,
    )
    through_group = InstitutionGroupObjectPermission.objects.filter(
        group__user=OuterRef("user_id"),
        content_object_id=OuterRef("institution_id"),
        permission__content_type__app_label="people",
        permission__codename=perm.value,
    )
    return ExpressionWrapper(Q(Exists(direct)) | Q(Exists(through_group)), BooleanField())


def perm_flag_name(perm: Perm) -> str:
    return f"has_{perm.value}"


def with_perm_flags(queryset: QuerySet[ReviewerMembership]) -> QuerySet[ReviewerMembership]:
    """Annotate `has_<codename>` for the five permissions (subqueries, no per-row queries)."""
    return queryset.annotate(**{perm_flag_name(perm): _perm_flag(perm) for perm in Perm})


def perms_of(membership: ReviewerMembership) -> list[Perm]:
    """The permissions annotated by `with_perm_flags`, in the order of `Perm`."""
    return [perm for perm in Perm if getattr(membership, perm_flag_name(perm), False)]


def reviewer_accounts(user: User) -> QuerySet[ReviewerMembership]:
    """Reviewer accounts of the institutions `user` manages (never superusers' accounts)."""
    queryset = ReviewerMembership.objects.select_related("user", "institution")
    roots = manage_roots(user)
    if roots is None:
        return queryset
    return queryset.filter(subtree_condition(roots, "institution__path"), user__is_superuser=False)


def user_perms_on(user: auth_models.User, institution: Institution) -> set[Perm]:
    """The permissions granted to `user` alone (not through a group) on `institution`."""
    codenames = InstitutionUserObjectPermission.objects.filter(
        user=user, content_object=institution
    ).values_list("permission__codename", flat=True)
    return {_BY_CODENAME[c] for c in codenames if c in _BY_CODENAME}


def group_perms_on(user: auth_models.User, institution: Institution) -> set[Perm]:
    """The permissions `user` holds on `institution` through their groups."""
    codenames = InstitutionGroupObjectPermission.objects.filter(
        group__user=user, content_object=institution
    ).values_list("permission__codename", flat=True)
    return {_BY_CODENAME[c] for c in codenames if c in _BY_CODENAME}
