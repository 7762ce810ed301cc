"""One base for every ModelAdmin's permission hooks: the admin declares who may do what as
data, the five Django hooks are written here once.

    @admin.register(AuditLogEntry)
    class ReviewLogAdmin(PolicyAdmin):
        view = Perm.REVIEW            # 审核 on at least one institution

    class ExamProjectAdmin(PolicyAdmin):
        view = change = PROVINCIAL    # add and delete stay NOBODY

A rule is a `Perm` (held on at least one institution, people.access.has_perm_somewhere) or a
function of the request (PROVINCIAL, SUPERUSER, STAFF, NOBODY, or the admin's own, e.g.
`can_decide_identity`). Read-only by default: `add`, `change` and `delete` are NOBODY unless
declared, `view` too, and the sidebar (`module`) follows `view`. Django's global model
permissions never count. Rows a user may not open are kept out by the admin's queryset;
`object_owner` narrows the view of one row to its owner for the users `every_object` does
not cover (导入日志, 我的任务).

Custom action permissions (has_import_permission, has_export_permission …) stay methods of
the admin: they are what a button asks, not who may open the screen.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from unfold.admin import ModelAdmin

from people.access import has_perm_somewhere, is_provincial_staff
from people.permissions import Perm

Rule = Perm | Callable[[HttpRequest], bool]


def NOBODY(request: HttpRequest) -> bool:
    return False


def SUPERUSER(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.is_superuser


def STAFF(request: HttpRequest) -> bool:
    """Every active staff user (each sees only their own rows, by the queryset)."""
    return request.user.is_active and request.user.is_staff


PROVINCIAL = is_provincial_staff


def allows(rule: Rule, request: HttpRequest) -> bool:
    if isinstance(rule, Perm):
        return has_perm_somewhere(request, rule)
    return bool(rule(request))


class AccessPolicyMixin:
    """The five permission hooks from the declared rules (see the module docstring). A mixin,
    so that Django's own admins (UserAdmin, GroupAdmin) can take it too."""

    view: Rule = NOBODY
    #: The sidebar and the app index; None: the same as `view`.
    module: Rule | None = None
    add: Rule = NOBODY
    change: Rule = NOBODY
    delete: Rule = NOBODY
    #: The attribute holding the owner's user id: a row is viewable by its owner only,
    #: except for the users `every_object` allows.
    object_owner: str | None = None
    every_object: Rule = NOBODY

    def _allows(self, name: str, request: HttpRequest) -> bool:
        # Read from the class: a plain function stored there is a rule, not a method.
        return allows(getattr(type(self), name), request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allows("view" if type(self).module is None else "module", request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._allows("view", request):
            return False
        if obj is None or self.object_owner is None or self._allows("every_object", request):
            return True
        return getattr(obj, self.object_owner) == request.user.pk

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allows("add", request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allows("change", request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allows("delete", request)


class PolicyAdmin(AccessPolicyMixin, ModelAdmin):
    """An unfold ModelAdmin whose permissions are declared (AccessPolicyMixin)."""

    # unfold's list templates read it, its ModelAdmin does not define it: each failed
    # template lookup on a ModelAdmin costs a dir() of the whole class, twice per row.
    list_sections: list = []
