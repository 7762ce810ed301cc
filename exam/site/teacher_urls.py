"""/recommend/…: the teacher's phone pages, reached by the candidate's QR code (no login)."""

from django.urls import path

from exam.site import teacher

app_name = "recommend"

urlpatterns = [
    path("done/", teacher.done, name="done"),
    path("<str:token>/", teacher.start, name="start"),
    path("<str:token>/identity/", teacher.identity, name="identity"),
    path("<str:token>/sign/", teacher.sign, name="sign"),
]
