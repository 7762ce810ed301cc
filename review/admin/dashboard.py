"""工作台: the admin index (UNFOLD["DASHBOARD_CALLBACK"]). The numbers come from
`review.dashboard`; this module only arranges them for templates/admin/index.html."""

import datetime
import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from people.access import has_perm_somewhere, own_institution
from people.models import Institution
from people.permissions import Perm
from people.preferences import reviewer_dashboard_visit
from people.tiers import Tier
from review import dashboard, workflow
from review.business import business_id

# The review list's filter parameters (review/admin/filters.py: MyTierStatusFilter and
# ScopeFilter). The status counts cover 下级所有 at the user's tier, so the links do too.
REVIEW_STATUS_PARAM = "review_status"
SCOPE_PARAM = "scope"
SCOPE_SUBTREE = "subtree"

# The count of each review status in its badge's colour (review.workflow.REVIEW_STATUS_COLOURS).
FIGURE_COLOURS = {
    "info": "var(--color-primary-600)",
    "warning": "#d97706",
    "success": "#16a34a",
    "danger": "#dc2626",
}


def review_list_url(status: str) -> str:
    """The review list filtered to one review status at the user's tier (下级所有)."""
    query = urlencode({REVIEW_STATUS_PARAM: status, SCOPE_PARAM: SCOPE_SUBTREE})
    return f"{reverse('admin:review_reviewapplication_changelist')}?{query}"


def _chart(submissions: list[dashboard.DayCount], decisions: list[dashboard.DayCount]) -> str:
    return json.dumps(
        {
            "labels": [f"{d.day:%m-%d}" for d in submissions],
            "datasets": [
                {
                    "label": "提交申报",
                    "data": [d.count for d in submissions],
                    "borderColor": "var(--color-primary-600)",
                    "backgroundColor": "var(--color-primary-600)",
                },
                {
                    "label": "本机构审核操作",
                    "data": [d.count for d in decisions],
                    "borderColor": "#16a34a",
                    "backgroundColor": "#16a34a",
                },
            ],
        },
        ensure_ascii=False,
    )


# The visit the "since your last visit" counts start from, for the whole login session: a
# reload does not reset them; the next session starts from this session's last visit.
SINCE_SESSION_KEY = "dashboard_since"


def _last_visit(request: HttpRequest) -> datetime.datetime | None:
    first_in_session = SINCE_SESSION_KEY not in request.session
    previous = reviewer_dashboard_visit(user=request.user, previous_needed=first_in_session)
    if first_in_session:
        request.session[SINCE_SESSION_KEY] = previous.isoformat() if previous else ""
    stored = request.session[SINCE_SESSION_KEY]
    return parse_datetime(stored) if stored else None


def _arrivals(
    request: HttpRequest, institution: Institution, business: int | None
) -> dashboard.Arrivals | None:
    since = _last_visit(request)
    if since is None:  # the first visit: nothing to compare with
        return None
    return dashboard.arrivals_since(
        user=request.user, institution=institution, business=business, since=since
    )


def _institution_for(request: HttpRequest) -> Institution | None:
    institution = own_institution(request)
    if institution is None:
        # The superuser belongs to no institution: the province view.
        institution = dashboard.dashboard_root(user=request.user)
    return institution


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    context["title"] = "工作台"
    institution = _institution_for(request)
    if institution is None or not has_perm_somewhere(request, Perm.REVIEW):
        context["dashboard"] = None
        return context
    user = request.user
    business = business_id(request)
    statuses = dashboard.status_counts(user=user, institution=institution, business=business)
    children = dashboard.pending_by_child(user=user, institution=institution, business=business)
    submissions = dashboard.submissions_per_day(
        user=user, institution=institution, business=business
    )
    decisions = dashboard.decisions_per_day(user=user, institution=institution, business=business)
    tier_label = Tier(institution.tier).label
    arrivals = _arrivals(request, institution, business)
    context["dashboard"] = {
        "institution": institution,
        "tier_label": tier_label,
        "arrivals": arrivals,
        "statuses": [
            {
                "status": s.status,
                "label": s.label,
                "total": s.total,
                "not_submitted": s.not_submitted,
                "colour": FIGURE_COLOURS.get(
                    workflow.REVIEW_STATUS_COLOURS.get(s.status, ""), "inherit"
                ),
                "url": review_list_url(s.status),
            }
            for s in statuses
        ],
        "waiting_total": sum(s.total for s in statuses if s.status in dashboard.WAITING_STATUSES),
        "has_children": bool(institution.tier != Tier.UNIT),
        "children": children,
        "children_waiting_total": sum(c.total for c in children),
        "days": len(submissions),
        "submissions_total": sum(d.count for d in submissions),
        "decisions_total": sum(d.count for d in decisions),
        "chart": _chart(submissions, decisions),
    }
    return context
