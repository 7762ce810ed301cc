from django.contrib import admin
from django.urls import include, path

from config.health import health
from exam import views as exam_views

urlpatterns = [
    path("", exam_views.landing, name="landing"),
    path("account/", include("people.site_urls")),
    path("apply/", include("exam.site.urls")),
    path("recommend/", include("exam.site.teacher_urls")),
    path("admin/", admin.site.urls),
    # For the load balancer and monitoring: no login, only ok/failing per check.
    path("health/", health, name="health"),
]

# Chinese error pages, the admin's look under /admin/ (CSRF failures: CSRF_FAILURE_VIEW).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
