"""个人信息查询记录 on the candidate site: which institutions looked at the candidate's
applications and files, and when (core.access_selectors.candidate_access_list). Never the
reviewer's account or name: the institution answers for its staff."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.access_selectors import candidate_access_list
from people.site_views import candidate_required

PAGE_SIZE = 20
# A row without an institution: the platform's own administrators (no reviewer membership).
NO_INSTITUTION = "平台管理员"


@candidate_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Newest first, PAGE_SIZE a page; any page number out of range shows the last page."""
    page = Paginator(candidate_access_list(candidate_id=request.candidate.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "exam/site/access_log.html",
        {"title": "个人信息查询记录", "page": page, "no_institution": NO_INSTITUTION},
    )
