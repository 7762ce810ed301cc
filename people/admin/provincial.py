"""A base for the reference screens (基础数据, 对比库) that only provincial staff open.

Django's global model permissions never count (no staff user holds them): the permissions
are declared on people/admin/policy.py's base, like the review screens do.
"""

from people.admin.policy import PROVINCIAL, PolicyAdmin


class ProvincialReadOnlyAdmin(PolicyAdmin):
    """Visible to provincial staff (管理 on the province) and the superuser, read-only."""

    show_full_result_count = False
    view = PROVINCIAL
