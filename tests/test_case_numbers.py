"""Case numbers: readable, printed on every notice, unique even with several processes."""

import datetime as dt
import re
import threading

import pytest

from onetrip.cases.services import next_case_number


@pytest.mark.django_db
def test_numbers_are_district_date_and_sequence():
    day = dt.date(2026, 11, 27)
    assert next_case_number(day) == "430703-20261127-000001"
    assert next_case_number(day) == "430703-20261127-000002"
    assert next_case_number(dt.date(2026, 11, 28)) == "430703-20261128-000001"
    assert re.fullmatch(r"\d{6}-\d{8}-\d{6}", next_case_number(day))


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="concurrent writers need separate connections that really overlap")
def test_numbers_stay_unique_with_concurrent_writers():
    from django.db import connections

    day = dt.date(2026, 11, 27)
    numbers: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def worker():
        try:
            mine = [next_case_number(day) for _ in range(25)]
            with lock:
                numbers.extend(mine)
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
    assert len(numbers) == 200 and len(set(numbers)) == 200
    assert max(numbers) == "430703-20261127-000200"
