"""Sign-ups racing the deadline, on real concurrent connections (PostgreSQL, one connection per
thread): agencies sign up just before and just after the deadline while the selection runs at it.
No sign-up is recorded at or after the deadline, and none commits after the selection read the
candidates: the draw's published list is exactly the sign-ups that were accepted."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from onetrip.agencies import services
from onetrip.agencies.models import Purchase, PurchaseState, SignUp
from onetrip.cases.rules import Refused

from .agency_fixtures import build_market, post
from .test_hall_concurrency import PG, in_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql(reason=PG)]

OFFSETS = [-0.3, -0.2, -0.1, -0.05, -0.01, 0.0, 0.01, 0.05, 0.1, 0.2]  # seconds from the deadline


def sleep_until(when: dt.datetime) -> None:
    wait = (when - timezone.now()).total_seconds()
    if wait > 0:
        time.sleep(wait)


def test_sign_ups_at_the_deadline_and_the_selection_agree(catalog_admin):
    m = build_market(catalog_admin, n=len(OFFSETS))
    p = post(m)
    deadline = timezone.now() + dt.timedelta(seconds=3)
    Purchase.objects.filter(pk=p.pk).update(signup_deadline=deadline)

    def signer(i: int):
        agency, owner = m.agencies[i]

        def run():
            sleep_until(deadline + dt.timedelta(seconds=OFFSETS[i]))
            try:
                services.sign_up(actor=owner, purchase=Purchase(pk=p.pk), agency=agency)
            except Refused as exc:
                return (OFFSETS[i], exc.code)
            return (OFFSETS[i], "signed")
        return run

    def selector():
        sleep_until(deadline)
        for _ in range(100):
            try:
                return ("select", services.select(actor=None, purchase=Purchase(pk=p.pk)).state)
            except Refused as exc:
                if exc.code != "too_early":
                    return ("select", exc.code)
                time.sleep(0.005)
        return ("select", "gave up")

    results, errors = in_threads([signer(i) for i in range(len(OFFSETS))] + [selector])
    assert errors == []
    outcome = dict(r for r in results if r[0] != "select")
    assert ("select", PurchaseState.SELECTED) in results
    # well before the deadline: accepted; at it and after: refused
    assert all(outcome[o] == "signed" for o in OFFSETS if o <= -0.1)
    assert all(outcome[o] == "closed" for o in OFFSETS if o >= 0)
    p.refresh_from_db()
    signed = SignUp.objects.filter(purchase=p)
    assert all(s.at < deadline for s in signed)
    assert p.candidates == sorted(s.agency.uscc for s in signed.select_related("agency"))
    assert signed.count() == sum(1 for v in outcome.values() if v == "signed")


def test_one_agency_signing_up_twice_at_once_is_recorded_once(catalog_admin):
    m = build_market(catalog_admin, n=1)
    p = post(m)
    agency, owner = m.agencies[0]

    def run():
        try:
            services.sign_up(actor=owner, purchase=Purchase(pk=p.pk), agency=agency)
        except Refused as exc:
            return exc.code
        return "signed"

    results, errors = in_threads([run] * 6)
    assert errors == []
    assert sorted(results) == ["signed"] + ["signed_up"] * 5
    assert SignUp.objects.filter(purchase=p).count() == 1
