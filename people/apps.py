from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "机构与人员"

    def ready(self) -> None:
        from people import (
            audit_actions,
            imports,  # noqa: F401  (registers people's importers, people/importers.py)
        )

        audit_actions.register()
        from core.access_log import register_viewer
        from people.access import viewer_institution

        register_viewer(viewer_institution)
