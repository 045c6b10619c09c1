"""The demo district: believable, valid, and loading it twice changes nothing."""

import pytest
from django.core.management import call_command
from stdnum.cn import ric, uscc

from onetrip.accounts.models import Company, Department, User
from onetrip.catalog.models import Bundle, ItemVersion, ServiceItem
from onetrip.core import trail
from onetrip.core.models import TrailEntry


@pytest.mark.django_db
def test_the_demo_district_loads_once(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    counts = (Department.objects.count(), ServiceItem.objects.count(), Bundle.objects.count(),
              User.objects.count(), TrailEntry.objects.count(), ItemVersion.objects.count())
    assert "admin" in out and "OneTrip-demo-2026" in out
    call_command("demo")
    assert "nothing changed" in capsys.readouterr().out
    assert counts == (Department.objects.count(), ServiceItem.objects.count(), Bundle.objects.count(),
                      User.objects.count(), TrailEntry.objects.count(), ItemVersion.objects.count())
    assert trail.verify().ok


@pytest.mark.django_db
def test_the_demo_district_is_what_the_issue_asks_for():
    call_command("demo", stdout=None)
    assert Department.objects.count() >= 12
    published = ItemVersion.objects.filter(status="published")
    assert published.count() >= 40
    assert ServiceItem.objects.filter(parent__isnull=False, current__isnull=False).count() >= 3
    assert Bundle.objects.filter(is_published=True).count() >= 3
    assert {0, 1, 2} <= set(published.values_list("max_visits", flat=True))
    assert published.filter(promised_limit_days=0).exists()
    assert published.filter(promised_limit_days__gt=0).exists()
    for name in ["个体工商户设立登记", "食品经营许可", "结婚登记", "社会保障卡申领"]:
        assert published.filter(name__contains=name).exists(), name
    # At least one item shows a version history.
    assert ServiceItem.objects.filter(versions__number=2).exists()
    # Four months of history: every window of the hall has served cases and been rated.
    import datetime as dt

    from django.utils import timezone

    from onetrip.hall.models import Window
    from onetrip.reports import selectors

    today = timezone.localdate()
    windows = selectors.by_window(today - dt.timedelta(days=120), today)
    assert len(windows) == Window.objects.count() >= 2
    assert all(f["taken_in"] and f["ratings"] and f["avg_wait_minutes"] for _w, f in windows)
    # ... and the yellow cards the job gave for its late cases and extra trips, on the dashboards.
    figures = selectors.figures(today - dt.timedelta(days=120), today - dt.timedelta(days=1))
    assert figures["yellow_cards"] >= 5 and figures["finished"] > 300
    # The 12345 line: answered on the call, waiting for the return visit, waiting for acknowledgement,
    # an anonymous report, and one past its time limit with its red light and yellow card.
    from onetrip.hotline.models import Ticket
    from onetrip.supervision.models import Card

    states = sorted(Ticket.objects.values_list("state", flat=True))
    assert states == ["closed", "dispatched", "dispatched", "finished", "in_progress"]
    late = Ticket.objects.get(state="in_progress")
    assert late.light == "overdue" and late.overdue_on == today
    assert Card.objects.filter(reason="ticket_overdue", department=late.department).count() == 1
    assert Ticket.objects.filter(anonymous=True, caller_name="", caller_mobile="").count() == 1
    # The knowledge base: five articles per published item, written from its guide; the call answered
    # at once used one; two the centre wrote; one answer proposed for the regulator to approve.
    from onetrip.hotline.models import TicketEvent
    from onetrip.knowledge.models import Article

    items = ServiceItem.objects.filter(current__isnull=False).count()
    assert Article.objects.filter(source="catalogue", state="published").count() == 5 * items
    used = TicketEvent.objects.get(action="answer_at_once").data["article"]
    assert Article.objects.get(pk=used).used_on_calls == 1
    assert Article.objects.filter(source="written").count() == 2
    assert Article.objects.get(source="ticket").state == "proposed"


@pytest.mark.django_db
def test_every_demo_identity_number_has_a_valid_check_digit():
    call_command("demo", stdout=None)
    for d in Department.objects.all():
        assert uscc.is_valid(d.uscc), d
    for c in Company.objects.all():
        assert uscc.is_valid(c.uscc), c
        assert "演示" in c.name
    for u in User.objects.exclude(resident_id=""):
        assert ric.is_valid(u.resident_id), u


@pytest.mark.django_db
def test_the_demo_marketplace_has_the_issues_flow():
    """Issue 12's flow in the demo: service types linked to items, three agencies published and one
    waiting, a draw recomputable from its published seed, sealed bids before their deadline, and a
    report delivered, confirmed, attached to the company's case and rated into the credit."""
    import hashlib

    from django.utils import timezone

    from onetrip.agencies import rules, services
    from onetrip.agencies.models import Agency, Purchase
    from onetrip.cases.models import CaseMaterial
    from onetrip.cases.rules import Refused
    from onetrip.demo import people
    from onetrip.registries.models import RegisteredCompany

    call_command("demo", "--no-history", stdout=None)
    agencies = Agency.objects.filter(uscc__in=[a["uscc"] for a in people.AGENCIES])
    assert sorted(agencies.values_list("state", flat=True)) == ["published", "published", "published", "submitted"]
    for a in agencies:
        assert uscc.is_valid(a.uscc) and RegisteredCompany.objects.filter(uscc=a.uscc, status="active").exists()
        assert a.owners.get().check_password(people.DEMO_PASSWORD)
    assert ServiceItem.objects.filter(code="430703-ZJJ-001", intermediary_services__code="SGTSC").exists()

    rep = User.objects.get(username="13907360003")
    drawn, sealed, done = Purchase.objects.filter(owner=rep).order_by("id")
    # 1. The draw: the seed matches its published hash, and recomputing it (docs/agencies.md's
    # function, written out here) gives the published winner.
    assert drawn.method == "random" and drawn.state == "selected" and len(drawn.candidates) == 3
    assert hashlib.sha256(drawn.seed.encode("ascii")).hexdigest() == drawn.seed_hash
    order = sorted(sorted(drawn.candidates),
                   key=lambda c: (hashlib.sha256(f"{drawn.seed}:{c}".encode()).hexdigest(), c))
    assert order == drawn.ranking and order[0] == drawn.winner.uscc
    # 2. Sealed bids, the deadline ahead: three bids, no price readable, opening refused.
    assert sealed.method == "price" and sealed.state == "published" and sealed.signup_deadline > timezone.now()
    assert sealed.bids.count() == 3 and not sealed.bids.filter(price__isnull=False).exists()
    assert sealed.seed == ""
    with pytest.raises(Refused):
        services.open_bids(actor=User.objects.get(username="admin"), purchase=sealed)
    # 3. Delivered on time, confirmed, attached to the company's case (same file), rated; the credit
    # counts the rating.
    assert done.state == "completed" and done.on_time is True and done.report_sha256
    assert CaseMaterial.objects.filter(application__submitted_by=rep, sha256=done.report_sha256,
                                       name="不动产权籍调查成果（房屋测绘报告）").count() == 1
    rating = done.rating
    assert rating.agency == done.winner
    credit = rules.credit(done.winner)
    r = (rating.quality + rating.timeliness + rating.attitude + rating.price) / 4
    assert credit.score == round(10 + 10 * r + 40 * 1.0)
    # The agency users are printed with the demo accounts.
    from io import StringIO

    out = StringIO()
    call_command("demo", "--no-history", stdout=out)
    for a in people.AGENCIES:
        assert a["mobile"] in out.getvalue()
