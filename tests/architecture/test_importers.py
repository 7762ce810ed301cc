"""Every admin with an import has its importer in the registry (people/importers.py), and
the admin's 导入 button and the background job agree on who may use it."""

from django.contrib import admin
from django.test import RequestFactory

from people.admin.imports import PlatformImportMixin
from people.importers import IMPORTERS


def _import_admins() -> dict:
    return {
        model._meta.label_lower: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, PlatformImportMixin)
    }


def test_every_import_admin_has_its_importer():
    admins = _import_admins()
    assert admins and set(admins) == set(IMPORTERS)
    for label, model_admin in admins.items():
        assert model_admin.import_resource_class(None) is IMPORTERS[label].resource_class


def test_the_admin_and_the_job_allow_the_same_users(reviewers):
    admins = _import_admins()
    seen = set()
    for user in reviewers.values():
        for label, model_admin in admins.items():
            request = RequestFactory().get("/admin/")
            request.user = user
            allowed = IMPORTERS[label].available_for_user(user)
            assert model_admin.has_import_permission(request) is allowed, (user, label)
            seen.add(allowed)
    assert seen == {True, False}  # both answers occur among the reviewers
