from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "core.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from core.jobs import audit_actions

        audit_actions.register()
