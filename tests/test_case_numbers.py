"""Case numbers: readable, printed on every notice, unique even with several processes, never
handed out twice (on PostgreSQL a day's sequence, elsewhere the day's counter row)."""

import datetime as dt
import re
import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from onetrip.cases.models import CaseSequence
from onetrip.cases.services import next_case_number, numbers

DAY = dt.date(2026, 11, 27)
NEXT_DAY = dt.date(2026, 11, 28)


def _drop_sequences(*days: dt.date) -> None:
    """PostgreSQL sequences outlive a test's transaction: start each test with none for its days."""
    if connection.vendor != "postgresql":
        return
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with own.cursor() as cursor:
            for day in days:
                cursor.execute(f"DROP SEQUENCE IF EXISTS {numbers.sequence_name(day)}")
    finally:
        own.close()
    for day in days:
        numbers._created.discard(numbers.sequence_name(day))


@pytest.fixture
def fresh_days():
    # Not afterwards: a test's own transaction still holds the sequences then.
    _drop_sequences(DAY, NEXT_DAY)


@pytest.mark.django_db
def test_numbers_are_district_date_and_sequence(fresh_days):
    assert next_case_number(DAY) == "430703-20261127-000001"
    assert next_case_number(DAY) == "430703-20261127-000002"
    assert next_case_number(NEXT_DAY) == "430703-20261128-000001"
    assert re.fullmatch(r"\d{6}-\d{8}-\d{6}", next_case_number(DAY))


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="concurrent writers need separate connections that really overlap")
def test_numbers_stay_unique_with_concurrent_writers(fresh_days):
    numbers_out: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker():
        try:
            start.wait()
            mine = []
            for _ in range(25):
                with transaction.atomic():  # as in a submission: the number inside a transaction
                    mine.append(next_case_number(DAY))
            with lock:
                numbers_out.extend(mine)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(numbers_out) == 200 and len(set(numbers_out)) == 200
    assert max(numbers_out) == "430703-20261127-000200"


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="a sequence outlives a rolled-back transaction only on PostgreSQL")
def test_a_rolled_back_submission_never_gives_its_number_to_another_case(fresh_days, citizen, item):
    from .conftest import apply

    class Boom(Exception):
        pass

    # The day's first number is taken in a transaction that rolls back (so the day's sequence
    # is created inside it, too).
    with pytest.raises(Boom), transaction.atomic():
        lost = next_case_number(DAY)
        raise Boom
    assert lost == "430703-20261127-000001"
    assert next_case_number(DAY) == "430703-20261127-000002"

    # The same for a whole submission: the case and its number roll back, the number stays used.
    with pytest.raises(Boom), transaction.atomic():
        rolled_back = apply(citizen).number
        raise Boom
    kept = apply(citizen).number
    assert rolled_back and kept and kept != rolled_back
    assert kept.rsplit("-", 1)[0] == rolled_back.rsplit("-", 1)[0]
    assert int(kept.rsplit("-", 1)[1]) == int(rolled_back.rsplit("-", 1)[1]) + 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="the day's sequence exists only on PostgreSQL")
def test_the_sequence_starts_after_the_counter_of_the_code_it_replaced(fresh_days):
    CaseSequence.objects.create(day=DAY, last=41)
    assert next_case_number(DAY) == "430703-20261127-000042"
    assert next_case_number(NEXT_DAY) == "430703-20261128-000001"


@pytest.mark.django_db(transaction=True)
def test_numbers_of_a_rolled_back_transaction_are_not_held_by_any_case(fresh_days):
    """On SQLite the counter rolls back with the case: the number was never on any case or
    message (messages go out after commit), so the next case may carry it. On PostgreSQL it is
    skipped. Either way no two cases share a number."""
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        first = next_case_number(DAY)
        1 / 0  # noqa: B018
    second = next_case_number(DAY)
    third = next_case_number(DAY)
    assert first == "430703-20261127-000001"
    assert second < third
    assert second == ("430703-20261127-000002" if connection.vendor == "postgresql" else first)
