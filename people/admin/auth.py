"""Django's own User and Group admins, kept for the superuser only.

django.contrib.auth registers them for anyone holding the global auth permissions; here they
are re-registered with unfold's styling and closed to everybody but the superuser. Reviewer
accounts are managed in 审核人员 (people/admin/reviewers.py), through the services."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from people.admin.policy import SUPERUSER, AccessPolicyMixin

for model in (User, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class SuperuserOnlyMixin(AccessPolicyMixin):
    view = add = change = delete = SUPERUSER


@admin.register(User)
class UserAdmin(SuperuserOnlyMixin, BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm


@admin.register(Group)
class GroupAdmin(SuperuserOnlyMixin, BaseGroupAdmin, ModelAdmin):
    pass
