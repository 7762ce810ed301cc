# ImportLog now belongs to people (people 0005): the review app forgets the model, the table
# review_importlog and its rows stay as they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0005_importlog'),
        ('review', '0010_delete_reviewlog'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ImportLog')],
            database_operations=[],
        ),
    ]
