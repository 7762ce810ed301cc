from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "审核"

    def ready(self) -> None:
        from review import business  # noqa: F401  (connects the login signal)
