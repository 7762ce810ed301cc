"""实名认证 queue: staff approve or reject manual identity requests.

Who may: the superuser and accounts holding the global model permission
`people.change_identityverification` (what `identity_decide` checks). Nothing here edits a
row directly: 通过 and 驳回 are form pages calling `people.services.identity_decide`. The
uploaded photos are never served from a public URL; `photo_view` streams them after the same
permission check.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminTextInputWidget

from core.access_log import Kind, access_record, file_label
from core.errors import ServiceError
from core.files import file_response
from people.admin.policy import PolicyAdmin
from people.models import IdentityVerification
from people.services import identity_decide

FORM_TEMPLATE = "people/admin/accounts/form.html"
DECIDE_PERM = "people.change_identityverification"
PHOTO_SIDES = {"front": "front_image", "back": "back_image"}
Status = IdentityVerification.Status


def can_decide_identity(request: HttpRequest) -> bool:
    """Sidebar callback and the admin's permission hooks."""
    user = request.user
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.has_perm(DECIDE_PERM)
    )


class ApproveForm(forms.Form):
    pass


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="驳回原因",
        required=False,  # the service insists on it and says so in Chinese
        max_length=255,
        help_text="考生将在实名认证页面看到此原因。",
        widget=UnfoldAdminTextInputWidget(),
    )


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(PolicyAdmin):
    view = can_decide_identity
    list_display = ["created_at", "name", "id_type", "id_number", "method", "status", "phone"]
    list_select_related = ["candidate"]
    list_filter = ["status", "id_type"]
    search_fields = ["name", "id_number"]
    show_full_result_count = False
    actions_detail = ["approve_request", "reject_request"]
    fields = [
        "name",
        "id_type",
        "id_number",
        "phone",
        "method",
        "status",
        "reason",
        "created_at",
        "decided_by",
        "decided_at",
        "front_photo",
        "back_photo",
    ]
    readonly_fields = fields

    # 待审核 first, then newest first.
    ordering = [
        Case(When(status=Status.PENDING, then=Value(0)), default=Value(1)).asc(),
        "-created_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[IdentityVerification]:
        return super().get_queryset(request).select_related("candidate", "decided_by")

    # --- permissions ---------------------------------------------------------------------

    def has_decide_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        if not can_decide_identity(request):
            return False
        if object_id is None:
            return True
        return IdentityVerification.objects.filter(pk=object_id, status=Status.PENDING).exists()

    # --- columns -------------------------------------------------------------------------

    @display(description="手机号码")
    def phone(self, obj: IdentityVerification) -> str:
        return obj.candidate.phone

    def _photo(self, obj: IdentityVerification, side: str) -> str:
        if not getattr(obj, PHOTO_SIDES[side]):
            return "未上传"
        url = reverse("admin:people_identityverification_photo", args=[obj.pk, side])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" '
            'style="max-width:100%;max-height:20rem"></a>',
            url,
            url,
            "证件正面" if side == "front" else "证件背面",
        )

    @display(description="证件正面")
    def front_photo(self, obj: IdentityVerification) -> str:
        return self._photo(obj, "front")

    @display(description="证件背面")
    def back_photo(self, obj: IdentityVerification) -> str:
        return self._photo(obj, "back")

    # --- photos --------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/photo/<str:side>/",
                self.admin_site.admin_view(self.photo_view),
                name="people_identityverification_photo",
            ),
            *super().get_urls(),
        ]

    def photo_view(self, request: HttpRequest, pk: int, side: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if side not in PHOTO_SIDES:
            raise Http404
        verification = IdentityVerification.objects.filter(pk=pk).first()
        image = getattr(verification, PHOTO_SIDES[side], None) if verification else None
        if not image:
            raise Http404("没有该照片。")
        access_record(
            request,
            kind=Kind.FILE,
            candidate_id=verification.candidate_id if verification else None,
            what=file_label(image, f"identity #{pk} {side}"),
            data={"file": image.name},
        )
        return file_response(image)

    # --- 通过 / 驳回 ---------------------------------------------------------------------

    def _get_pending(self, request: HttpRequest, object_id: str) -> IdentityVerification:
        try:
            return self.get_queryset(request).get(pk=int(object_id))
        except (ValueError, IdentityVerification.DoesNotExist) as exc:
            raise Http404("没有找到该认证申请。") from exc

    def _change_url(self, verification: IdentityVerification) -> str:
        return reverse("admin:people_identityverification_change", args=[verification.pk])

    def _decide(self, request: HttpRequest, object_id: str, *, approve: bool) -> HttpResponse:
        verification = self._get_pending(request, object_id)
        form_class = ApproveForm if approve else RejectForm
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                identity_decide(
                    actor=request.user,
                    verification=verification,
                    approve=approve,
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                label = "通过" if approve else "驳回"
                messages.success(request, f"已{label} {verification.name} 的实名认证申请。")
                return HttpResponseRedirect(self._change_url(verification))
        action_label = "通过" if approve else "驳回"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{action_label}实名认证：{verification.name}",
            "form": form,
            "original": verification,
            "intro": (
                f"{verification.get_id_type_display()} {verification.id_number}，"
                f"姓名 {verification.name}。请核对证件照片后再{action_label}。"
            ),
            "submit_label": f"确认{action_label}",
            "submit_variant": "primary" if approve else "danger",
            "cancel_url": self._change_url(verification),
        }
        return TemplateResponse(request, FORM_TEMPLATE, context)

    @action(description="通过", url_path="approve", icon="check_circle", permissions=["decide"])
    def approve_request(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, approve=True)

    @action(description="驳回", url_path="reject", icon="cancel", permissions=["decide"])
    def reject_request(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, approve=False)
