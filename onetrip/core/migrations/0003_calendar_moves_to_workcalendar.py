"""The calendar's models now belong to ``workcalendar`` (see its 0001 migration); ``core`` forgets
them without touching the tables, which ``workcalendar`` keeps using under their old names."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_holiday_calendaryear"),
        ("workcalendar", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Holiday"),
                migrations.DeleteModel(name="CalendarYear"),
            ],
            database_operations=[],
        ),
    ]
