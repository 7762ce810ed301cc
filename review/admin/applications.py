"""报名材料审核 (seed 003 §2.2–2.5): the list, the detail page, decisions and 材料上报."""

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from review.admin.access import has_perm_somewhere
from review.models import ReviewApplication
from review.permissions import Perm
from review.selectors import application_list


@admin.register(ReviewApplication)
class ReviewApplicationAdmin(ModelAdmin):
    list_display = ["candidate", "status", "submitted_at"]
    list_select_related = ["candidate"]

    def get_queryset(self, request: HttpRequest):
        return application_list(user=request.user, permission=Perm.REVIEW)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return has_perm_somewhere(request, Perm.REVIEW)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_perm_somewhere(request, Perm.REVIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
