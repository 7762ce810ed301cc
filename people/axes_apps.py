"""django-axes' app config under a Chinese name (INSTALLED_APPS lists this one). Kept out of
people/apps.py: a second AppConfig there would stop Django picking PeopleConfig by itself."""

from axes.apps import AppConfig


class AxesConfig(AppConfig):
    verbose_name = "登录安全"
