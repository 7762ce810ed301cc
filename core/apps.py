from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "日志"
