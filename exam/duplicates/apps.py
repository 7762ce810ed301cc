from django.apps import AppConfig
from django.db.models.signals import post_delete


def _file_item_deleted(sender, instance, **kwargs) -> None:
    """A certificate's row is gone (removed, replaced, or with its teacher or application):
    its fingerprint and file matches go in the same transaction."""
    from exam.duplicates.files import fingerprint_drop, item_ref

    fingerprint_drop(item_ref(instance))


class DuplicatesConfig(AppConfig):
    name = "exam.duplicates"
    label = "duplicates"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "查重"

    def ready(self) -> None:
        from exam.models import MATERIAL_MODELS, Attachment

        for model in (Attachment, *MATERIAL_MODELS):
            post_delete.connect(_file_item_deleted, sender=model, dispatch_uid=f"dup-{model}")
