from django.db import migrations


def copy_to_outbox(apps, schema_editor):
    """Queued and sent messages move to the core outbox, pointing at their case."""
    Old = apps.get_model("cases", "Notification")
    New = apps.get_model("core", "Notification")
    New.objects.bulk_create([
        New(target_type="cases.case" if n.case_id else "", target_id=str(n.case_id or ""), event="case.legacy",
            channel=n.channel, to=n.to, subject=n.subject, body=n.body, status=n.status, attempts=n.attempts,
            claimed_until=n.claimed_until, claimed_by=n.claimed_by, sent_at=n.sent_at, last_error=n.last_error)
        for n in Old.objects.all().iterator()
    ], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_outbox'),
        ('cases', '0003_spine'),
    ]

    operations = [
        migrations.RunPython(copy_to_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='Notification',
        ),
    ]
