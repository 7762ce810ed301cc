"""当前业务: the exam project a reviewer works in (seed 003 §1: after login, choose
卫生专业技术资格考试 or the TCM assessment).

Every list, count, dashboard card, export, 上报 and the 确认码 page follow it: screens read
`request.business` (set by `BusinessMiddleware`) and pass its id to the selectors, whose
`business` argument is required so that no list can forget it. A reviewer whose institution
serves one active project only goes straight in; one who serves several is sent to 选择业务
from every admin page until they have chosen. The choice is remembered per user
(CurrentBusiness) and kept in the session, so a request costs no query for it.
"""

from dataclasses import dataclass

from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from core.errors import ServiceError
from exam.models import ExamProject
from exam.models.projects import ENTRY_TIER
from people.models import ReviewerMembership
from people.tiers import TIER_ORDER
from review.models import CurrentBusiness

User = auth_models.User | AnonymousUser
SESSION_KEY = "current_business"


@dataclass(frozen=True)
class Business:
    """What a request knows of its business: the project's id and name, and how many the
    user may choose from (the header offers 切换业务 when there is more than one)."""

    id: int | None  # None: the user has no project to choose from
    name: str
    kind: str
    choices: int

    @property
    def switchable(self) -> bool:
        return self.choices > 1


NO_BUSINESS = Business(id=None, name="", kind="", choices=0)


def tiers_serving(kind: str) -> tuple[str, ...]:
    """The tiers an application of `kind` passes through: its entry tier and those above."""
    return TIER_ORDER[TIER_ORDER.index(ENTRY_TIER[kind]) :]


def business_choices(*, user: User) -> list[ExamProject]:
    """The active projects `user` may work in: those whose chain passes through the tier of
    the user's institution (a unit: the health exam only; a county and above: both).
    Superusers: every active project."""
    if not user.is_authenticated or not user.is_active:
        return []
    active = ExamProject.objects.filter(is_active=True).order_by("-year", "kind")
    if user.is_superuser:
        return list(active)
    tiers = set(
        ReviewerMembership.objects.filter(user_id=user.pk).values_list(
            "institution__tier", flat=True
        )
    )
    kinds = [kind for kind in ENTRY_TIER if tiers & set(tiers_serving(kind))]
    return list(active.filter(kind__in=kinds))


def _business(project: ExamProject, choices: int) -> Business:
    return Business(id=project.pk, name=project.name, kind=project.kind, choices=choices)


def business_resolve(*, user: User) -> Business | None:
    """The user's business now: the remembered choice if still possible, else the only
    project there is, NO_BUSINESS when there is none; None when there are several and none
    is chosen yet."""
    choices = business_choices(user=user)
    if not choices:
        return NO_BUSINESS
    remembered = (
        # Signed in: an anonymous user has no choices and returned above.
        CurrentBusiness.objects.filter(user_id=user.pk)  # type: ignore[misc]
        .values_list("project_id", flat=True)
        .first()
    )
    for project in choices:
        if project.pk == remembered:
            return _business(project, len(choices))
    if len(choices) == 1:
        return _business(choices[0], 1)
    return None


def business_of(request: HttpRequest) -> Business | None:
    """The request's business, from the session (no query) or resolved once and kept there.
    A request without a session (a background job's) resolves it from the user."""
    session = getattr(request, "session", None)
    if session is None:
        return business_resolve(user=request.user)
    stored = session.get(SESSION_KEY)
    if stored:
        try:
            return Business(**stored)
        except TypeError:  # an older shape: resolve again
            pass
    business = business_resolve(user=request.user)
    if business is not None:
        session[SESSION_KEY] = business.__dict__.copy()
    return business


def business_id(request: HttpRequest) -> int | None:
    """The id the selectors filter on. None (every business) only for a user who has no
    project to choose from, or for a superuser outside the admin; the middleware has sent
    anyone with several and no choice to 选择业务 before a screen asks."""
    business = getattr(request, "business", None) or business_of(request)
    return business.id if business else None


def business_choose(*, user: User, project_id: int) -> Business:
    """选择业务: remember `project_id` as the user's business. Refused (ServiceError) for a
    project the user may not work in or that is no longer current."""
    choices = business_choices(user=user)
    project = next((p for p in choices if p.pk == project_id), None)
    if project is None:
        raise ServiceError("该业务不存在或您无权办理，请重新选择。")
    with transaction.atomic():
        CurrentBusiness.objects.update_or_create(
            user_id=user.pk, defaults={"project": project, "chosen_at": timezone.now()}
        )
    return _business(project, len(choices))


def business_remember(request: HttpRequest, business: Business) -> None:
    request.session[SESSION_KEY] = business.__dict__.copy()
    # `business` is this project's own request attribute (BusinessMiddleware), not Django's.
    request.business = business  # type: ignore[attr-defined]


@receiver(user_logged_in)
def _forget_on_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    # A new login resolves again (the remembered choice, or 选择业务).
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)
