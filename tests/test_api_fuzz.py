"""schemathesis over the whole OpenAPI schema, in-process against the WSGI application:
anonymous, with a citizen's token, a window clerk's and an officer's, every operation gets inputs
generated from its schema; no answer may be a server error or break the schema (status code
documented, content type, body against its response schema).

Bounded: a few examples per operation and identity (``FUZZ_EXAMPLES``, default 8), at most 2 s
per operation for all four identities together (about 60 ms a call, room for a second test process on two cores; the API has grown past 70
operations, so a fixed total would only measure its size). ``FUZZ_EXAMPLES=200`` makes a longer
hunt on a laptop.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Role

from .conftest import apply, make_user

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SECONDS_PER_OPERATION = 2.0


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """The WSGI application closes old database connections when a request starts and finishes;
    in a test that would close the connection holding the test's transaction (on PostgreSQL).
    Django's test client disconnects those handlers for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def schema(db: Any) -> Any:
    from onetrip.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


def fuzz(schema: Any, headers: dict[str, str]) -> tuple[int, list[str]]:
    """Run every operation's strategy; return how many calls were made and what failed."""
    failures: list[str] = []
    calls = [0]

    def runner(operation: Any) -> Any:
        @seed(20261129)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            calls[0] += 1
            case.validate_response(case.call(headers=headers), checks=CHECKS)

        return run

    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            runner(operation)()
        except Exception as exc:  # hypothesis re-raises the smallest failing example's report
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    return calls[0], failures


@pytest.mark.django_db(transaction=False)
def test_the_whole_schema_holds_for_anonymous_a_citizen_a_clerk_and_an_officer(schema, citizen, item, staff):
    apply(citizen)  # a case to find, so that some generated numbers are not all unknown
    identities = {
        "anonymous": {},
        "citizen": {"Authorization": f"Bearer {accounts.issue_api_token(user=citizen, name='fuzz')}"},
        "clerk": {"Authorization": f"Bearer {accounts.issue_api_token(user=staff.clerk, name='fuzz')}"},
        "officer": {"Authorization": f"Bearer {accounts.issue_api_token(user=make_user(Role.OFFICER), name='fuzz')}"},
    }
    started = time.monotonic()
    report: list[str] = []
    total = 0
    for who, headers in identities.items():
        calls, failures = fuzz(schema, headers)
        total += calls
        report += [f"[{who}] {f}" for f in failures]
    elapsed = time.monotonic() - started
    assert not report, "\n\n".join(report)
    operations = len(list(schema.get_all_operations()))
    assert operations >= 30 and total >= operations * len(identities)  # every operation was called
    budget = SECONDS_PER_OPERATION * operations * EXAMPLES / 8
    assert elapsed < budget, f"the fuzzing took {elapsed:.0f} s for {operations} operations (budget {budget:.0f} s)"
