from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "审核"

    def ready(self) -> None:
        from core.audit import register_actions
        from review import (
            business,  # noqa: F401  (connects the login signal)
            workflow,
        )
        from review.jobs import audit_actions as job_actions

        register_actions(workflow.LOG_LABELS, state_labels=workflow.LOG_STATE_LABELS)
        job_actions.register()
