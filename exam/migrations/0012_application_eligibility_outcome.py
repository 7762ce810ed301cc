# The list's 报考条件 filter reads a copy of each application's stored outcome on the
# application itself (exam.eligibility.services keeps it), filled here from the results
# already stored; the index is built after the fill, which is faster than keeping it
# during it.

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def copy_outcomes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # One join instead of a look-up per row (a few seconds for 200,000 applications).
        schema_editor.execute(
            "UPDATE exam_application SET eligibility_outcome = r.outcome"
            " FROM exam_eligibilityresult r WHERE r.application_id = exam_application.id"
        )
        return
    Application = apps.get_model("exam", "Application")
    EligibilityResult = apps.get_model("exam", "EligibilityResult")
    results = EligibilityResult.objects.filter(application=OuterRef("pk"))
    Application.objects.filter(Exists(results)).update(
        eligibility_outcome=Subquery(results.values("outcome")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("exam", "0011_eligibility_result"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="eligibility_outcome",
            field=models.CharField(
                blank=True,
                choices=[("eligible", "符合"), ("ineligible", "不符合"), ("manual", "需人工核实")],
                editable=False,
                max_length=16,
                verbose_name="报考条件",
            ),
        ),
        migrations.RunPython(copy_outcomes, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["eligibility_outcome", "-submitted_at", "-id"], name="app_elig_recent"
            ),
        ),
    ]
