# ImportLog moves from the review app to people (below exam and review): only Django's state
# changes; the table stays review_importlog with its rows (review 0008 drops the review model
# from the state).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0004_physician_phone_sms_message'),
        ('review', '0004_importlog'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('importer', models.CharField(db_index=True, max_length=64, verbose_name='导入类型')),
                        ('file_name', models.CharField(max_length=255, verbose_name='文件名')),
                        ('sha256', models.CharField(max_length=64, verbose_name='文件SHA-256')),
                        ('outcome', models.CharField(choices=[('applied', '已导入'), ('refused', '有错误，未导入')], max_length=16, verbose_name='结果')),
                        ('new_count', models.PositiveIntegerField(default=0, verbose_name='新增')),
                        ('updated_count', models.PositiveIntegerField(default=0, verbose_name='更新')),
                        ('unchanged_count', models.PositiveIntegerField(default=0, verbose_name='未变化')),
                        ('error_count', models.PositiveIntegerField(default=0, verbose_name='错误')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='导入时间')),
                        ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                        ('institution', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.institution', verbose_name='机构')),
                    ],
                    options={
                        'verbose_name': '导入日志',
                        'verbose_name_plural': '导入日志',
                        'ordering': ['-created_at'],
                        'db_table': 'review_importlog',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
