"""core.admin_site: the app list is built only where a page shows it, and the sidebar's links,
resolved once per URL prefix, are the same links, marked active and filtered per user as
unfold does."""

import pytest
from django.contrib import admin
from django.contrib.admin.sites import AdminSite as DjangoAdminSite
from django.urls import reverse, set_script_prefix

from core.admin_site import AdminSite
from tests.builders import in_health_business

REVIEW_LIST = "admin:review_reviewapplication_changelist"


@pytest.fixture
def built_app_lists(monkeypatch):
    """Counts the times Django builds the app list (the ModelAdmin permission walk)."""
    calls = []
    build = DjangoAdminSite._build_app_dict

    def counting(self, request, label=None):
        calls.append(label)
        return build(self, request, label)

    monkeypatch.setattr(DjangoAdminSite, "_build_app_dict", counting)
    return calls


def _sidebar_items(response) -> dict[str, dict]:
    return {
        item["title"]: item
        for group in response.context["sidebar_navigation"]
        for item in group["items"]
    }


def test_the_admin_site_is_the_projects():
    assert isinstance(admin.site, AdminSite)


@pytest.mark.django_db
def test_a_list_page_does_not_build_the_app_list(client, reviewers, built_app_lists):
    client.force_login(in_health_business(reviewers["unit_a"]))
    response = client.get(reverse(REVIEW_LIST))
    assert response.status_code == 200
    assert "报名材料审核" in response.content.decode()  # the sidebar is there
    assert built_app_lists == []


@pytest.mark.django_db
def test_the_index_page_still_lists_the_apps(admin_client, built_app_lists):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    names = [app["name"] for app in response.context["app_list"]]
    assert names and built_app_lists  # built, because the page reads it
    plain = DjangoAdminSite.get_app_list(admin.site, response.wsgi_request)
    assert names == [app["name"] for app in plain]


@pytest.mark.django_db
def test_sidebar_links_are_resolved_marked_and_filtered(client, reviewers):
    client.force_login(in_health_business(reviewers["unit_a"]))
    items = _sidebar_items(client.get(reverse(REVIEW_LIST)))
    review = items["报名材料审核"]
    assert review["link"] == reverse(REVIEW_LIST)
    assert review["active"] is True and review["has_permission"] is True
    assert items["本单位确认码"]["active"] is False
    assert items["缴费状态"]["has_permission"] is False  # provincial staff only

    client.force_login(in_health_business(reviewers["province"]))
    items = _sidebar_items(client.get(reverse("admin:confirmation_code")))
    assert items["缴费状态"]["has_permission"] is True
    assert items["本单位确认码"]["active"] is True
    assert items["报名材料审核"]["active"] is False


@pytest.mark.django_db
def test_sidebar_links_follow_the_url_prefix(rf, reviewers):
    request = rf.get("/")
    request.user = reviewers["province"]
    try:
        set_script_prefix("/hbwsrc/")
        prefixed = admin.site.get_sidebar_list(request)
    finally:
        set_script_prefix("/")
    plain = admin.site.get_sidebar_list(request)
    first = prefixed[0]["items"][1]["link"]
    assert first.startswith("/hbwsrc/admin/")
    assert plain[0]["items"][1]["link"] == first.removeprefix("/hbwsrc")
