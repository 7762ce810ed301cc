"""Every ReviewLog row into core's AuditLogEntry (issue 13): the application (else the
institution) becomes the subject, the other columns go into the payload. In batches, so a
large log neither loads into memory at once nor makes one huge INSERT. The reverse copies
the rows back and removes them from the audit log."""

from django.db import migrations

BATCH = 2000
PAYLOAD = ("tier", "from_state", "to_state", "remark")


def _content_type(apps, app_label: str, model: str):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def review_log_to_audit_log(apps, schema_editor) -> None:
    ReviewLog = apps.get_model("review", "ReviewLog")
    AuditLogEntry = apps.get_model("core", "AuditLogEntry")
    if not ReviewLog.objects.exists():
        return
    application_type = _content_type(apps, "exam", "application")
    institution_type = _content_type(apps, "people", "institution")
    last = 0
    while True:
        batch = list(ReviewLog.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        entries = []
        for row in batch:
            data = {key: getattr(row, key) for key in PAYLOAD if getattr(row, key)}
            if row.institution_id is not None:
                data["institution"] = row.institution_id
            if row.application_id is not None:
                subject = (application_type, row.application_id)
            elif row.institution_id is not None:
                subject = (institution_type, row.institution_id)
            else:
                subject = (None, None)
            entries.append(
                AuditLogEntry(
                    action=row.action,
                    actor_id=row.actor_id,
                    created_at=row.created_at,
                    content_type=subject[0],
                    object_id=subject[1],
                    data=data,
                )
            )
        AuditLogEntry.objects.bulk_create(entries)
        last = batch[-1].pk


def audit_log_to_review_log(apps, schema_editor) -> None:
    ReviewLog = apps.get_model("review", "ReviewLog")
    AuditLogEntry = apps.get_model("core", "AuditLogEntry")
    application_type = _content_type(apps, "exam", "application")
    last = 0
    while True:
        batch = list(AuditLogEntry.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        ReviewLog.objects.bulk_create(
            ReviewLog(
                action=entry.action,
                actor_id=entry.actor_id,
                created_at=entry.created_at,
                application_id=(
                    entry.object_id if entry.content_type_id == application_type.pk else None
                ),
                institution_id=entry.data.get("institution"),
                **{key: entry.data.get(key, "") for key in PAYLOAD},
            )
            for entry in batch
        )
        # The historical model has no append-only guard.
        AuditLogEntry.objects.filter(pk__in=[entry.pk for entry in batch]).delete()
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_audit_log"),
        ("review", "0008_tierreview_moves_to_exam"),
    ]

    operations = [migrations.RunPython(review_log_to_audit_log, audit_log_to_review_log)]
