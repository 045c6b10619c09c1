import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    """Fails when a model changed without a migration."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_calendar_moves_to_workcalendar_with_its_rows():
    """A database migrated before the move keeps its loaded years and days: the models change
    app, the tables (and their rows) stay, and the content types follow the models."""
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("core", "0002_holiday_calendaryear"), ("workcalendar", None)]
    executor.migrate(before)
    old = executor.loader.project_state(
        [("core", "0002_holiday_calendaryear"), ("contenttypes", "0002_remove_content_type_name")]).apps
    content_type = old.get_model("contenttypes", "ContentType")
    content_type.objects.get_or_create(app_label="core", model="holiday")
    year = old.get_model("core", "CalendarYear").objects.create(
        year=2026, loaded_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC), source_note="国办发明电〔2025〕7号")
    old.get_model("core", "Holiday").objects.create(date=dt.date(2026, 10, 1), kind="holiday", name="国庆节",
                                                    year=2026)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.contenttypes.models import ContentType

    from onetrip.workcalendar.models import CalendarYear, Holiday

    assert CalendarYear.objects.get().pk == year.pk
    assert CalendarYear.objects.get().source_note == "国办发明电〔2025〕7号"
    assert list(Holiday.objects.values_list("date", "name")) == [(dt.date(2026, 10, 1), "国庆节")]
    assert ContentType.objects.filter(app_label="workcalendar", model="holiday").exists()
    assert not ContentType.objects.filter(app_label="core", model="holiday").exists()
