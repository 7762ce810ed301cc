"""/account/…: the candidate's account and 实名认证."""

from django.urls import path

from people import notice_views
from people import site_views as views

app_name = "account"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.CandidateLogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("identity/", views.identity, name="identity"),
    path("identity/auto/", views.identity_auto, name="identity_auto"),
    path("identity/manual/", views.identity_manual, name="identity_manual"),
    path("identity/<int:pk>/withdraw/", views.identity_withdraw_view, name="identity_withdraw"),
    path("notices/", notice_views.notice_list, name="notices"),
    path("notices/read-all/", notice_views.notice_read_all, name="notices_read_all"),
    path("notices/<int:pk>/", notice_views.notice_open, name="notice"),
]
