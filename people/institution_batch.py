"""Creating many institutions at once (the province tree's ~100 county health bureaus,
people/province_tree.py).

`people.services.institution_create` makes one institution in about twenty queries (full
validation, its reviewer group, one guardian call per permission); the test suite builds the
tree again after every transactional test, so the tree's bureaus are made here in a few
bulk queries instead: the same rows, the same rules.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import ServiceError
from people.models import Division, Institution, InstitutionGroupObjectPermission
from people.permissions import Perm
from people.services import DEFAULT_GROUP_PERMS
from people.tiers import Tier


@dataclass(frozen=True)
class NewInstitution:
    code: str
    name: str
    tier: str
    parent: Institution
    division: Division | None = None


def institution_create_many(
    *, rows: Iterable[NewInstitution], group_perms: Iterable[Perm] = DEFAULT_GROUP_PERMS
) -> list[Institution]:
    """Institutions below existing parents, each with its reviewer group holding
    `group_perms` on it, as `institution_create` makes them. All or nothing."""
    institutions = []
    for row in rows:
        if row.tier == Tier.PROVINCE:  # the province also decides 实名认证: one at a time
            raise ServiceError("省级机构请逐个创建。")
        institution = Institution(
            code=row.code, name=row.name, tier=row.tier, parent=row.parent, division=row.division
        )
        try:
            institution.clean()  # the tier rules; uniqueness is the database's
        except ValidationError as exc:
            raise ServiceError("；".join(exc.messages)) from exc
        institution.compute_path()  # bulk_create does not call save()
        institutions.append(institution)
    if not institutions:
        return []
    content_type = ContentType.objects.get_for_model(Institution)
    permissions = list(
        Permission.objects.filter(
            content_type=content_type, codename__in=[p.value for p in group_perms]
        )
    )
    with transaction.atomic():
        groups = Group.objects.bulk_create(
            [Group(name=f"机构审核组 {i.code}") for i in institutions]
        )
        for institution, group in zip(institutions, groups, strict=True):
            institution.reviewer_group = group
        Institution.objects.bulk_create(institutions)
        InstitutionGroupObjectPermission.objects.bulk_create(
            InstitutionGroupObjectPermission(
                group=group, permission=permission, content_object=institution
            )
            for institution, group in zip(institutions, groups, strict=True)
            for permission in permissions
        )
    return institutions
