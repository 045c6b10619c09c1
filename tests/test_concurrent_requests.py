"""Requests that arrive at the same moment, against a real server (gunicorn, two processes with
eight threads each) on a database of its own — a SQLite file on the default set-up, a fresh
PostgreSQL database when the suite runs on PostgreSQL. Each race is started by a
threading.Barrier so that the requests really overlap; none may end in a 5xx ("database is
locked"), and a lost race is a 409 that says why."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .live import LiveServer, Response, live_server

CITIZENS = 26  # 10 pairs submitting at once, then 6 double taps
RACED_CASES = 10

# One server for the module: under pytest-xdist (--dist loadgroup) its tests share a worker.
pytestmark = pytest.mark.xdist_group("live_server")


@pytest.fixture(scope="module")
def server(tmp_path_factory: Any) -> Iterator[LiveServer]:
    from django.conf import settings

    with live_server(settings.DATABASES["default"], tmp_path_factory.mktemp("live"),
                     citizens=CITIZENS, submitted=RACED_CASES) as s:
        yield s


def at_once(*calls: Callable[[], Response]) -> list[Response]:
    """Run the calls in threads released together by a barrier; their responses in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Response]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(isinstance(r, Response) for r in results), results
    return results


def submit(server: LiveServer, token: str, application: int) -> Callable[[], Response]:
    return lambda: server.request("POST", f"/api/v1/applications/{application}/submit", token=token)


def numbers(r: Response) -> list[str]:
    return [c["number"] for c in r.body["cases"]]


def test_different_citizens_submitting_at_the_same_moment_all_succeed(server: LiveServer) -> None:
    people = server.data["citizens"][:20]
    tokens = [server.token(p["username"]) for p in people]
    got: list[str] = []
    for i in range(0, 20, 2):
        pair = at_once(*(submit(server, tokens[j], people[j]["application"]) for j in (i, i + 1)))
        assert [r.status for r in pair] == [200, 200], ([r.body for r in pair], server.log_tail())
        for r in pair:
            assert r.body["state"] == "submitted" and len(numbers(r)) == 1
            got += numbers(r)
    assert len(set(got)) == 20  # every case has its own number


def test_a_double_tap_on_submit_submits_once_and_answers_both_taps_alike(server: LiveServer) -> None:
    for person in server.data["citizens"][20:]:
        token = server.token(person["username"])
        first, second = at_once(submit(server, token, person["application"]),
                                submit(server, token, person["application"]))
        assert (first.status, second.status) == (200, 200), (first.body, second.body, server.log_tail())
        assert numbers(first) == numbers(second) and numbers(first)[0]
        assert first.body["state"] == second.body["state"] == "submitted"


def test_two_clerks_racing_accept_and_refuse_one_wins_the_other_gets_409(server: LiveServer) -> None:
    clerk1, clerk2 = (server.token(u) for u in server.data["clerks"])
    winners = []
    for number in server.data["submitted_cases"]:
        path = f"/api/v1/cases/{number}/actions"
        accept, refuse = at_once(
            lambda path=path: server.request("POST", path, {"action": "accept"}, token=clerk1),
            lambda path=path: server.request("POST", path, {"action": "refuse", "data": {"reasons": "材料不全"}},
                                             token=clerk2),
        )
        statuses = sorted([accept.status, refuse.status])
        assert statuses == [200, 409], (accept.status, accept.body, refuse.status, refuse.body, server.log_tail())
        winner, loser = (accept, refuse) if accept.status == 200 else (refuse, accept)
        assert loser.body["code"] == "wrong_state" and loser.body["detail"]
        winners.append(winner.body["state"])
        # The case is in the winner's state, and its trail has exactly one of the two decisions.
        detail = server.request("GET", f"/api/v1/cases/{number}", token=clerk1)
        assert detail.status == 200 and detail.body["state"] == winner.body["state"]
        decisions = [e["action"] for e in detail.body["timeline"] if e["action"] in {"accept", "refuse"}]
        assert len(decisions) == 1
    assert set(winners) <= {"in_review", "not_accepted"}
