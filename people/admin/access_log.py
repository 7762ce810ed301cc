"""个人信息访问记录 for provincial staff: the whole access log (core.PersonalDataAccess),
read-only, filterable and exportable (the export is itself recorded), and 异常访问
(core.access_selectors: the two rules). Nobody else opens it: a reviewer's own views are
the province's to check, not the reviewer's."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.utils import parse_date_str

from core.access_selectors import access_alert_per_hour, busy_hours, undecided_file_access
from core.list_filters import TextFilter
from core.models import PersonalDataAccess
from core.xlsx import Exporter
from people.access import is_provincial_staff
from people.admin.export_form import export_response
from people.admin.policy import PROVINCIAL, PolicyAdmin
from people.models import Candidate

UNUSUAL_ROWS = 200  # each of the two lists shows at most this many, newest / busiest first
UNUSUAL_DAYS = 30  # 异常访问 looks at this many past days (the whole log would not scale)
ID_NUMBER = re.compile(r"^[0-9]{15}$|^[0-9]{17}[0-9Xx]$")


class LocalDaysFilter(RangeDateFilter):
    """时间 from one day to another (both included), in local days; a date that does not
    parse shows nothing rather than everything."""

    def queryset(self, request: HttpRequest, queryset):
        filters = {}
        for suffix, lookup, shift in (("_from", "gte", 0), ("_to", "lt", 1)):
            value = self.used_parameters.get(f"{self.parameter_name}{suffix}")
            if value in (None, ""):
                continue
            day = parse_date_str(str(value))
            if day is None:
                return queryset.none()
            start = datetime.datetime.combine(day + datetime.timedelta(days=shift), datetime.time())
            filters[f"{self.field_path}__{lookup}"] = timezone.make_aware(start)
        return queryset.filter(**filters)


class _ContainsFilter(TextFilter):
    """Rows whose copied `field` (kept as it was when recorded) contains the typed text."""

    field = ""

    def queryset(self, request: HttpRequest, queryset):
        value = (self.value() or "").strip()
        return queryset.filter(**{f"{self.field}__icontains": value}) if value else queryset


class InstitutionNameFilter(_ContainsFilter):
    title = "机构"
    parameter_name = "institution"
    field = "institution_name"


class UsernameFilter(_ContainsFilter):
    title = "账号"
    parameter_name = "username"
    field = "username"


class SubjectFilter(TextFilter):
    """报名编号 (digits) or 证件号码 (the candidate's: every record about them)."""

    title = "报名编号或证件号码"
    parameter_name = "subject"

    def queryset(self, request: HttpRequest, queryset):
        value = (self.value() or "").strip().upper()
        if not value:
            return queryset
        if ID_NUMBER.match(value):
            candidates = Candidate.objects.filter(id_number=value).values("pk")
            return queryset.filter(candidate_id__in=candidates)
        if value.isdigit() and len(value) <= 18:
            return queryset.filter(application_id=int(value))
        return queryset.none()


class AccessLogExporter(Exporter):
    headers = [
        "时间",
        "访问类型",
        "账号",
        "机构",
        "来源地址",
        "报名编号",
        "考生编号",
        "访问内容",
        "行数",
    ]
    text_columns = ("来源地址",)
    sheet_title = "个人信息访问记录"
    verbose_name = "个人信息访问记录"

    def rows(self) -> Iterator[Sequence[Any]]:
        labels = dict(PersonalDataAccess.Kind.choices)
        for row in self.source.values_list(
            "at",
            "kind",
            "username",
            "institution_name",
            "ip",
            "application_id",
            "candidate_id",
            "what",
            "row_count",
        ).iterator(chunk_size=2000):
            at, kind, *rest = row
            yield (timezone.localtime(at), labels.get(kind, kind), *rest)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(PolicyAdmin):
    """Append-only: no add, change or delete; the row's page is a read-only detail."""

    view = PROVINCIAL
    list_display = [
        "at",
        "kind",
        "username",
        "institution_name",
        "ip",
        "application_id",
        "what",
        "row_count",
    ]
    fields = [
        "at",
        "kind",
        "username",
        "institution_name",
        "ip",
        "application_id",
        "candidate_id",
        "what",
        "row_count",
        "data",
    ]
    readonly_fields = fields
    list_filter = [
        "kind",
        ("at", LocalDaysFilter),
        InstitutionNameFilter,
        UsernameFilter,
        SubjectFilter,
    ]
    list_filter_submit = True
    show_full_result_count = False
    list_per_page = 50
    change_list_template = "people/admin/access_log_change_list.html"

    def get_urls(self):
        info = (self.opts.app_label, self.opts.model_name)
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            path(
                "unusual/",
                self.admin_site.admin_view(self.unusual_view),
                name="{}_{}_unusual".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        query = request.GET.urlencode()
        extra = {
            "export_url": reverse("admin:core_personaldataaccess_export")
            + (f"?{query}" if query else ""),
            "unusual_url": reverse("admin:core_personaldataaccess_unusual"),
        }
        return super().changelist_view(request, extra | (extra_context or {}))

    def _provincial(self, request: HttpRequest) -> None:
        if not is_provincial_staff(request):
            raise PermissionDenied

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The list as filtered, as xlsx; the export is recorded like any other."""
        self._provincial(request)
        changelist = self.get_changelist_instance(request)
        rows = changelist.get_queryset(request).order_by("-at", "-id")
        return export_response(
            request,
            export_name="个人信息访问记录",
            build=lambda: AccessLogExporter(rows),
            filename=lambda: f"个人信息访问记录_{timezone.localdate():%Y%m%d}.xlsx",
            back_url=reverse("admin:core_personaldataaccess_changelist"),
        )

    def unusual_view(self, request: HttpRequest) -> HttpResponse:
        """异常访问: the two rules of core.access_selectors, each list capped."""
        self._provincial(request)
        since = timezone.now() - datetime.timedelta(days=UNUSUAL_DAYS)
        files = list(undecided_file_access(since=since)[:UNUSUAL_ROWS])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "异常访问",
            "per_hour": access_alert_per_hour(),
            "busy_hours": busy_hours(since=since, limit=UNUSUAL_ROWS),
            "days": UNUSUAL_DAYS,
            "files": files,
            "cap": UNUSUAL_ROWS,
            "log_url": reverse("admin:core_personaldataaccess_changelist"),
        }
        return TemplateResponse(request, "people/admin/access_unusual.html", context)
