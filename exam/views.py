from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from exam.models import ExamProject


def landing(request: HttpRequest) -> HttpResponse:
    """Public landing page: current projects and the two ways in."""
    projects = ExamProject.objects.filter(is_active=True).order_by("-year", "kind")
    return render(request, "exam/landing.html", {"projects": projects})
