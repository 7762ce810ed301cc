"""短信发送记录: every text message sent (people.sms), read-only, for provincial staff and the
superuser. In development the outbox backend sends nothing, so this page is where a
teacher's code can be read (make demo). Phone numbers are masked (138****1234) except for
the superuser, who administers the database anyway."""

from django.contrib import admin
from django.http import HttpRequest

from core.masking import mask_phone
from people.admin.provincial import ProvincialReadOnlyAdmin
from people.models import SmsMessage


class MaskedPhoneMixin:
    """A `masked_phone` column and detail field in place of the full number, except for the
    superuser."""

    @admin.display(description="手机号码")
    def masked_phone(self, obj) -> str:
        return mask_phone(obj.phone)

    def phone_field(self, request: HttpRequest) -> str:
        return "phone" if request.user.is_superuser else "masked_phone"

    def get_list_display(self, request: HttpRequest):
        phone = self.phone_field(request)
        return [phone if f == "masked_phone" else f for f in super().get_list_display(request)]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [*super().get_readonly_fields(request, obj), "masked_phone"]

    def get_fields(self, request: HttpRequest, obj=None):
        phone = self.phone_field(request)
        fields = []
        for field in super().get_fields(request, obj):
            field = phone if field in ("phone", "masked_phone") else field
            if field not in fields:
                fields.append(field)
        return fields


@admin.register(SmsMessage)
class SmsMessageAdmin(MaskedPhoneMixin, ProvincialReadOnlyAdmin):
    list_display = ["created_at", "masked_phone", "purpose", "status", "text", "sent_at"]
    list_filter = ["purpose", "status"]
    search_fields = ["=phone"]
    search_help_text = "按完整手机号码查询"
    date_hierarchy = "created_at"
    fields = [
        "masked_phone",
        "purpose",
        "status",
        "text",
        "backend",
        "error",
        "attempts",
        "created_at",
        "sent_at",
    ]
