"""我要报名中医医术确有专长 (seed 000 §4.1–4.2): choose the 考生类型 and the county health bureau
of the place of apprenticeship or practice, where 现场确认 and the first review happen."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.errors import ServiceError
from exam import services
from exam.models import Application, ExamKind, ExamProject, Track
from people.models import Institution
from people.site_views import candidate_verified_required
from people.tiers import Tier


class ChainedSelect(forms.Select):
    """A <select> whose options carry `data-parent` (the value of the select above it), so
    static/site/chained-select.js can show only the matching ones; the server validates."""

    def __init__(self, parents: dict[str, str] | None = None, parent_field: str = "", attrs=None):
        super().__init__(attrs)
        self.parents = parents or {}
        if parent_field:
            self.attrs["data-chain-parent"] = f"id_{parent_field}"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        parent = self.parents.get(str(value))
        if parent:
            option["attrs"]["data-parent"] = parent
        return option


def county_bureaus() -> list[Institution]:
    """Active county health bureaus under an active city of the province tree."""
    return list(
        Institution.objects.filter(
            tier=Tier.COUNTY,
            is_active=True,
            parent__tier=Tier.CITY,
            parent__is_active=True,
        )
        .select_related("parent")
        .order_by("path")
    )


class TcmStartForm(forms.Form):
    track = forms.ChoiceField(
        label="考生类型",
        choices=Track.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择考生类型。", "invalid_choice": "请选择考生类型。"},
        help_text="不同类型填写的内容以及上传的附件会略有不同。",
    )
    city = forms.ChoiceField(
        label="跟师（实践）地点所在市州",
        error_messages={"required": "请选择市州。", "invalid_choice": "请选择有效的市州。"},
    )
    county = forms.ChoiceField(
        label="跟师（实践）地点所在区县",
        error_messages={"required": "请选择区县。", "invalid_choice": "请选择有效的区县。"},
        help_text="所选区县的卫生健康局即为现场确认和初审的地点。",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.counties = {str(c.pk): c for c in county_bureaus()}
        cities: dict[str, Institution] = {}
        for county in self.counties.values():
            cities.setdefault(str(county.parent_id), county.parent)
        self.fields["city"].choices = [("", "请选择市州")] + [
            (pk, city.name) for pk, city in sorted(cities.items(), key=lambda kv: kv[1].path)
        ]
        # The widget first: setting a field's choices passes them on to its widget.
        self.fields["county"].widget = ChainedSelect(
            parents={pk: str(c.parent_id) for pk, c in self.counties.items()},
            parent_field="city",
        )
        self.fields["county"].choices = [("", "请选择区县")] + [
            (pk, county.name) for pk, county in self.counties.items()
        ]

    def clean(self):
        cleaned = super().clean()
        county_pk, city_pk = cleaned.get("county"), cleaned.get("city")
        if county_pk and city_pk and str(self.counties[county_pk].parent_id) != city_pk:
            self.add_error("county", "所选区县不属于所选市州，请重新选择。")
        return cleaned

    @property
    def county_institution(self) -> Institution:
        return self.counties[self.cleaned_data["county"]]


def _project(request: HttpRequest) -> ExamProject:
    pk = request.GET.get("project") or request.POST.get("project") or ""
    if not pk.isdigit():
        raise Http404("考试项目不存在。")
    project = ExamProject.objects.filter(
        pk=int(pk), kind=ExamKind.TCM_EXPERTISE, is_active=True
    ).first()
    if project is None:
        raise Http404("考试项目不存在。")
    return project


@candidate_verified_required
def start(request: HttpRequest) -> HttpResponse:
    project = _project(request)
    existing = Application.objects.filter(project=project, candidate=request.candidate).first()
    if existing is not None:
        messages.info(request, f"您已报名“{project.name}”，每个项目只能申报一次。")
        return redirect("apply:overview", pk=existing.pk)
    if not project.is_registration_open():
        messages.error(request, f"“{project.name}”不在报名时间内。")
        return redirect("apply:home")
    form = TcmStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user,
                candidate=request.candidate,
                project=project,
                entry_institution=form.county_institution,
                track=form.cleaned_data["track"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"已创建申报，现场确认和初审机构：{application.entry_institution.name}。"
                "请逐项完善申报信息。",
            )
            return redirect("apply:overview", pk=application.pk)
    return render(
        request,
        "exam/site/tcm/start.html",
        {"title": "我要报名中医医术确有专长", "project": project, "form": form},
    )
