"""/apply/…: the candidate's applications. Section pages register themselves when
exam.site.sections is imported (below), so this URLconf routes them all through one view."""

from django.urls import path

import exam.site.sections  # noqa: F401  (registers the section pages)
from exam.site import access, bind, tcm_start, views
from exam.site.sections import recommendation

app_name = "apply"

urlpatterns = [
    path("", views.home, name="home"),
    path("bind/", bind.bind, name="bind"),
    path("access-log/", access.access_log, name="access_log"),
    path("tcm/start/", tcm_start.start, name="tcm_start"),
    path("<int:pk>/", views.overview, name="overview"),
    path("<int:pk>/section/<slug:code>/", views.section_edit, name="section"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("<int:pk>/detail/", views.detail_view, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/file/<slug:kind>/<int:obj_id>/", views.file_view, name="file"),
    path("staged/<str:token>/", views.staged_file, name="staged_file"),
    path(
        "<int:pk>/teacher/<int:teacher_pk>/qr/",
        recommendation.teacher_qr,
        name="teacher_qr",
    ),
]
