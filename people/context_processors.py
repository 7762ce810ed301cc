"""The candidate site's header: the unread 消息 count, counted only when a page shows it."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from people.notice_selectors import unread_count


def unread_notices(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {}
    return {"unread_notices": SimpleLazyObject(lambda: unread_count(user_id=user.pk))}
