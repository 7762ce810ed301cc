from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "review.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "后台任务"

    def ready(self) -> None:
        # The import mixin sits in people, below the job queue: it is told here how a large
        # upload becomes a background job.
        from people.admin.imports import import_offload_set
        from review.jobs.offload import import_as_job

        import_offload_set(import_as_job)
