from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "审核"

    def ready(self) -> None:
        from core.audit import register_actions
        from people.admin.imports import import_offload_set
        from review import (
            business,  # noqa: F401  (connects the login signal)
            eligibility,
            file_display,
            purge,
            workflow,
        )
        from review.imports import (  # noqa: F401  (register review's importers)
            decisions,
            payments,
            reference_records,
        )
        from review.jobs.offload import import_as_job

        register_actions(workflow.LOG_LABELS, state_labels=workflow.LOG_STATE_LABELS)
        register_actions(eligibility.LOG_LABELS, state_labels=eligibility.LOG_STATE_LABELS)
        register_actions(file_display.LOG_LABELS)
        register_actions(purge.LOG_LABELS)
        # The import mixin sits in people, below the job queue: it is told here how a large
        # upload becomes a background job.
        import_offload_set(import_as_job)
