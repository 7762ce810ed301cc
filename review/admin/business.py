"""选择业务 (seed 003 §1): the page a reviewer with several businesses lands on after login,
and reaches from the header's 当前业务 at any time. Registered through UNFOLD["SITE_VIEWS"]."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView
from unfold.views import UnfoldSiteViewMixin

from core.errors import ServiceError
from exam.models.projects import ENTRY_TIER
from review.business import business_choices, business_choose, business_remember

KIND_NOTES = {
    "health_qualification": "考生经所在单位报名，单位、县区、市州、省级逐级审核。",
    "tcm_expertise": "考生在县级卫生健康部门报名，县区、市州、省级逐级审核。",
}


class BusinessView(UnfoldSiteViewMixin, TemplateView):
    title = "选择业务"
    template_name = "review/admin/business.html"

    def has_permission(self) -> bool:
        user = self.request.user
        return user.is_authenticated and user.is_active and user.is_staff

    def _next(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return reverse("admin:index")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        current = getattr(self.request, "business", None)
        choices = business_choices(user=self.request.user)
        context.update(
            choices=[
                {
                    "project": project,
                    "note": KIND_NOTES.get(project.kind, ""),
                    "entry_tier": ENTRY_TIER[project.kind],
                    "current": current is not None and current.id == project.pk,
                }
                for project in choices
            ],
            next=self._next(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            project_id = int(request.POST.get("project", ""))
        except ValueError:
            messages.error(request, "请选择要办理的业务。")
            return HttpResponseRedirect(request.get_full_path())
        try:
            business = business_choose(user=request.user, project_id=project_id)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path())
        business_remember(request, business)
        messages.success(request, f"当前业务：{business.name}")
        return HttpResponseRedirect(self._next())
