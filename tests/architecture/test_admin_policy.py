"""Every registered ModelAdmin takes its permissions from people/admin/policy.py (declared as
data, the hooks written once) or is on `EXCEPTIONS` with the reason. An admin that writes
one of the five hooks by hand fails here too."""

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from unfold.admin import ModelAdmin

from people.admin.policy import (
    NOBODY,
    PROVINCIAL,
    STAFF,
    SUPERUSER,
    AccessPolicyMixin,
    PolicyAdmin,
)
from people.models import Division
from people.permissions import Perm

HOOKS = (
    "has_module_permission",
    "has_view_permission",
    "has_add_permission",
    "has_change_permission",
    "has_delete_permission",
)
RULES = ("view", "module", "add", "change", "delete", "every_object")

# ModelAdmin class (module.name) → why it keeps its own permission hooks.
EXCEPTIONS: dict[str, str] = {
    "django_tasks_db.admin.DBTaskResultAdmin": (
        "django-tasks' own admin of the task results: Django's global model permissions, "
        "which no staff account holds (only the superuser sees it)"
    ),
}


def _name(model_admin) -> str:
    cls = type(model_admin)
    return f"{cls.__module__}.{cls.__qualname__}"


def violations(model_admins) -> list[str]:
    found = []
    for model_admin in model_admins:
        label, name = model_admin.opts.label, _name(model_admin)
        if name in EXCEPTIONS:
            continue
        if not isinstance(model_admin, AccessPolicyMixin):
            found.append(f"{label}: {name} does not use the policy base")
            continue
        cls = type(model_admin)
        for hook in HOOKS:
            if getattr(cls, hook) is not getattr(AccessPolicyMixin, hook):
                found.append(f"{label}: {name} writes {hook} by hand")
        for rule in RULES:
            value = getattr(cls, rule)
            if not (value is None and rule == "module") and not (
                isinstance(value, Perm) or callable(value)
            ):
                found.append(f"{label}: {name}.{rule} is not a rule")
    return found


def test_every_registered_admin_declares_its_policy():
    found = violations(admin.site._registry.values())
    assert not found, "\n".join(found)


def test_the_exceptions_are_still_registered():
    registered = {_name(model_admin) for model_admin in admin.site._registry.values()}
    assert set(EXCEPTIONS) <= registered, set(EXCEPTIONS) - registered


def test_the_check_sees_a_hand_written_admin():
    class HandWritten(PolicyAdmin):
        view = PROVINCIAL

        def has_delete_permission(self, request, obj=None):
            return True

    class Plain(ModelAdmin):
        pass

    found = violations([HandWritten(Division, admin.site), Plain(Division, admin.site)])
    assert len(found) == 2
    assert "writes has_delete_permission by hand" in found[0]
    assert "does not use the policy base" in found[1]


# --- the base itself ------------------------------------------------------------------------


def _request(**user):
    fields = {"is_authenticated": True, "is_active": True, "is_staff": True, "pk": 7}
    return SimpleNamespace(user=SimpleNamespace(**(fields | user)))


class _Rules(AccessPolicyMixin):
    view = STAFF
    change = SUPERUSER
    object_owner = "owner_id"


def test_read_only_by_default_and_the_sidebar_follows_view():
    policy = _Rules()
    staff = _request(is_superuser=False)
    assert policy.has_module_permission(staff) and policy.has_view_permission(staff)
    assert not policy.has_add_permission(staff)
    assert not policy.has_change_permission(staff)
    assert not policy.has_delete_permission(staff)
    assert policy.has_change_permission(_request(is_superuser=True))
    outsider = _request(is_staff=False, is_superuser=False)
    assert not policy.has_module_permission(outsider)
    assert not policy.has_view_permission(outsider)


def test_object_owner_narrows_one_row_to_its_owner():
    policy = _Rules()
    staff = _request(is_superuser=False)
    assert policy.has_view_permission(staff, SimpleNamespace(owner_id=7))
    assert not policy.has_view_permission(staff, SimpleNamespace(owner_id=8))


@pytest.mark.django_db
def test_a_perm_rule_asks_the_institution_permissions(rf):
    class Reviewing(AccessPolicyMixin):
        view = Perm.REVIEW
        module = NOBODY

    request = rf.get("/")
    request.user = AnonymousUser()
    assert not Reviewing().has_view_permission(request)
    request = rf.get("/")
    request.user = SimpleNamespace(
        is_authenticated=True, is_active=True, is_staff=True, is_superuser=True
    )
    assert Reviewing().has_view_permission(request)
    assert not Reviewing().has_module_permission(request)
