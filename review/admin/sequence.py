"""逐条审核 on the detail page: 上一条 / 下一条 through the filtered list, the position, the
待审核 left, the 审核后自动打开下一条 setting, and where a decision leads.

The list's filters travel in the URL as the admin's preserved filters
(`_changelist_filters`: the list's own query string), so every link and the decision form
carry them; review.sequence reads the list from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import ServiceError
from exam.models import Application
from people.access import has_perm_on, institutions_held, own_institution
from people.permissions import Perm
from people.preferences import reviewer_preference_get, reviewer_preference_set_auto_next
from review.admin.filters import my_tier
from review.business import business_id
from review.sequence import (
    ReviewSequence,
    SequenceList,
    next_pending_id,
    review_sequence,
    sequence_list,
)

PRESERVED = "_changelist_filters"  # django.contrib.admin's name for it
CHANGE = "admin:review_reviewapplication_change"
CHANGELIST = "admin:review_reviewapplication_changelist"
NONE_LEFT = "当前筛选列表中已没有待审核的申报，已返回列表。"
# The setting as the session keeps it: read from ReviewerPreference once per session (as
# review.business keeps 当前业务), written there again by the toggle.
SESSION_AUTO_NEXT = "review_auto_open_next"


def auto_open_next(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    if session is not None and SESSION_AUTO_NEXT in session:
        return bool(session[SESSION_AUTO_NEXT])
    value = reviewer_preference_get(user=request.user).auto_open_next
    if session is not None:
        session[SESSION_AUTO_NEXT] = value
    return value


def preserved_filters(request: HttpRequest) -> str:
    """The list's query string this page came with ("" without one)."""
    return request.POST.get(PRESERVED) or request.GET.get(PRESERVED) or ""


def change_url(pk: int, preserved: str) -> str:
    url = reverse(CHANGE, args=[pk])
    return f"{url}?{urlencode({PRESERVED: preserved})}" if preserved else url


def list_url(preserved: str) -> str:
    url = reverse(CHANGELIST)
    return f"{url}?{preserved}" if preserved else url


def _row_checkbox(request: HttpRequest) -> bool:
    # ReviewApplicationAdmin.has_report_permission: the list then has 上报所选申报 and its
    # row checkbox, which counts as a column in the list's `o=`.
    institution = own_institution(request)
    return (
        institution is not None
        and institution.parent_id is not None
        and has_perm_on(request, Perm.REPORT, institution)
    )


def listing_for(request: HttpRequest, preserved: str) -> SequenceList:
    """The 报名材料审核 list as the reviewer left it (ReviewApplicationAdmin.get_queryset and
    its filters, from the preserved query string)."""
    return sequence_list(
        user=request.user,
        business=business_id(request),
        params=QueryDict(preserved),
        tier=my_tier(request),
        row_checkbox=_row_checkbox(request),
        held=institutions_held(request, Perm.REVIEW),
    )


@dataclass
class SequenceNav:
    """What the page's 逐条审核 bar shows (review/admin/sequence_nav.html)."""

    place: ReviewSequence
    preserved: str
    list_url: str
    previous_url: str
    next_url: str
    auto_open_next: bool
    toggle_url: str
    here_url: str


def sequence_nav(request: HttpRequest, application: Application) -> SequenceNav:
    """`application`: the page's, read through the scope with its related rows."""
    pk = application.pk
    preserved = preserved_filters(request)
    place = review_sequence(
        user=request.user,
        listing=listing_for(request, preserved),
        application_id=pk,
        application=application,
    )
    return SequenceNav(
        place=place,
        preserved=preserved,
        list_url=list_url(preserved),
        previous_url=change_url(place.previous_id, preserved) if place.previous_id else "",
        next_url=change_url(place.next_id, preserved) if place.next_id else "",
        auto_open_next=auto_open_next(request),
        toggle_url=reverse("admin:review_reviewapplication_auto_next"),
        here_url=change_url(pk, preserved),
    )


def after_decision(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Where a successful decision leads: with 审核后自动打开下一条, the next 待审核 of the same
    filtered list (back to the list, saying so, when none is left); otherwise this page."""
    preserved = preserved_filters(request)
    if not auto_open_next(request):
        return HttpResponseRedirect(change_url(pk, preserved))
    following = next_pending_id(
        user=request.user, listing=listing_for(request, preserved), application_id=pk
    )
    if following is None:
        messages.info(request, NONE_LEFT)
        return HttpResponseRedirect(list_url(preserved))
    return HttpResponseRedirect(change_url(following, preserved))


def stay(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Back to the same page, the list's filters kept (a refused or conflicting decision)."""
    return HttpResponseRedirect(change_url(pk, preserved_filters(request)))


def auto_next_view(request: HttpRequest) -> HttpResponse:
    """POST: 审核后自动打开下一条 on ("1") or off, then back to the page it came from."""
    wanted = request.POST.get("auto_open_next") == "1"
    try:
        saved = reviewer_preference_set_auto_next(actor=request.user, auto_open_next=wanted)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        request.session[SESSION_AUTO_NEXT] = saved.auto_open_next
        messages.success(request, f"已{'开启' if wanted else '关闭'}审核后自动打开下一条。")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse(CHANGELIST)
    return HttpResponseRedirect(back)
