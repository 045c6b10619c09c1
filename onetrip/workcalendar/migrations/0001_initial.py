"""The calendar's models move from ``core`` to ``workcalendar``. Only Django's idea of where they
live changes: the tables ``core_calendaryear`` and ``core_holiday`` keep their names and rows
(``db_table``), so nothing is copied. The content types move with them, so the admin log and any
permissions granted on the models stay attached."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("calendaryear", "holiday")


def move_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not content_type.objects.using(db).filter(app_label="workcalendar", model=model).exists():
            content_type.objects.using(db).filter(app_label="core", model=model).update(app_label="workcalendar")


def move_content_types_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not content_type.objects.using(db).filter(app_label="core", model=model).exists():
            content_type.objects.using(db).filter(app_label="workcalendar", model=model).update(app_label="core")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("core", "0002_holiday_calendaryear"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Holiday',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(unique=True, verbose_name='date')),
                        ('kind', models.CharField(choices=[('holiday', 'public holiday (day off)'), ('workday', 'make-up working day (调休)')], max_length=16, verbose_name='kind')),
                        ('name', models.CharField(help_text='The holiday it belongs to, e.g. 春节.', max_length=64, verbose_name='name')),
                        ('year', models.PositiveSmallIntegerField(db_index=True, editable=False, verbose_name='year')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ],
                    options={
                        'verbose_name': 'holiday or make-up working day',
                        'verbose_name_plural': 'holidays and make-up working days',
                        'db_table': 'core_holiday',
                        'ordering': ['date'],
                    },
                ),
                migrations.CreateModel(
                    name='CalendarYear',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='year')),
                        ('loaded_at', models.DateTimeField(verbose_name='loaded at')),
                        ('source_note', models.TextField(blank=True, help_text='The notice the table was taken from, e.g. 国务院办公厅关于2027年部分节假日安排的通知.', verbose_name='source')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('loaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='loaded by')),
                    ],
                    options={
                        'verbose_name': 'calendar year',
                        'verbose_name_plural': 'calendar years',
                        'db_table': 'core_calendaryear',
                        'ordering': ['-year'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
