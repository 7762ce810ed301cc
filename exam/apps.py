from django.apps import AppConfig


class ExamConfig(AppConfig):
    name = "exam"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "考试与报名"

    def ready(self) -> None:
        from exam import (
            audit_actions,
            imports,  # noqa: F401  (registers exam's importers, people/importers.py)
        )

        audit_actions.register()
