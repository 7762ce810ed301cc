"""推荐人跨区县统计 (provincial staff; registered through UNFOLD["SITE_VIEWS"]): each
推荐医师/指导老师 on applications of candidates in several counties, with the counties and the
applications, sortable, filtered by a minimum of counties and applications, exportable to
xlsx (review/recommender_export.py). Other reviewers get 403 and no sidebar entry."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.generic import TemplateView
from unfold.views import UnfoldSiteViewMixin

from core.xlsx import xlsx_export_response
from people.access import is_provincial_staff
from review.business import business_id
from review.exporters import exporter_build
from review.recommender_export import RecommenderSpreadExporter
from review.recommender_spread import (
    ORDERINGS,
    ROLES,
    SpreadFilter,
    recommender_spread_list,
    recommender_spread_rows,
)

PAGE_ROWS = 200  # people shown; the export has them all
COLUMNS = (("name", "姓名"), ("applications", "申报数"), ("counties", "区县数"))


class RecommenderSpreadView(UnfoldSiteViewMixin, TemplateView):
    title = "推荐人跨区县统计"
    template_name = "review/admin/recommender_spread.html"

    def has_permission(self) -> bool:
        return is_provincial_staff(self.request)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            exporter = exporter_build(
                identifier=RecommenderSpreadExporter.identifier,
                user=request.user,
                business=business_id(request),
                params=request.GET,
            )
            return xlsx_export_response(request, exporter, exporter.filename(user=request.user))
        return super().get(request, *args, **kwargs)

    def _sort_links(self, spread: SpreadFilter) -> list[dict[str, Any]]:
        params = self.request.GET.copy()
        params.pop("export", None)
        links = []
        for key, label in COLUMNS:
            current = spread.order.lstrip("-") == key
            descending = spread.order.startswith("-")
            # A click on the sorted column turns it round; another column starts high to low
            # (names: A to Z).
            if current:
                target = key if descending else f"-{key}"
            else:
                target = key if key == "name" else f"-{key}"
            params["o"] = target if target in ORDERINGS else f"-{key}"
            links.append(
                {
                    "label": label,
                    "url": "?" + params.urlencode(),
                    "sorted": "desc" if current and descending else "asc" if current else "",
                }
            )
        return links

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        spread = SpreadFilter.from_params(self.request.GET)
        business = business_id(self.request)
        groups = recommender_spread_list(user=self.request.user, business=business, spread=spread)
        shown = list(groups[: PAGE_ROWS + 1])
        export = self.request.GET.copy()
        export["export"] = "xlsx"
        context.update(
            spread=spread,
            roles=ROLES,
            rows=recommender_spread_rows(
                user=self.request.user,
                business=business,
                spread=spread,
                groups=shown[:PAGE_ROWS],
            ),
            more=len(shown) > PAGE_ROWS,
            page_rows=PAGE_ROWS,
            sort_links=self._sort_links(spread),
            export_url="?" + export.urlencode(),
        )
        return context
