from django.db import migrations


class Migration(migrations.Migration):
    """TierReview is exam's now (exam 0009): only the model state leaves review; the table
    review_tierreview and its rows stay as they are."""

    dependencies = [
        ("review", "0007_current_business"),
        ("exam", "0009_tierreview_moves_to_exam"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="TierReview")],
            database_operations=[],
        ),
    ]
