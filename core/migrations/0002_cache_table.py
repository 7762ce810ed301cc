"""The database cache's table (settings CACHES without REDIS_URL), created by `migrate` like
every other table, so no deploy or test run needs `createcachetable` too. Created whichever
cache the settings name: a deploy that drops Redis later finds it there."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "core_cache"  # settings.CACHE_TABLE


def create_table(apps, schema_editor) -> None:
    # Django's own table layout (cache_key, value, expires); it skips a table that exists.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_log")]

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
