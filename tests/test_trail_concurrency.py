"""The trail under concurrent writers and sealers (PostgreSQL: real row locks, one connection per thread)."""

import threading

import pytest
from django.db import connection, connections, transaction

from onetrip.core import trail
from onetrip.core.models import TrailCheckpoint, TrailEntry

PG = "concurrent writers need PostgreSQL (the in-memory SQLite test database locks tables without waiting)"


def _in_threads(targets) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def body(target) -> None:
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def _append(object_id: str, n: int):
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # waiting on a lock held elsewhere fails the test
        for i in range(n):
            with transaction.atomic():
                trail.record(actor=None, action="test.concurrent", object_type="test", object_id=object_id,
                             summary={"i": i})
    return run


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_eight_writers_on_their_own_objects_never_wait_for_each_other():
    """One writer keeps its transaction (and its chain) open throughout; the other seven append
    and commit meanwhile. With one lock for the whole trail they would wait (and time out)."""
    appended = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with transaction.atomic():
            trail.record(actor=None, action="test.held", object_type="test", object_id="held")
            appended.set()
            assert release.wait(30), "the other writers never finished"

    def writers_then_release(object_id: str):
        def run() -> None:
            assert appended.wait(10)
            _append(object_id, 25)()
        return run

    others = [writers_then_release(f"w{i}") for i in range(7)]
    done: list[BaseException] = []

    def run_others() -> None:
        done.extend(_in_threads(others))
        release.set()

    controller = threading.Thread(target=run_others)
    controller.start()
    errors = _in_threads([holder])
    controller.join(timeout=60)
    assert errors == [] and done == []
    assert TrailEntry.objects.count() == 7 * 25 + 1
    assert trail.verify().ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_eight_writers_on_one_object_keep_its_chain_straight():
    errors = _in_threads([_append("same", 20) for _ in range(8)])
    assert errors == []
    assert sorted(TrailEntry.objects.values_list("seq", flat=True)) == list(range(1, 161))
    assert trail.verify().ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason=PG)
def test_two_sealers_never_produce_overlapping_checkpoints():
    errors = _in_threads([_append(f"o{i}", 40) for i in range(8)])
    assert errors == []
    sealed: list[int] = []
    errors = _in_threads([lambda: sealed.append(trail.seal(limit=7)) for _ in range(2)] +
                         [_append("late", 10)])
    assert errors == []
    sealed.append(trail.seal(limit=7))  # whatever the race left (the late writer's last entries)
    assert sum(sealed) == TrailEntry.objects.count() == 330
    cps = list(TrailCheckpoint.objects.order_by("number"))
    assert [cp.number for cp in cps] == list(range(1, len(cps) + 1))
    assert sum(cp.count for cp in cps) == 330
    assert not TrailEntry.objects.filter(sealed_in__isnull=True).exists()
    verdict = trail.verify(public_key=trail.get_signer().public_key())
    assert verdict.ok and verdict.checkpoints == len(cps), verdict
