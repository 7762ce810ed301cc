"""消息 on the candidate site: the list (newest first, paged), one message (opening it marks
it read) and 全部标为已读. A candidate reaches only their own messages: another's id is 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from people.models import Notification
from people.notice_selectors import notifications_of, sms_state
from people.notice_services import notification_read, notifications_read_all
from people.phones import mask_phone
from people.site_views import candidate_required

PER_PAGE = 20


@candidate_required
def notice_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_of(candidate_id=request.candidate.pk), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [(n, sms_state(n)) for n in page.object_list]
    return render(
        request, "people/site/notices.html", {"title": "消息", "page": page, "rows": rows}
    )


@candidate_required
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = notification_read(candidate=request.candidate, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404("没有这条消息。") from None
    return render(
        request,
        "people/site/notice.html",
        {
            "title": notification.title,
            "notification": notification,
            "sms_state": sms_state(notification),
            "sms_phone": mask_phone(notification.sms.phone) if notification.sms else "",
        },
    )


@require_POST
@candidate_required
def notice_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_read_all(candidate=request.candidate)
    messages.success(request, f"已将{count}条消息标为已读。" if count else "没有未读消息。")
    return redirect("account:notices")
