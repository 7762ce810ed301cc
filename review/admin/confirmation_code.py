"""本单位确认码 (seed 003 §2.6): the institution's code, a QR code of the binding link, and
重新生成 for whoever may manage the institution. Registered through UNFOLD["SITE_VIEWS"]."""

import base64
from typing import Any

import qrcode
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView
from qrcode.image.svg import SvgPathFillImage
from unfold.views import UnfoldSiteViewMixin

from core.errors import ServiceError
from exam.models import ExamProject
from exam.models.projects import ENTRY_TIER
from exam.urls_public import bind_path
from people.access import is_reviewer, own_institution
from people.models import Institution
from people.permissions import Perm, has_institution_perm
from people.services import institution_regenerate_code
from review.business import business_id

PAGE_URL_NAME = "admin:confirmation_code"
REGENERATE_URL_NAME = "admin:confirmation_code_regenerate"
NO_INSTITUTION_MESSAGE = (
    "您的账号不属于任何审核机构，没有本单位确认码。请使用机构审核人员账号登录查看。"
)


def projects_binding_at(
    institution: Institution, *, business: int | None = None
) -> QuerySet[ExamProject]:
    """Active projects whose candidates bind to an institution of this tier with its code:
    a unit's for the health exam, a county's for the TCM-expertise assessment; only the
    当前业务 `business` when given."""
    kinds = [kind for kind, tier in ENTRY_TIER.items() if tier == institution.tier]
    projects = ExamProject.objects.filter(is_active=True, kind__in=kinds)
    if business is not None:
        projects = projects.filter(pk=business)
    return projects.order_by("-year", "kind")


def qr_code_data_uri(data: str) -> str:
    """A QR code of `data` as an SVG data URI (rendered on the server, white background)."""
    image = qrcode.make(data, image_factory=SvgPathFillImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


class _InstitutionPageMixin(UnfoldSiteViewMixin):
    """Every reviewer who belongs to an institution may open the page (403 otherwise)."""

    def has_permission(self) -> bool:
        return is_reviewer(self.request)

    @property
    def institution(self) -> Institution | None:
        return own_institution(self.request)

    def can_manage(self, institution: Institution | None) -> bool:
        return institution is not None and has_institution_perm(
            self.request.user, Perm.MANAGE, institution
        )


class ConfirmationCodeView(_InstitutionPageMixin, TemplateView):
    title = "本单位确认码"
    template_name = "review/admin/confirmation_code.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        institution = self.institution
        context["institution"] = institution
        user = self.request.user
        context["current_user"] = user.get_full_name() or user.get_username()
        if institution is None:
            context["no_institution_message"] = NO_INSTITUTION_MESSAGE
            return context
        code = institution.confirmation_code
        bind_url = self.request.build_absolute_uri(bind_path(code))
        context.update(
            projects=list(projects_binding_at(institution, business=business_id(self.request))),
            code=code,
            bind_url=bind_url,
            qr_code=qr_code_data_uri(bind_url),
            can_manage=self.can_manage(institution),
            regenerate_url=reverse(REGENERATE_URL_NAME),
        )
        return context


class ConfirmationCodeRegenerateView(_InstitutionPageMixin, TemplateView):
    """GET asks for confirmation; POST regenerates through the service (which checks 管理)."""

    title = "重新生成本单位确认码"
    template_name = "review/admin/confirmation_code_regenerate.html"

    def _back(self) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse(PAGE_URL_NAME))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        institution = self.institution
        if institution is None:
            messages.error(request, NO_INSTITUTION_MESSAGE)
            return self._back()
        if not self.can_manage(institution):
            messages.error(request, f"您没有“{institution.name}”的管理权限，不能重新生成确认码。")
            return self._back()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            institution=self.institution,
            code=self.institution.confirmation_code,
            cancel_url=reverse(PAGE_URL_NAME),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        institution = self.institution
        if institution is None:
            messages.error(request, NO_INSTITUTION_MESSAGE)
            return self._back()
        try:
            updated = institution_regenerate_code(actor=request.user, institution=institution)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return self._back()
        messages.success(
            request,
            f"已重新生成本单位确认码，新确认码为 {updated.confirmation_code}，原确认码已失效。",
        )
        return self._back()
