"""消息记录: what each candidate was told (people.notices) and whether its SMS went out,
read-only, for provincial staff and the superuser (a candidate asking "why was I not told"
is answered here). The candidate is named, never their full phone number."""

from django.contrib import admin

from people.admin.provincial import ProvincialReadOnlyAdmin
from people.models import Notification
from people.notice_selectors import sms_state


@admin.register(Notification)
class NotificationAdmin(ProvincialReadOnlyAdmin):
    list_display = ["created_at", "candidate_name", "kind", "title", "read_state", "sms_column"]
    list_filter = ["kind"]
    list_select_related = ["candidate", "sms"]
    search_fields = ["=application_id", "=candidate__phone"]
    search_help_text = "按申报编号或考生完整手机号码查询"
    date_hierarchy = "created_at"
    fields = [
        "candidate_name",
        "kind",
        "application_id",
        "subject",
        "title",
        "body",
        "link",
        "created_at",
        "read_state",
        "sms_column",
    ]
    readonly_fields = fields

    @admin.display(description="考生")
    def candidate_name(self, obj: Notification) -> str:
        return obj.candidate.name or "（未实名）"

    @admin.display(description="阅读")
    def read_state(self, obj: Notification) -> str:
        return f"已读 {obj.read_at:%Y-%m-%d %H:%M}" if obj.read_at else "未读"

    @admin.display(description="短信")
    def sms_column(self, obj: Notification) -> str:
        return sms_state(obj)
