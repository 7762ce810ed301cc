from django.contrib import admin
from django.urls import path

from exam import views as exam_views

urlpatterns = [
    path("", exam_views.landing, name="landing"),
    path("admin/", admin.site.urls),
]
