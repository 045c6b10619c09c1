"""The worker's passes (and recording a visit) lock the case row only, never the rows it joins (the item version every
case of the item points to, the application). Found by ``bench/faults.py``: the lights job took
``FOR UPDATE`` on the shared item version while it waited for the trail head; every request
that committed a new case of that item (its foreign-key check takes KEY SHARE on the version)
then waited for the job, which waited for them: a deadlock on each case of each pass.

Tested with a second, real connection that asks for the lock a foreign-key check takes, from
inside the job's transaction."""

from __future__ import annotations

from typing import Any

import pytest

from onetrip.cases import services
from onetrip.cases.services import sweep

from .conftest import apply, at

pytestmark = [pytest.mark.postgresql(reason="row locks of FOR UPDATE … OF seen from a second connection"),
              pytest.mark.django_db(transaction=True)]


def key_share_now(table: str, pk: int) -> bool:
    """Whether another connection can take the lock a foreign-key check takes, without waiting."""
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or "postgres",
                         password=s["PASSWORD"] or None, dbname=s["NAME"]) as other:
        try:
            other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE NOWAIT", [pk])  # noqa: S608
        except psycopg.errors.LockNotAvailable:
            return False
        return True


def test_the_lights_pass_locks_the_case_and_not_its_item_version_or_application(
        citizen: Any, item: Any, staff: Any, settings: Any, monkeypatch: Any) -> None:
    settings.WARNING_WORKDAYS = 1
    with at("2025-11-17"):
        case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    seen: dict[str, bool] = {}
    real = sweep.clock.recompute

    def probe(locked: Any, day: Any) -> None:
        seen["case"] = key_share_now("cases_case", locked.pk)
        seen["version"] = key_share_now("catalog_itemversion", locked.version_id)
        seen["application"] = key_share_now("cases_application", locked.application_id)
        real(locked, day)

    monkeypatch.setattr(sweep.clock, "recompute", probe)
    with at("2025-11-19"):
        services.tick()
    case.refresh_from_db()
    assert case.light == "warning"
    assert seen == {"case": False, "version": True, "application": True}


def test_recording_a_visit_locks_the_case_and_not_its_item_version(
        citizen: Any, item: Any, staff: Any, monkeypatch: Any) -> None:
    from onetrip.cases.services import visits

    case = apply(citizen)
    seen: dict[str, bool] = {}
    real = visits.add_visit

    def probe(locked: Any, *args: Any, **kwargs: Any) -> Any:
        seen["case"] = key_share_now("cases_case", locked.pk)
        seen["version"] = key_share_now("catalog_itemversion", locked.version_id)
        return real(locked, *args, **kwargs)

    monkeypatch.setattr(visits, "add_visit", probe)
    services.record_visit(case=case, reason="submit", actor=staff.clerk)
    assert seen == {"case": False, "version": True}
