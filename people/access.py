"""Who may open which admin screen. Sidebar items, ModelAdmin permission hooks and custom
admin views all ask here; none of them looks at Django's global model permissions.

A page asks many times (every sidebar item, every button): the user's institution
permissions are read once per request, in one query, and every answer comes from them.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest

from people.models import (
    Institution,
    InstitutionGroupObjectPermission,
    InstitutionUserObjectPermission,
    ReviewerMembership,
)
from people.permissions import Perm

_CACHE_ATTR = "_review_access_cache"


def _cache(request: HttpRequest) -> dict:
    cache = getattr(request, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(request, _CACHE_ATTR, cache)
    return cache


def _held(request: HttpRequest) -> dict[str, dict[int, str]]:
    """Permission codename → {institution id: tier} the user holds, directly or through a
    group (what people.permissions.institutions_with_perm answers per permission), read in
    one query the first time a request asks."""
    cache = _cache(request)
    if "held" not in cache:
        user = request.user
        content_type = ContentType.objects.get_for_model(Institution)  # cached by Django
        fields = ("permission__codename", "content_object_id", "content_object__tier")
        direct = InstitutionUserObjectPermission.objects.filter(
            user_id=user.pk, permission__content_type=content_type
        ).values_list(*fields)
        by_group = InstitutionGroupObjectPermission.objects.filter(
            group__user=user.pk, permission__content_type=content_type
        ).values_list(*fields)
        held: dict[str, dict[int, str]] = {}
        for codename, institution_id, tier in direct.union(by_group):
            held.setdefault(codename, {})[institution_id] = tier
        cache["held"] = held
    return cache["held"]


def _active_staff(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and user.is_active and user.is_staff


def has_perm_somewhere(request: HttpRequest, perm: Perm) -> bool:
    """Whether the user holds `perm` on at least one institution (cached per request)."""
    if not _active_staff(request):
        return False
    return request.user.is_superuser or bool(_held(request).get(perm.value))


def institutions_held(request: HttpRequest, perm: Perm) -> dict[int, str]:
    """{institution id: tier} where the user holds `perm` (people.permissions.
    institutions_with_perm, from the request's cache): for review.selectors' `held`."""
    if not request.user.is_authenticated or not request.user.is_active:
        return {}
    return _held(request).get(perm.value, {})


def has_perm_on(request: HttpRequest, perm: Perm, institution: Institution) -> bool:
    """people.permissions.has_institution_perm from the request's cache."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or institution.pk in _held(request).get(perm.value, {})


def own_institution(request: HttpRequest) -> Institution | None:
    """The institution the reviewer belongs to (None for the superuser and for candidates)."""
    cache = _cache(request)
    if "institution" not in cache:
        membership = (
            ReviewerMembership.objects.select_related("institution")
            .filter(user_id=request.user.pk)
            .first()
            if request.user.is_authenticated
            else None
        )
        cache["institution"] = membership.institution if membership else None
    return cache["institution"]


def viewer_institution(request: HttpRequest) -> tuple[int | None, str]:
    """The reviewer's institution as the access log keeps it (core.access_log)."""
    institution = own_institution(request)
    return (institution.pk, institution.name) if institution else (None, "")


# Sidebar permission callbacks (UNFOLD["SIDEBAR"], config/navigation.py).
def can_review(request: HttpRequest) -> bool:
    return has_perm_somewhere(request, Perm.REVIEW)


def can_verify(request: HttpRequest) -> bool:
    return has_perm_somewhere(request, Perm.VERIFY)


def can_manage(request: HttpRequest) -> bool:
    return has_perm_somewhere(request, Perm.MANAGE)


def is_reviewer(request: HttpRequest) -> bool:
    """Belongs to an institution (sees its 本单位确认码, dashboard …)."""
    return request.user.is_authenticated and (
        request.user.is_superuser or own_institution(request) is not None
    )


def is_provincial_staff(request: HttpRequest) -> bool:
    """管理 permission on the province: reference data, comparison libraries, imports."""
    if not _active_staff(request):
        return False
    if request.user.is_superuser:
        return True
    return "province" in _held(request).get(Perm.MANAGE.value, {}).values()


def can_switch_business(request: HttpRequest) -> bool:
    """More than one 当前业务 to choose from (review/business.py); also before the first
    choice, when the middleware has left `request.business` unset on 选择业务 itself."""
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        return False
    business = getattr(request, "business", None)
    return business is None or business.switchable
