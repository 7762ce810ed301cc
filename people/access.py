"""Who may open which admin screen. Sidebar items, ModelAdmin permission hooks and custom
admin views all ask here; none of them looks at Django's global model permissions."""

from django.http import HttpRequest

from people.models import Institution, ReviewerMembership
from people.permissions import Perm, institutions_with_perm

_CACHE_ATTR = "_review_access_cache"


def _cache(request: HttpRequest) -> dict:
    cache = getattr(request, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(request, _CACHE_ATTR, cache)
    return cache


def has_perm_somewhere(request: HttpRequest, perm: Perm) -> bool:
    """Whether the user holds `perm` on at least one institution (cached per request)."""
    user = request.user
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    cache = _cache(request)
    if perm not in cache:
        cache[perm] = institutions_with_perm(user, perm).exists()
    return cache[perm]


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
    user = request.user
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    if user.is_superuser:
        return True
    cache = _cache(request)
    if "provincial" not in cache:
        cache["provincial"] = (
            institutions_with_perm(user, Perm.MANAGE).filter(tier="province").exists()
        )
    return cache["provincial"]


def can_switch_business(request: HttpRequest) -> bool:
    """More than one 当前业务 to choose from (review/business.py); also before the first
    choice, when the middleware has left `request.business` unset on 选择业务 itself."""
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        return False
    business = getattr(request, "business", None)
    return business is None or business.switchable
