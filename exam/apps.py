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
        from exam.eligibility.fact_changes import on_physicians_changed
        from people.physician_changes import physicians_changed

        audit_actions.register()
        # A 医师库 import re-evaluates the 报考条件 naming the physicians it changed.
        physicians_changed.connect(on_physicians_changed, dispatch_uid="exam.eligibility")
