"""The files of an application, found by (kind, id) and only within that application.

The review detail page and the candidate site both link to files this way; each view
first checks who may see the application, then asks here for the file.
"""

from django.db.models.fields.files import FieldFile

from exam.models import MATERIAL_MODELS, Application, Attachment, Recommender

MATERIAL_KINDS = {model._meta.model_name: model for model in MATERIAL_MODELS}


def find_file(application: Application, kind: str, obj_id: int) -> FieldFile | None:
    """The file behind a link, only if it belongs to this application."""
    if kind == "attachment":
        obj = Attachment.objects.filter(application=application, pk=obj_id).first()
        return obj.file if obj else None
    if kind == "signature":
        obj = Recommender.objects.filter(application=application, pk=obj_id).first()
        return obj.signature if obj else None
    if kind == "candidate-photo":
        candidate = application.candidate
        return candidate.photo if candidate.pk == obj_id else None
    model = MATERIAL_KINDS.get(kind)
    if model is None:
        return None
    obj = model.objects.filter(application=application, pk=obj_id).first()
    return obj.image if obj else None
