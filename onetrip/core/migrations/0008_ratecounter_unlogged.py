"""Rate counters need no WAL: on PostgreSQL the table becomes UNLOGGED (a crash only resets the
counts), so counting a lookup costs no disk flush at commit."""

from django.db import migrations


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("core", "0007_trail_chains_and_checkpoints")]

    operations = [migrations.RunPython(unlogged, logged)]
