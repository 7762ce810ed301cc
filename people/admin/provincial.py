"""A base for the reference screens (基础数据, 对比库) that only provincial staff open.

Django's global model permissions never count (no staff user holds them): every
permission hook asks people/access.py, like the review screens do.
"""

from django.http import HttpRequest
from unfold.admin import ModelAdmin

from people.access import is_provincial_staff


class ProvincialReadOnlyAdmin(ModelAdmin):
    """Visible to provincial staff (管理 on the province) and the superuser, read-only."""

    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_provincial_staff(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_provincial_staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
