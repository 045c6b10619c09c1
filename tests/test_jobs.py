"""The background job runner: a failing job does not stop the next one, a failing row does not
stop the other rows, each run is recorded for the operator, and two workers never act on the
same claimed row twice (tested with real threads, each with its own database connection)."""

from __future__ import annotations

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from onetrip.accounts.models import Role
from onetrip.core import jobs
from onetrip.core.jobs import Registry, for_each_claimed
from onetrip.core.models import JobRun

from .conftest import make_user


@pytest.fixture
def registry() -> Registry:
    return Registry()


def run(registry: Registry, **kwargs) -> dict[str, jobs.Outcome]:
    return {o.name: o for o in jobs.run_due(jobs=registry, **kwargs)}


# Work items for the tests: rows of a table every install has. An item is "to do" while its
# ``runs`` is 0; claiming it sets ``runs`` to 1 (the conditional update), and handling it writes
# ``error = "handled"``.
def make_items(n: int, prefix: str = "item") -> list[JobRun]:
    now = timezone.now()
    return JobRun.objects.bulk_create([JobRun(name=f"{prefix}-{i:04d}", next_run_at=now) for i in range(n)])


def to_do(prefix: str = "item"):
    return JobRun.objects.filter(name__startswith=f"{prefix}-", runs=0)


# --- one failure stops nothing else -------------------------------------------------------------

@pytest.mark.django_db
def test_a_job_that_raises_does_not_stop_the_next_job(registry):
    @registry.job("a.broken")
    def broken() -> int:
        raise RuntimeError("the SMS gateway is down")

    @registry.job("b.fine")
    def fine() -> int:
        return 3

    outcomes = run(registry)
    assert outcomes["a.broken"].status == JobRun.Status.FAILED
    assert outcomes["b.fine"].status == JobRun.Status.OK and outcomes["b.fine"].count == 3
    broken_run = JobRun.objects.get(name="a.broken")
    assert broken_run.error == "RuntimeError: the SMS gateway is down"
    assert (broken_run.runs, broken_run.failures) == (1, 1)
    fine_run = JobRun.objects.get(name="b.fine")
    assert (fine_run.status, fine_run.count, fine_run.result, fine_run.error) == ("ok", 3, 3, "")
    assert fine_run.finished_at is not None and fine_run.started_at is not None


@pytest.mark.django_db
def test_a_row_that_raises_does_not_stop_the_other_rows(registry):
    items = make_items(5)
    handled = []

    def handle(item: JobRun) -> None:
        JobRun.objects.filter(pk=item.pk).update(error="handled")
        if item.name == "item-0002":
            raise ValueError("no mobile number")
        handled.append(item.name)

    @registry.job("rows")
    def rows() -> int:
        return for_each_claimed(to_do(), {"runs": 1}, handle)

    outcome = run(registry)["rows"]
    assert handled == ["item-0000", "item-0001", "item-0003", "item-0004"]
    assert outcome.status == JobRun.Status.PARTIAL and outcome.count == 4
    record = JobRun.objects.get(name="rows")
    assert record.status == "partial" and record.failures == 1
    assert f"core.JobRun {items[2].pk}: ValueError: no mobile number" in record.error
    failed = JobRun.objects.get(pk=items[2].pk)
    assert failed.error == "" and failed.runs == 1  # its work rolled back; its claim stays


@pytest.mark.django_db
def test_a_job_that_returns_counts_by_name_is_recorded_with_them(registry):
    registry.register("counts", lambda: {"deemed": 2, "warned": 1})
    outcome = run(registry)["counts"]
    assert (outcome.count, outcome.result) == (3, {"deemed": 2, "warned": 1})
    assert JobRun.objects.get(name="counts").result == {"deemed": 2, "warned": 1}


@pytest.mark.django_db
def test_a_job_that_returns_nonsense_is_a_failed_run(registry):
    registry.register("nonsense", lambda: "done")  # type: ignore[arg-type,return-value]
    assert run(registry)["nonsense"].status == JobRun.Status.FAILED


# --- when jobs run ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_job_runs_when_due_and_then_waits_its_period(registry):
    calls = []
    registry.register("every-minute", lambda: calls.append(1) or 1, every=60)
    registry.register("every-second", lambda: calls.append(2) or 1, every=0.5)
    assert set(run(registry)) == {"every-minute", "every-second"}
    assert run(registry) == {}  # nothing due yet
    time.sleep(0.6)
    assert set(run(registry)) == {"every-second"}
    assert set(run(registry, force=True)) == {"every-minute", "every-second"}
    assert JobRun.objects.get(name="every-minute").runs == 2


@pytest.mark.django_db
def test_only_runs_the_jobs_named(registry):
    registry.register("one", lambda: 1)
    registry.register("two", lambda: 2)
    assert set(run(registry, only=["two"])) == {"two"}
    with pytest.raises(KeyError, match="no job named three"):
        run(registry, only=["three"])


def test_two_jobs_cannot_share_a_name(registry):
    registry.register("same", lambda: 1)
    with pytest.raises(ValueError, match="two jobs are named 'same'"):
        registry.register("same", lambda: 2)
    with pytest.raises(ValueError, match="more than 0 seconds"):
        registry.register("never", lambda: 1, every=0)


def test_the_loop_stops_when_told(registry, monkeypatch):
    passes = []
    stop = threading.Event()
    monkeypatch.setattr(jobs, "run_due", lambda **kw: passes.append(1) or [])
    worker = threading.Thread(target=jobs.run_forever, kwargs={"interval": 0.01, "jobs": registry, "stop": stop})
    worker.start()
    time.sleep(0.1)
    stop.set()
    worker.join(timeout=2)
    assert not worker.is_alive() and len(passes) >= 2


# --- the command --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_worker_runs_the_cases_jobs_once_and_clock_is_its_old_name():
    out = StringIO()
    call_command("worker", "--list", stdout=out)
    listed = out.getvalue()
    assert all(f"{name}  every" in listed for name in ("cases.deemed_acceptance", "cases.lights", "core.outbox"))
    out = StringIO()
    call_command("clock", "--once", "--only", "cases.lights", stdout=out)
    assert "cases.lights: ok, 0 done" in out.getvalue() and "warned 0, overdue 0" in out.getvalue()
    assert JobRun.objects.get(name="cases.lights").status == "ok"
    assert not JobRun.objects.filter(name="core.outbox").exists()
    with pytest.raises(CommandError, match="no job named nope"):
        call_command("worker", "--once", "--only", "nope")


@pytest.mark.django_db
def test_an_operator_sees_the_runs_in_the_admin(client, department):
    JobRun.objects.create(name="cases.lights", next_run_at=timezone.now(), status="failed", error="boom")
    client.force_login(make_user(Role.SYSTEM_ADMIN))
    assert "cases.lights" in client.get("/admin/core/jobrun/").content.decode()
    record = JobRun.objects.get(name="cases.lights")
    assert "boom" in client.get(f"/admin/core/jobrun/{record.pk}/change/").content.decode()
    client.force_login(make_user(Role.CATALOG_ADMIN))
    assert client.get("/admin/core/jobrun/").status_code == 403


# --- two workers at once ------------------------------------------------------------------------

def _in_threads(n: int, target) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def body() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="concurrent writers need PostgreSQL (the in-memory SQLite test database locks tables without waiting)")
def test_two_workers_never_handle_the_same_claimed_row():
    """Both workers run the job at the same moment (forced); each of 300 rows is handled once."""
    registry = Registry()
    make_items(300)
    handled: list[str] = []
    lock = threading.Lock()

    def handle(item: JobRun) -> None:
        time.sleep(0.0005)  # give the other worker a chance to reach for the same row
        with lock:
            handled.append(item.name)

    registry.register("rows", lambda: for_each_claimed(to_do(), {"runs": 1}, handle))
    counts: list[int] = []
    errors = _in_threads(2, lambda: counts.extend(o.count for o in jobs.run_due(jobs=registry, force=True)))
    assert errors == []
    assert sorted(handled) == sorted(set(handled)) and len(handled) == 300
    assert sum(counts) == 300 and len(counts) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="concurrent writers need PostgreSQL (the in-memory SQLite test database locks tables without waiting)")
def test_a_due_job_runs_on_one_worker_only():
    registry = Registry()
    calls: list[int] = []
    registry.register("once", lambda: calls.append(1) or 1, every=60)
    errors = _in_threads(4, lambda: jobs.run_due(jobs=registry))
    assert errors == [] and calls == [1]
    assert JobRun.objects.get(name="once").runs == 1
