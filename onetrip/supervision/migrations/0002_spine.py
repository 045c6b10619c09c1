from django.db import migrations


class Migration(migrations.Migration):
    """RuleViolation now belongs to cases (same table); see cases 0003."""

    dependencies = [
        ('supervision', '0001_initial'),
        ('cases', '0003_spine'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='RuleViolation'),
        ]),
    ]
