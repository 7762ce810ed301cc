"""Which page edits which section, and what every section page shares.

A section page is a function `(request, application, section) -> HttpResponse` registered
with `@section_page(kind, code)` in a module of `exam.site.sections`. The dispatcher
(`exam.site.views.section_edit`) has already checked that the application is the
candidate's own and that the section may be edited (not locked, application editable), so
a page only builds its form and saves through `save_section`.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from core.errors import ServiceError
from exam.models import Application, Section
from exam.sections import section_label
from exam.services import section_save

SectionPage = Callable[[HttpRequest, Application, Section], HttpResponse]

_PAGES: dict[tuple[str, str], SectionPage] = {}


def section_page(kind: str, *codes: str) -> Callable[[SectionPage], SectionPage]:
    def register(page: SectionPage) -> SectionPage:
        for code in codes:
            _PAGES[(kind, code)] = page
        return page

    return register


def page_for(kind: str, code: str) -> SectionPage | None:
    return _PAGES.get((kind, code))


def overview_url(application: Application) -> str:
    return reverse("apply:overview", args=[application.pk])


def section_url(application: Application, code: str) -> str:
    return reverse("apply:section", args=[application.pk, code])


def file_url(application: Application, kind: str, obj_id: int) -> str:
    """Where the owner sees a saved file (the reviewers' admin has its own view)."""
    return reverse("apply:file", args=[application.pk, kind, obj_id])


def save_section(
    request: HttpRequest,
    application: Application,
    section: Section,
    *,
    data: dict[str, Any],
    draft: bool = False,
    write: Callable[[], None] | None = None,
) -> bool:
    """Save a section through the service, which decides whether it is complete (`draft`:
    the candidate chose 暂存 or the form has errors, it stays 去完善); `write` (rows beyond
    Section.data, e.g. materials or attachments) runs inside the same transaction. A refusal
    becomes a message; `section.status` then tells whether it is complete."""
    try:
        section_save(actor=request.user, section=section, data=data, draft=draft, write=write)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return False
    label = section_label(application.project.kind, section.code)
    if section.status == Section.Status.COMPLETE:
        messages.success(request, f"“{label}”已保存。")
    else:
        messages.warning(request, f"“{label}”已暂存，尚有必填内容未完成。")
    return True


def after_save(application: Application) -> HttpResponse:
    return HttpResponseRedirect(overview_url(application))


def render_section(
    request: HttpRequest,
    application: Application,
    section: Section,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    base = {
        "application": application,
        "section": section,
        "title": section_label(application.project.kind, section.code),
        "overview_url": overview_url(application),
    }
    return render(request, template, base | (context or {}), status=status)
