"""The table of Django's database cache, shared by every worker and server.

allauth's sign-in limits count failed passwords in the cache (README, "Sign-in limits and the
shared cache"), so the table must exist as soon as the application runs: `migrate` creates it.
It is created even when REDIS_URL points the cache at Redis, so that switching back needs
nothing more. `createcachetable` skips a table that already exists.
"""

from django.core.management import call_command
from django.db import migrations

CACHE_TABLE = "prb_cache"  # settings.CACHES["default"]["LOCATION"] without REDIS_URL


def create_cache_table(apps, schema_editor):
    call_command(
        "createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0
    )


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ("libraries", "0004_terc_pattern"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table, elidable=False),
    ]
