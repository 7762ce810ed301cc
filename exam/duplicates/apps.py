from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "exam.duplicates"
    label = "duplicates"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "查重"
