"""The province's reviewer group decides manual 实名认证 requests (global permission)."""

from django.db import migrations


def grant(apps, schema_editor):
    Institution = apps.get_model("people", "Institution")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="people", model="identityverification"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="change_identityverification",
        defaults={"name": "Can change 实名认证"},
    )
    for institution in Institution.objects.filter(
        tier="province", reviewer_group__isnull=False
    ).select_related("reviewer_group"):
        institution.reviewer_group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_physician"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
