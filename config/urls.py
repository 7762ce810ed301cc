from django.contrib import admin
from django.urls import include, path

from exam import views as exam_views

urlpatterns = [
    path("", exam_views.landing, name="landing"),
    path("account/", include("people.site_urls")),
    path("apply/", include("exam.site.urls")),
    path("recommend/", include("exam.site.teacher_urls")),
    path("admin/", admin.site.urls),
]
