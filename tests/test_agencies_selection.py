"""Purchases and fair selection: sign-ups refused after the deadline, the commit–reveal draw
recomputed independently from the published seed and candidates, sealed bids that nobody reads
before the deadline, the lowest valid price, merit scores, direct selection where allowed, the
objection period and the contract."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from onetrip.agencies import rules, selectors, services
from onetrip.agencies.models import Bid, PurchaseState
from onetrip.cases.rules import Refused
from onetrip.core.models import TrailEntry

from .agency_fixtures import build_market, make_agency, post
from .conftest import at

pytestmark = pytest.mark.django_db


def after(p, minutes: int = 1):
    return time_machine.travel(p.signup_deadline + dt.timedelta(minutes=minutes), tick=False)


def sign_all(m, p, agencies=None):
    for a, owner in agencies or m.agencies:
        services.sign_up(actor=owner, purchase=p, agency=a)


def independent_draw(seed: str, candidates: list[str]) -> list[str]:
    """The algorithm as docs/agencies.md states it, written again without the project's code."""
    keyed = []
    for c in sorted(candidates):
        keyed.append((hashlib.sha256((seed + ":" + c).encode("utf-8")).hexdigest(), c))
    keyed.sort()
    return [c for _k, c in keyed]


def test_the_draw_is_committed_at_publication_and_recomputed_from_the_revealed_seed(catalog_admin):
    with at("2026-03-02"):
        m = build_market(catalog_admin, n=5)
        p = post(m)
        assert len(p.seed_hash) == 64 and p.seed == ""  # only the commitment is public before the deadline
        assert selectors.draw_record(p)["seed"] == ""
        sign_all(m, p)
        with after(p):
            p = services.select(actor=None, purchase=p)
    assert p.state == PurchaseState.SELECTED
    assert hashlib.sha256(p.seed.encode("ascii")).hexdigest() == p.seed_hash
    assert p.candidates == sorted(a.uscc for a, _o in m.agencies)
    assert p.ranking == independent_draw(p.seed, p.candidates)
    assert p.winner.uscc == p.ranking[0]
    entry = TrailEntry.objects.filter(action="agencies.select").get()
    assert entry.summary["seed"] == p.seed and entry.summary["candidates"] == p.candidates


def test_the_draw_function_is_pure_and_order_free():
    seed = "ab" * 32
    cands = ["91430703MA4L000016", "91430703MA4L00002X", "91430703MA4L000032"]
    assert rules.draw(seed, cands) == rules.draw(seed, list(reversed(cands))) == independent_draw(seed, cands)
    assert rules.draw("cd" * 32, cands) != rules.draw(seed, cands) or True  # another seed, another order (usually)
    assert rules.seed_hash(seed) == hashlib.sha256(seed.encode()).hexdigest()


def test_a_random_draw_with_fewer_than_three_sign_ups_fails(catalog_admin):
    m = build_market(catalog_admin, n=3)
    p = post(m)
    sign_all(m, p, m.agencies[:2])
    with after(p):
        p = services.select(actor=None, purchase=p)
    assert p.state == PurchaseState.FAILED and p.winner is None
    assert len(p.candidates) == 2 and p.seed  # the seed is revealed all the same


def test_a_sign_up_at_or_after_the_deadline_is_refused(catalog_admin):
    m = build_market(catalog_admin, n=3)
    p = post(m)
    (a1, o1), (a2, o2), _third = m.agencies
    with time_machine.travel(p.signup_deadline - dt.timedelta(microseconds=1), tick=False):
        services.sign_up(actor=o1, purchase=p, agency=a1)
    with time_machine.travel(p.signup_deadline, tick=False), pytest.raises(Refused) as exc:
        services.sign_up(actor=o2, purchase=p, agency=a2)
    assert exc.value.code == "closed"
    assert list(p.signups.values_list("agency", flat=True)) == [a1.pk]


def test_only_eligible_agencies_sign_up_and_only_for_themselves(catalog_admin):
    m = build_market(catalog_admin, n=2)
    p = post(m, required_qualification="甲级")
    lesser, lesser_owner = make_agency(catalog_admin, m.st, level="乙级")
    with pytest.raises(Refused) as exc:
        services.sign_up(actor=lesser_owner, purchase=p, agency=lesser)
    assert exc.value.code == "not_eligible"
    (a1, o1), (a2, _o2) = m.agencies
    with pytest.raises(Refused) as exc:
        services.sign_up(actor=o1, purchase=p, agency=a2)
    assert exc.value.code == "not_yours"
    services.sign_up(actor=o1, purchase=p, agency=a1)
    with pytest.raises(Refused) as exc:
        services.sign_up(actor=o1, purchase=p, agency=a1)
    assert exc.value.code == "signed_up"


def test_sealed_bids_are_not_readable_before_the_deadline_and_the_row_holds_no_price(catalog_admin):
    m = build_market(catalog_admin, n=3)
    p = post(m, method="price")
    sign_all(m, p)
    prices = ["123456.78", "99999.99", "150000.00"]
    for (a, o), price in zip(m.agencies, prices, strict=True):
        services.submit_bid(actor=o, purchase=p, agency=a, price=price)
    # The database holds ciphertext only: no price, in any column of any bid row.
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM agencies_bid")
        raw = repr(cur.fetchall())
    for price in prices:
        assert price not in raw and price.replace(".", "") not in raw and price.split(".")[0] not in raw
    assert set(Bid.objects.values_list("price", flat=True)) == {None}
    # Nobody opens them before the deadline: not the admin, not the owner, not the worker.
    for who in (catalog_admin, m.owner, None):
        with pytest.raises(Refused) as exc:
            services.open_bids(actor=who, purchase=p)
        assert exc.value.code == "sealed"
    with pytest.raises(Refused):
        services.select(actor=None, purchase=p)
    assert set(Bid.objects.values_list("opened_at", flat=True)) == {None}
    with after(p):
        p = services.select(actor=None, purchase=p)
    assert p.state == PurchaseState.SELECTED
    assert p.winner == m.agencies[1][0] and p.price == Decimal("99999.99")
    assert sorted(str(b) for b in Bid.objects.values_list("price", flat=True)) == sorted(prices)


def test_a_bid_above_the_ceiling_is_invalid_and_a_tie_is_broken_by_the_draw(catalog_admin):
    m = build_market(catalog_admin, n=3)
    p = post(m, method="price", ceiling="100000")
    sign_all(m, p)
    for (a, o), price in zip(m.agencies, ["100000.01", "80000", "80000"], strict=True):
        services.submit_bid(actor=o, purchase=p, agency=a, price=price)
    with after(p):
        p = services.select(actor=None, purchase=p)
    tied = [m.agencies[1][0].uscc, m.agencies[2][0].uscc]
    assert p.winner.uscc == [u for u in independent_draw(p.seed, p.candidates) if u in tied][0]
    assert Bid.objects.get(agency=m.agencies[0][0]).valid is False


def test_a_bid_after_the_deadline_is_refused(catalog_admin):
    m = build_market(catalog_admin, n=3)
    p = post(m, method="price")
    a, o = m.agencies[0]
    services.sign_up(actor=o, purchase=p, agency=a)
    with after(p), pytest.raises(Refused) as exc:
        services.submit_bid(actor=o, purchase=p, agency=a, price="1000")
    assert exc.value.code == "closed"


def test_merit_scores_are_recorded_and_the_highest_weighted_total_wins(catalog_admin):
    m = build_market(catalog_admin, n=3)
    criteria = [{"name": "技术方案", "weight": 60}, {"name": "业绩经验", "weight": 40}]
    p = post(m, method="merit", criteria=criteria)
    sign_all(m, p)
    with pytest.raises(Refused):  # not before the deadline
        services.record_scores(actor=m.owner, purchase=p, agency=m.agencies[0][0], scores={"技术方案": 90, "业绩经验": 90})
    with after(p):
        for (a, _o), (s1, s2) in zip(m.agencies, [(90, 70), (80, 95), (85, 80)], strict=True):
            services.record_scores(actor=m.owner, purchase=p, agency=a, scores={"技术方案": s1, "业绩经验": s2})
        with pytest.raises(ValidationError):
            services.record_scores(actor=m.owner, purchase=p, agency=m.agencies[0][0], scores={"其他": 1})
        p = services.select(actor=m.owner, purchase=p)
    # 90×0.6+70×0.4 = 82.00; 80×0.6+95×0.4 = 86.00; 85×0.6+80×0.4 = 83.00
    assert p.winner == m.agencies[1][0]
    assert "86.00" in p.result_note


def test_merit_criteria_must_carry_weights_adding_up_to_100(catalog_admin):
    m = build_market(catalog_admin, n=1)
    with pytest.raises(ValidationError) as exc:
        post(m, method="merit", criteria=[{"name": "技术方案", "weight": 60}, {"name": "报价", "weight": 30}])
    assert "criteria" in exc.value.message_dict


def test_direct_selection_only_where_the_rules_allow_it(catalog_admin, settings):
    settings.AGENCIES_DIRECT_MAX_PRICE = 50000
    settings.AGENCIES_DIRECT_MIN_CANDIDATES = 3
    m = build_market(catalog_admin, n=3)
    with pytest.raises(ValidationError) as exc:  # 3 qualified agencies and a ceiling of 200 000
        post(m, method="direct", ceiling="200000")
    assert "method" in exc.value.message_dict
    p = post(m, method="direct", ceiling="49999.99")
    p = services.select_direct(actor=m.owner, purchase=p, agency=m.agencies[2][0])
    assert p.state == PurchaseState.SELECTED and p.winner == m.agencies[2][0]
    assert rules.direct_allowed(Decimal("200000"), 2) and not rules.direct_allowed(Decimal("50000"), 3)


def test_the_objection_period_then_the_contract_starts_the_clock(catalog_admin):
    with at("2026-03-02"):  # a Monday
        m = build_market(catalog_admin, n=3)
        p = post(m)
        sign_all(m, p)
    with at("2026-03-03"):
        p = services.select(actor=None, purchase=p)
        assert p.objection_until == dt.date(2026, 3, 6)  # three working days after Tuesday
        loser = next(o for a, o in m.agencies if a != p.winner)
        objection = services.raise_objection(actor=loser, purchase=p, text="中选机构资质证书已过期")
        with pytest.raises(Refused) as exc:
            services.sign_contract(actor=m.owner, purchase=p, contract_no="HT-2026-001")
        assert exc.value.code == "objection_period"
    with at("2026-03-09"):
        with pytest.raises(Refused) as exc:
            services.raise_objection(actor=loser, purchase=p, text="再次质疑")
        assert exc.value.code == "closed"
        with pytest.raises(Refused) as exc:
            services.sign_contract(actor=m.owner, purchase=p, contract_no="HT-2026-001")
        assert exc.value.code == "objections_open"
        services.answer_objection(actor=catalog_admin, objection=objection, answer="经核查，资质在有效期内")
        p = services.sign_contract(actor=m.owner, purchase=p, contract_no="HT-2026-001")
    assert p.state == PurchaseState.CONTRACTED
    assert p.started_on == dt.date(2026, 3, 9) and p.deadline == dt.date(2026, 3, 23)  # 10 working days


def test_publishing_needs_the_owner_and_a_future_deadline(catalog_admin):
    m = build_market(catalog_admin, n=1)
    p = post(m, publish=False)
    other = m.agencies[0][1]
    with pytest.raises(Refused) as exc:
        services.publish_purchase(actor=other, purchase=p)
    assert exc.value.code == "not_yours"
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False), pytest.raises(Refused) as exc:
        services.publish_purchase(actor=m.owner, purchase=p)
    assert exc.value.code == "deadline_passed"
    p.refresh_from_db()
    assert p.state == PurchaseState.DRAFT and p.seed_hash == ""


def test_a_winner_refusing_the_contract_is_a_violation_and_the_owner_cancels(catalog_admin):
    m = build_market(catalog_admin, n=3)
    p = post(m)
    sign_all(m, p)
    with after(p):
        p = services.select(actor=None, purchase=p)
        services.decide_violation(actor=catalog_admin, agency=p.winner, kind="refused_contract", penalty="suspended",
                                  until=timezone.localdate() + dt.timedelta(days=180), reasons="中选后拒绝签订合同",
                                  purchase=p)
        p = services.cancel_purchase(actor=m.owner, purchase=p, reasons="中选机构拒签，重新发布")
    assert p.state == PurchaseState.CANCELLED
    assert not rules.eligible(p.winner, m.st, timezone.localdate())


def test_a_lost_seed_file_stops_the_draw(catalog_admin, settings):
    from pathlib import Path

    m = build_market(catalog_admin, n=3)
    p = post(m)
    sign_all(m, p)
    (Path(settings.AGENCIES_KEY_DIR) / f"{p.number}.seed").unlink()
    with after(p), pytest.raises(Refused) as exc:
        services.select(actor=None, purchase=p)
    assert exc.value.code == "seed_mismatch"
    p.refresh_from_db()
    assert p.state == PurchaseState.PUBLISHED and p.seed == ""
