"""专项信息 (seed 003 §2.7): one list per material type, for verifying materials in bulk.

学历信息, 护士执业证, 医师执业证, 医师资格证, 专技职称, 补充信息 — each list shows the candidate,
the application's state, the certificate image, the material's own fields and its 核验状态.
批量核验 applies 核验通过 / 核验不通过 with one 核验备注 either to the ticked rows (an admin
action) or to everything the current filters match (the button above the list).

Every query starts from `review.selectors` (`material_list`: Perm.VERIFY, the list's 数据层级;
Perm.EXPORT for the export); every change goes through `verification.material_verify_batch`.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Count, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from import_export.admin import ExportMixin
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action, display

from core.access_log import Kind, access_record, file_label
from core.errors import ServiceError
from core.fast_list import choice_label, pk_url
from core.files import file_response
from core.imports.base import PlatformXLSX
from core.paging import BoundedCountChangeList, BoundedCountMixin
from core.thumbnails import rotations_for, thumbnail_response
from exam.models import VerificationStatus
from people.access import has_perm_somewhere, institutions_held, own_institution
from people.admin.policy import PolicyAdmin
from people.permissions import Perm
from review import verification, workflow
from review.admin.applications import PAYMENT_LABEL_COLOURS, REVIEW_LABEL_COLOURS
from review.admin.badges import colours_by_label, label_display
from review.admin.exports import registry_export
from review.admin.filters import my_tier
from review.admin.image_viewer import rotation_post
from review.admin.material_filters import (
    EDUCATION_FILTERS,
    MATERIAL_FILTERS,
    TITLE_FILTERS,
    MaterialScopeFilter,
)
from review.business import business_id
from review.exporters import (
    EducationExporter,
    MaterialListExporter,
    NurseLicenseExporter,
    PhysicianLicenseExporter,
    PhysicianQualificationExporter,
    SupplementaryExporter,
    TitleExporter,
)
from review.models import (
    VERIFY_MODELS,
    VerifyEducation,
    VerifyNurseLicense,
    VerifyPhysicianLicense,
    VerifyPhysicianQualification,
    VerifySupplementary,
    VerifyTitle,
)
from review.resources import field_label, field_value
from review.selectors import SCOPE_CHOICES, SCOPE_SUBTREE, material_list

VERIFICATION_LABEL_COLOURS = colours_by_label(
    VerificationStatus.choices, workflow.VERIFICATION_STATUS_COLOURS
)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def is_materials_page(request: HttpRequest) -> bool:
    """Sidebar: 专项信息 is the active item on any of the six lists."""
    prefixes = [reverse(f"admin:review_{m._meta.model_name}_changelist") for m in VERIFY_MODELS]
    return any(request.path.startswith(prefix) for prefix in prefixes)


def material_tabs(current: type[Model]) -> list[dict[str, Any]]:
    return [
        {
            "label": model._meta.verbose_name,
            "url": reverse(f"admin:review_{model._meta.model_name}_changelist"),
            "active": model is current,
        }
        for model in VERIFY_MODELS
    ]


class MaterialChangeList(BoundedCountChangeList):
    """Adds what each row shows beyond its own columns, without a query per row:
    材料状态 at the user's tier, the 查看 link, the image URL."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        tier = my_tier(request) if own_institution(request) else ""
        can_review = has_perm_somewhere(request, Perm.REVIEW)
        image_url = pk_url(f"admin:review_{self.model._meta.model_name}_image")
        rotate_url = pk_url(f"admin:review_{self.model._meta.model_name}_image_rotate")
        review_url = pk_url("admin:review_reviewapplication_change")
        # The images' saved rotations (review.file_display): one query for the page.
        rotations = rotations_for(names=[m.image.name for m in self.result_list])
        for material in self.result_list:
            application = material.application
            # The user's own tier; for the superuser, the tier where the application sits now.
            status_tier = tier or application.current_tier
            material.material_status = choice_label(application, f"{status_tier}_review_status")
            material.review_url = review_url(application.pk) + "#materials" if can_review else ""
            material.image_url = image_url(material.pk) if material.image else ""
            material.rotate_url = rotate_url(material.pk)
            material.rotation = rotations.get(material.image.name, 0)


class MaterialVerifyAdmin(BoundedCountMixin, ExportMixin, PolicyAdmin):
    """What the six lists share. The material's fields are its exporter's (review.exporters:
    one definition for the list's 材料信息 and the export); subclasses name their filters."""

    material_fields: tuple[str, ...] = ()
    extra_select_related: tuple[str, ...] = ()
    filter_kind = ""  # which filters' queries (review.list_selectors.material_filters)

    # The guide's fields; name and ID number, level and specialty share a column (two lines)
    # so that the material's own fields fit beside them on a laptop screen.
    list_display = [
        "candidate",
        "material_status_badge",
        "payment_badge",
        "applied_for",
        "image_thumb",
        "verification_badge",
        "remark",
        # Last: the widest column; on a narrow screen it is the one that scrolls.
        "material_details",
    ]
    list_display_links = None
    # The rows rendered by core.fast_list (same HTML as unfold's, a fraction of the time).
    change_list_template = "core/change_list_fast.html"
    list_filter = MATERIAL_FILTERS
    list_filter_submit = True
    list_fullwidth = True
    list_per_page = 20
    list_max_show_all = 500
    show_full_result_count = False
    ordering = ["-application__submitted_at", "-application_id", "id"]
    actions = ["verify_selected"]
    actions_list = ["verify_all"]
    list_before_template = "review/admin/material_tabs.html"
    list_after_template = "review/admin/material_lightbox.html"
    # Export: the filtered list, xlsx, rows the user may also export.
    export_form_class = ExportForm
    # The platform's writer (text stays text), should anything export through import-export.
    formats = [PlatformXLSX]
    skip_export_form = True

    exporter: type[MaterialListExporter]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "exporter" in cls.__dict__:
            cls.material_fields = cls.exporter.field_names
            cls.extra_select_related = cls.exporter.extra_select_related
            cls.filter_kind = cls.exporter.filter_kind

    # --- list columns ---------------------------------------------------------------------

    @display(description="姓名 / 证件号码", ordering="application__candidate__name", header=True)
    def candidate(self, obj) -> list:
        candidate = obj.application.candidate
        name = candidate.name
        if getattr(obj, "review_url", ""):
            # The name opens the application's detail page (证明材料) for users who may review.
            name = format_html(
                '<a class="text-primary-600 font-medium" href="{}" title="查看申报">{}</a>',
                obj.review_url,
                name,
            )
        return [name, candidate.id_number]

    @label_display(description="材料状态", colours=REVIEW_LABEL_COLOURS)
    def material_status_badge(self, obj) -> str:
        return getattr(obj, "material_status", "")

    @label_display(description="缴费状态", colours=PAYMENT_LABEL_COLOURS)
    def payment_badge(self, obj) -> str:
        return choice_label(obj.application, "payment_status")

    @display(description="申报级别 / 类别(专业)", header=True)
    def applied_for(self, obj) -> list:
        application = obj.application
        return [
            application.level.name if application.level_id else "",
            str(application.specialty) if application.specialty_id else "",
        ]

    @display(description="证书图片")
    def image_thumb(self, obj) -> str:
        url = getattr(obj, "image_url", "")
        if not url:
            return mark_safe('<span class="rv-none">暂无图片</span>')  # noqa: S308 - constant
        if not obj.image.name.lower().endswith(IMAGE_SUFFIXES):
            return format_html(
                '<a class="mv-file" href="{}" target="_blank" rel="noopener">查看文件</a>', url
            )
        # The thumbnail; opens in a new tab without JavaScript, with it in the page's viewer
        # (review/admin/image_viewer.html), at the rotation saved for the file.
        return format_html(
            '<a class="mv-thumb" href="{0}" target="_blank" rel="noopener" title="点击放大"'
            ' data-viewer-src="{0}" data-viewer-rotation="{2}" data-viewer-rotate="{3}"'
            " @click.prevent=\"$dispatch('mv-lightbox', $el)\">"
            '<img src="{0}?thumb=1" alt="{1}" loading="lazy"></a>',
            url,
            obj.LABEL,
            getattr(obj, "rotation", 0),
            getattr(obj, "rotate_url", ""),
        )

    @display(description="材料信息")
    def material_details(self, obj) -> str:
        return format_html(
            '<dl class="mv-grid">{}</dl>',
            format_html_join(
                "",
                '<div class="rv-field{}"><dt>{}</dt><dd>{}</dd></div>',
                (
                    # Long values (certificate numbers, notes) take two cells of the grid.
                    (" mv-wide" if len(value) > 12 else "", field_label(self.model, name), value)
                    for name in self.material_fields
                    for value in [field_value(obj, name) or "—"]
                ),
            ),
        )

    @label_display(description="核验状态", colours=VERIFICATION_LABEL_COLOURS)
    def verification_badge(self, obj) -> str:
        return choice_label(obj, "verification_status")

    @display(description="核验备注")
    def remark(self, obj) -> str:
        return format_html('<span class="mv-remark">{}</span>', obj.verification_remark)

    # --- access ---------------------------------------------------------------------------

    view = Perm.VERIFY

    def get_changelist(self, request: HttpRequest, **kwargs):
        return MaterialChangeList

    def get_list_select_related(self, request: HttpRequest):
        return [
            "application__candidate",
            "application__level",
            "application__specialty",
            *self.extra_select_related,
        ]

    @staticmethod
    def scope_of(request: HttpRequest) -> str:
        scope = request.GET.get(MaterialScopeFilter.parameter_name) or SCOPE_SUBTREE
        return scope if scope in dict(SCOPE_CHOICES) else SCOPE_SUBTREE

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The list, its filters and the batch view all ask: work the scope out once.
        cache = request.__dict__.setdefault("_verify_scope_cache", {})
        scope = self.scope_of(request)
        if scope not in cache:
            cache[scope] = material_list(
                user=request.user,
                business=business_id(request),
                model=self.model,
                permission=Perm.VERIFY,
                scope=scope,
                held=institutions_held(request, Perm.VERIFY),
            )
        return cache[scope].all()

    def has_verify_permission(self, request: HttpRequest) -> bool:
        return has_perm_somewhere(request, Perm.VERIFY)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return has_perm_somewhere(request, Perm.EXPORT)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {**(extra_context or {}), "material_tabs": material_tabs(self.model)}
        response = super().changelist_view(request, extra_context)
        # 批量核验 applies to what the list shows: the button carries the list's filters.
        query = request.GET.urlencode()
        context = getattr(response, "context_data", None)
        if query and context:
            for item in context.get("actions_list", []):
                if "path" in item:
                    item["path"] = f"{item['path']}?{query}"
        return response

    def _object_or_404(self, request: HttpRequest, object_id) -> Model:
        if not str(object_id).isdigit():
            raise Http404
        obj = (
            self.get_queryset(request)
            .select_related("application__candidate")
            .filter(pk=int(object_id))
            .first()
        )
        if obj is None:
            raise Http404("没有找到该材料，或您无权查看。")
        return obj

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        """No edit form: a material is read in its application's detail page (证明材料)."""
        obj = self._object_or_404(request, object_id)
        if has_perm_somewhere(request, Perm.REVIEW):
            url = reverse("admin:review_reviewapplication_change", args=[obj.application_id])
            return HttpResponseRedirect(f"{url}#materials")
        changelist = reverse(f"admin:review_{self.opts.model_name}_changelist")
        return HttpResponseRedirect(f"{changelist}?id_number={obj.application.candidate.id_number}")

    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        return self.change_view(request, object_id)

    def get_urls(self):
        info = (self.opts.app_label, self.opts.model_name)
        return [
            path(
                "<int:pk>/image/",
                self.admin_site.admin_view(self.image_view),
                name="{}_{}_image".format(*info),
            ),
            path(
                "<int:pk>/image/rotate/",
                self.admin_site.admin_view(require_POST(self.image_rotate_view)),
                name="{}_{}_image_rotate".format(*info),
            ),
            *super().get_urls(),
        ]

    def image_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The certificate image: personal data, streamed only within the user's 核验 scope;
        `?thumb=1` its thumbnail (core.thumbnails), as private."""
        obj = self._object_or_404(request, pk)
        if not obj.image:
            raise Http404("文件不存在。")
        thumb = request.GET.get("thumb") == "1"
        access_record(
            request,
            kind=Kind.FILE,
            application_id=obj.application_id,
            candidate_id=obj.application.candidate_id,
            what=file_label(obj.image),
            data={"file": obj.image.name, "thumb": thumb or None},
        )
        if thumb:
            return thumbnail_response(obj.image)
        return file_response(obj.image)

    def image_rotate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The image viewer saves a rotation of the certificate (JSON)."""
        obj = self._object_or_404(request, pk)
        return rotation_post(
            request,
            application=obj.application,
            kind=obj._meta.concrete_model._meta.model_name,
            obj_id=obj.pk,
        )

    # --- export ---------------------------------------------------------------------------

    def export_action(self, request: HttpRequest) -> HttpResponse:
        """The filtered list (in the user's 导出 scope) as xlsx, streamed by the registry's
        exporter; over settings.JOB_THRESHOLD_ROWS rows a background job (我的任务) instead."""
        return registry_export(
            request,
            identifier=self.exporter.identifier,
            back_url=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
        )

    # --- 批量核验 ----------------------------------------------------------------------------

    def _filtered_queryset(self, request: HttpRequest) -> QuerySet:
        """What the list shows with the request's filters (all pages, in the user's scope):
        the changelist's own queryset, without fetching a page of results."""
        return ExportMixin.get_export_queryset(self, request)

    def _verify_form(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        count: int,
        mode: str,
        hidden: list[tuple[str, str]],
    ) -> TemplateResponse:
        by_status = dict(
            queryset.order_by()
            .values_list("verification_status")
            .annotate(n=Count("id"))
            .values_list("verification_status", "n")
        )
        changelist = reverse(f"admin:review_{self.opts.model_name}_changelist")
        query = request.GET.urlencode()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"批量核验 · {self.opts.verbose_name}",
            "label": self.opts.verbose_name,
            "mode": mode,
            "count": count,
            "by_status": [
                (label, by_status.get(code, 0)) for code, label in VerificationStatus.choices
            ],
            "filters": self._filter_summary(request) if mode == "filtered" else [],
            "outcomes": workflow.VERIFICATION_OUTCOME_CHOICES,
            "outcome": request.POST.get("outcome", ""),
            "remark_value": request.POST.get("remark", ""),
            "hidden": hidden,
            "back_url": f"{changelist}?{query}" if query else changelist,
            "material_tabs": material_tabs(self.model),
        }
        return TemplateResponse(request, "review/admin/material_verify.html", context)

    def _filter_summary(self, request: HttpRequest) -> list[tuple[str, str]]:
        """The active filters in words, so the reviewer sees what "all" means."""
        summary = []
        for spec in self.get_changelist_instance(request).filter_specs:
            value = spec.value() if hasattr(spec, "value") else None
            if not value:
                continue
            choices = dict(getattr(spec, "lookup_choices", None) or [])
            summary.append((str(spec.title), str(choices.get(value, value))))
        return summary

    def _apply(self, request: HttpRequest, ids: list[int]) -> int | None:
        """Run the service; the outcome as an admin message. None when refused."""
        outcome = request.POST.get("outcome", "")
        try:
            count = verification.material_verify_batch(
                actor=request.user,
                model=self.model,
                material_ids=ids,
                outcome=outcome,
                remark=request.POST.get("remark", ""),
            )
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None
        label = workflow.VERIFICATION_OUTCOMES[outcome].label
        unchanged = len(set(ids)) - count
        text = f"已批量核验 {count} 条{self.opts.verbose_name}：{label}。"
        if unchanged:
            text += f"另有 {unchanged} 条原已是“{label}”，未改动。"
        self.message_user(request, text, messages.SUCCESS if count else messages.INFO)
        return count

    @admin.action(description="批量核验所选材料", permissions=["verify"])
    def verify_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """The ticked rows (or, with 全选, every row the filters match): a confirmation page
        choosing 核验通过 / 核验不通过 and one 核验备注, then the service."""
        select_across = request.POST.get("select_across") == "1"
        posted = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if select_across:
            ids = list(queryset.values_list("pk", flat=True))
        else:
            # The posted ids, not the scoped queryset: the service refuses a batch that
            # reaches outside the user's scope rather than silently shrinking it.
            ids = [int(pk) for pk in posted if pk.isdigit()]
        if "verify_confirm" in request.POST and self._apply(request, ids) is not None:
            return None  # back to the list, filters kept
        hidden = [("action", "verify_selected"), ("select_across", "1" if select_across else "0")]
        hidden += [(helpers.ACTION_CHECKBOX_NAME, pk) for pk in posted]
        return self._verify_form(request, queryset, count=len(ids), mode="selected", hidden=hidden)

    @action(description="批量核验", icon="task_alt", url_path="verify-all", permissions=["verify"])
    def verify_all(self, request: HttpRequest) -> HttpResponse:
        """Everything the current filters match, on all pages: GET shows how many, POST
        applies (refused if the number changed in between)."""
        changelist = reverse(f"admin:review_{self.opts.model_name}_changelist")
        try:
            queryset = self._filtered_queryset(request)
        except IncorrectLookupParameters:
            self.message_user(request, "筛选条件无效，请重新选择。", messages.ERROR)
            return HttpResponseRedirect(changelist)
        ids = list(queryset.values_list("pk", flat=True))
        if request.method == "POST" and "verify_confirm" in request.POST:
            expected = request.POST.get("expected_count", "")
            if expected != str(len(ids)):
                self.message_user(
                    request,
                    f"符合筛选条件的{self.opts.verbose_name}已由 {expected} 条变为 {len(ids)} 条，"
                    "未核验任何材料。请确认数量后重新提交。",
                    messages.ERROR,
                )
            elif self._apply(request, ids) is not None:
                query = request.GET.urlencode()
                return HttpResponseRedirect(f"{changelist}?{query}" if query else changelist)
        hidden = [("expected_count", str(len(ids)))]
        return self._verify_form(request, queryset, count=len(ids), mode="filtered", hidden=hidden)


@admin.register(VerifyEducation)
class VerifyEducationAdmin(MaterialVerifyAdmin):
    exporter = EducationExporter
    list_filter = EDUCATION_FILTERS


@admin.register(VerifyNurseLicense)
class VerifyNurseLicenseAdmin(MaterialVerifyAdmin):
    exporter = NurseLicenseExporter


@admin.register(VerifyPhysicianLicense)
class VerifyPhysicianLicenseAdmin(MaterialVerifyAdmin):
    exporter = PhysicianLicenseExporter


@admin.register(VerifyPhysicianQualification)
class VerifyPhysicianQualificationAdmin(MaterialVerifyAdmin):
    exporter = PhysicianQualificationExporter


@admin.register(VerifyTitle)
class VerifyTitleAdmin(MaterialVerifyAdmin):
    exporter = TitleExporter
    list_filter = TITLE_FILTERS


@admin.register(VerifySupplementary)
class VerifySupplementaryAdmin(MaterialVerifyAdmin):
    exporter = SupplementaryExporter
