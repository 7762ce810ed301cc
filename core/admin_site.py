"""The admin site: unfold's, with the work every page repeats for its chrome done once.

- The app list. Django's `each_context` builds it for every admin page, asking every
  ModelAdmin for its permissions (the user's and groups' permission queries, ~4 ms). This
  platform's pages show the sidebar (config/navigation.py) instead: unfold renders the app
  list only on the index page and for a user the sidebar shows nothing to. Here it is built
  when a template first reads it: the same list, or no work at all.
- The sidebar's links. config/navigation.py gives them as `reverse_lazy`, which unfold
  resolves again for every item, for its active check and for the template (~90 URL
  reversals a page). Here they are resolved once per process and URL prefix. What decides
  each item per user (its permission callback, the active check) still runs per request.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise, SimpleLazyObject
from unfold.sites import UnfoldAdminSite


def _with_resolved_links(items: list[dict]) -> list[dict]:
    resolved = []
    for item in items:
        item = dict(item)
        if isinstance(item.get("link"), Promise):
            item["link"] = str(item["link"])
        if "items" in item:
            item["items"] = _with_resolved_links(item["items"])
        resolved.append(item)
    return resolved


class AdminSite(UnfoldAdminSite):
    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self._sidebar_by_prefix: dict[str, dict] = {}
        self._index_by_prefix: dict[str, str] = {}

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> Any:
        build = super().get_app_list
        return SimpleLazyObject(lambda: build(request, app_label))

    def _get_config(self, key: str, *args: Any) -> Any:
        if key == "SIDEBAR":
            return self._sidebar_config(*args)
        return super()._get_config(key, *args)

    def _sidebar_config(self, *args: Any) -> Any:
        prefix = get_script_prefix()
        config = self._sidebar_by_prefix.get(prefix)
        if config is None:
            config = copy.copy(super()._get_config("SIDEBAR", *args))
            navigation = config.get("navigation") if config else None
            if not isinstance(navigation, list):
                return config  # a callable navigation decides per request: left as unfold has it
            config["navigation"] = [
                {**group, "items": _with_resolved_links(group.get("items", []))}
                for group in navigation
            ]
            self._sidebar_by_prefix[prefix] = config
        return config

    def _index_path(self) -> str:
        prefix = get_script_prefix()
        if prefix not in self._index_by_prefix:
            self._index_by_prefix[prefix] = reverse(f"{self.name}:index")
        return self._index_by_prefix[prefix]

    def _get_is_active(self, request: HttpRequest, link: Any, is_tab: bool = False) -> bool:
        """unfold's check, with the index path reversed once per prefix instead of per item."""
        link = str(link)
        index_path = self._index_path()
        link_path = urlparse(link).path
        if link_path == request.path == index_path:
            return True
        if link_path != "" and link_path in request.path and link_path != index_path:
            if is_tab:
                query_params = parse_qs(urlparse(link).query)
                request_params = parse_qs(request.GET.urlencode())
                return all(request_params.get(k) == v for k, v in query_params.items())
            return True
        return False


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with this site as `admin.site` (INSTALLED_APPS, with
    unfold's BasicAppConfig, which leaves `admin.site` alone)."""

    default_site = "core.admin_site.AdminSite"
