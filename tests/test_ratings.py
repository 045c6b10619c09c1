"""好差评: five levels, 一事一评 by the invitation link (once, before it runs out), the default
rating after the period, a poor rating's rectification (deadline in working days, return visit,
closure), voiding by a supervisor only, 一次一评 at the window's rating pad, the national
satisfaction formula and the anonymised publication."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from onetrip.accounts.models import Role
from onetrip.cases.rules import Refused
from onetrip.core.jobs import run_due
from onetrip.core.models import TrailEntry
from onetrip.ratings import rules, selectors, services
from onetrip.ratings.models import (
    Invitation,
    Level,
    Rating,
    Rectification,
    RectificationState,
    VoidState,
)

from .conftest import at, make_department, make_user
from .ratings_fixtures import closed_case, token_of

pytestmark = pytest.mark.django_db


def test_the_five_levels_are_stored_as_5_to_1_and_nothing_else_is_a_level(citizen, item, staff):
    assert [(int(v), str(label)) for v, label in Level.choices] == [
        (5, "Very satisfied"), (4, "Satisfied"), (3, "Fairly satisfied"), (2, "Dissatisfied"),
        (1, "Very dissatisfied")]
    case = closed_case(citizen, staff)
    for bad in (0, 6, "x", None, True):
        with pytest.raises(ValidationError) as e:
            services.rate_case(actor=citizen, case=case, level=bad)
        assert "level" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.rate_case(actor=citizen, case=case, level=5, aspects={"attitude": 5})  # an on-site question
    assert "aspects" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.rate_case(actor=citizen, case=case, level=5, comment="好" * 501)
    assert "comment" in e.value.message_dict
    assert Rating.objects.count() == 0
    r = services.rate_case(actor=citizen, case=case, level="5", aspects={"efficiency": "4", "guide": ""},
                           comment="窗口很耐心")
    assert (r.level, r.aspects, r.channel, r.is_default, r.rater) == (5, {"efficiency": 4}, "online", False, citizen)


def test_closing_a_case_sends_one_invitation_with_an_unguessable_link_through_the_outbox(citizen, item, staff):
    case = closed_case(citizen, staff)
    token = token_of(case)
    inv = Invitation.objects.get(case=case)
    assert len(token) >= 32 and inv.token_hash == Invitation.hash_token(token) and token not in inv.token_hash
    assert inv.expires_at - inv.created_at == dt.timedelta(days=15)
    assert selectors.invitation_by_token(token).case == case
    assert selectors.invitation_by_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    with pytest.raises(Refused) as e:
        services.rate_by_invitation(token="x" * 32, level=5)
    assert e.value.code == "not_found"


def test_one_rating_per_case_by_the_link_or_the_case_page(citizen, item, staff):
    case = closed_case(citizen, staff)
    services.rate_by_invitation(token=token_of(case), level=4)
    for attempt in (lambda: services.rate_by_invitation(token=token_of(case), level=1),
                    lambda: services.rate_case(actor=citizen, case=case, level=1)):
        with pytest.raises(Refused) as e:
            attempt()
        assert e.value.code == "duplicate"
    assert Rating.objects.filter(case=case).count() == 1 and Rectification.objects.count() == 0


def test_a_case_rated_once_delivered_gets_no_invitation_when_it_closes(citizen, item, staff):
    from onetrip.cases import services as cases
    from onetrip.cases.models import State
    from onetrip.core.models import Notification

    from .conftest import apply
    from .test_case_transitions import walk

    case = walk(apply(citizen), staff, citizen, State.DELIVERED)
    services.rate_case(actor=citizen, case=case, level=4)
    cases.transition(case=case, action="close", actor=staff.clerk)
    assert not Invitation.objects.filter(case=case).exists()
    assert not Notification.objects.filter(event="ratings.invitation").exists()


def test_only_the_applicant_rates_from_the_case_page_and_only_after_the_result(citizen, item, staff):
    from .conftest import apply

    open_case = apply(citizen, key="open")
    with pytest.raises(Refused) as e:
        services.rate_case(actor=citizen, case=open_case, level=5)
    assert e.value.code == "wrong_state"
    case = closed_case(citizen, staff, key="closed")
    with pytest.raises(Refused) as e:
        services.rate_case(actor=staff.clerk, case=case, level=1)
    assert e.value.code == "forbidden"


def test_a_link_rates_only_within_the_period_then_the_job_gives_the_default_rating(citizen, item, staff, settings):
    settings.RATINGS_DEFAULT_AFTER_DAYS = 15
    with at("2025-06-10"):
        case = closed_case(citizen, staff)
        rated = closed_case(citizen, staff, key="rated")
        services.rate_by_invitation(token=token_of(rated), level=2)
    with at("2025-06-24"):  # day 14: not yet
        run_due(only=["ratings.default_ratings"], force=True)
        assert not Rating.objects.filter(case=case).exists()
    with at("2025-06-26"):
        with pytest.raises(Refused) as e:
            services.rate_by_invitation(token=token_of(case), level=1)
        assert e.value.code == "expired"
        run_due(only=["ratings.default_ratings"], force=True)
        run_due(only=["ratings.default_ratings"], force=True)
    default = Rating.objects.get(case=case)
    assert (default.level, default.is_default, default.channel) == (Level.SATISFIED, True, "online")
    assert Rating.objects.filter(case=rated).values_list("level", "is_default").get() == (2, False)  # untouched
    assert Rating.objects.count() == 2
    assert selectors.panel(case, citizen, "applicant")["rating"].is_default


def test_the_period_is_a_setting(citizen, item, staff, settings):
    settings.RATINGS_DEFAULT_AFTER_DAYS = 3
    case = closed_case(citizen, staff)
    inv = Invitation.objects.get(case=case)
    assert inv.expires_at - inv.created_at == dt.timedelta(days=3)


def test_a_poor_rating_opens_a_rectification_due_in_five_working_days(citizen, item, staff):
    with at("2025-09-30"):  # the day before the National Day holiday (1–8 Oct); 11 Oct is a make-up day
        case = closed_case(citizen, staff)
        services.rate_by_invitation(token=token_of(case), level=1, comment="等了很久")
    r = Rectification.objects.get()
    assert (r.state, r.department_id, r.limit_workdays) == ("open", case.department_id, 5)
    assert r.deadline == dt.date(2025, 10, 14)  # 9, 10, 11 (make-up), 13, 14 Oct — not 7 Oct (Mon–Fri)
    assert TrailEntry.objects.filter(action="ratings.rectification_opened").count() == 1
    for level in (3, 4, 5):
        c = closed_case(citizen, staff, key=f"good{level}")
        services.rate_case(actor=citizen, case=c, level=level)
    c = closed_case(citizen, staff, key="bad2")
    services.rate_case(actor=citizen, case=c, level=2)
    assert Rectification.objects.count() == 2


def test_the_deadline_is_a_setting(citizen, item, staff, settings):
    settings.RATINGS_RECTIFICATION_WORKDAYS = 2
    with at("2025-06-10"):  # Tuesday
        case = closed_case(citizen, staff)
        services.rate_case(actor=citizen, case=case, level=2)
    assert Rectification.objects.get().deadline == dt.date(2025, 6, 12)


def _poor(citizen, staff, key=""):
    case = closed_case(citizen, staff, key=key)
    rating = services.rate_case(actor=citizen, case=case, level=1, comment="态度差")
    return rating, Rectification.objects.get(rating=rating)


def test_return_visit_then_close_by_the_departments_own_staff(citizen, item, staff, district):
    with at("2025-06-10"):
        rating, r = _poor(citizen, staff)
    other = make_user(Role.OFFICER, make_department(district, code="ZJJ", name="住建局"))
    with pytest.raises(Refused) as e:
        services.close_rectification(actor=staff.officer, rectification=r, measures="已整改")
    assert e.value.code == "wrong_state" and "return visit" in e.value.messages[0]  # no return visit yet
    for outsider in (other, staff.clerk, make_user(Role.SUPERVISOR)):
        with pytest.raises(Refused):
            services.record_return_visit(actor=outsider, rectification=r, answer="satisfied")
    with pytest.raises(ValidationError):
        services.record_return_visit(actor=staff.officer, rectification=r, answer="happy")
    with at("2025-06-12"):
        r = services.record_return_visit(actor=staff.officer, rectification=r, answer="fairly_satisfied",
                                         note="已电话致歉")
        assert r.state == RectificationState.VISITED
        with pytest.raises(ValidationError):
            services.close_rectification(actor=staff.head, rectification=r, measures=" ")
        r = services.close_rectification(actor=staff.head, rectification=r, measures="窗口人员培训，增设导办")
    r.refresh_from_db()
    assert (r.state, r.closed_on_time, r.return_visit_answer, r.light) == ("closed", True, "fairly_satisfied", "")
    assert list(TrailEntry.objects.filter(object_type="ratings.rectification").values_list("action", flat=True)
                .order_by("id")) == ["ratings.rectification_opened", "ratings.return_visit",
                                     "ratings.rectification_closed"]
    with pytest.raises(Refused):
        services.record_return_visit(actor=staff.officer, rectification=r, answer="satisfied")


def test_closed_after_the_deadline_is_late_and_the_light_turns_red(citizen, item, staff):
    with at("2025-06-10"):
        _rating, r = _poor(citizen, staff)
    assert r.deadline == dt.date(2025, 6, 17)
    with at("2025-06-18"):
        run_due(only=["ratings.rectification_lights"], force=True)
        r.refresh_from_db()
        assert r.light == "overdue" and selectors.light_today(r) == "overdue"
        services.record_return_visit(actor=staff.officer, rectification=r, answer="dissatisfied")
        r = services.close_rectification(actor=staff.officer, rectification=r, measures="补正流程说明")
    assert r.closed_on_time is False


def test_only_a_supervisor_voids_a_rating_the_department_asked_to_void(citizen, item, staff):
    rating, r = _poor(citizen, staff)
    with pytest.raises(Refused):
        services.request_void(actor=staff.clerk, rating=rating, reasons="恶意差评，办件材料齐全当日办结")
    with pytest.raises(ValidationError):
        services.request_void(actor=staff.head, rating=rating, reasons="恶意")
    req = services.request_void(actor=staff.head, rating=rating, reasons="恶意差评，办件材料齐全当日办结")
    with pytest.raises(Refused) as e:
        services.request_void(actor=staff.officer, rating=rating, reasons="恶意差评，办件材料齐全当日办结")
    assert e.value.code == "duplicate"
    for not_supervisor in (staff.head, staff.officer, make_user(Role.SYSTEM_ADMIN), citizen):
        with pytest.raises(Refused) as e:
            services.decide_void(actor=not_supervisor, request=req, grant=True)
        assert e.value.code == "forbidden"
    supervisor = make_user(Role.SUPERVISOR)
    assert selectors.satisfaction_rate(Rating.objects.all()) == 0.0
    req = services.decide_void(actor=supervisor, request=req, grant=True, note="核实为恶意评价")
    rating.refresh_from_db()
    r.refresh_from_db()
    assert req.state == VoidState.GRANTED and rating.voided and r.state == RectificationState.VOIDED
    assert TrailEntry.objects.filter(action="ratings.void_decided", actor=supervisor,
                                     object_id=str(rating.pk)).exists()
    assert selectors.satisfaction_rate(Rating.objects.all()) is None  # a voided rating is not counted
    assert selectors.public_figures() == []


def test_a_refusal_needs_reasons_and_the_rating_stands(citizen, item, staff):
    rating, r = _poor(citizen, staff)
    req = services.request_void(actor=staff.officer, rating=rating, reasons="评价内容与办件无关，疑为恶意")
    supervisor = make_user(Role.SUPERVISOR)
    with pytest.raises(ValidationError):
        services.decide_void(actor=supervisor, request=req, grant=False)
    req = services.decide_void(actor=supervisor, request=req, grant=False, note="评价属实")
    rating.refresh_from_db()
    assert req.state == VoidState.REFUSED and not rating.voided
    assert Rectification.objects.get().state == RectificationState.OPEN
    with pytest.raises(Refused):
        services.decide_void(actor=supervisor, request=req, grant=True)


def test_satisfaction_rate_is_good_ratings_over_all(citizen, item, staff):
    """Hand-computed: levels 5, 4, 3, 3, 2, 1 and a default (4): 5 good of 7."""
    for n, level in enumerate((5, 4, 3, 3, 2, 1)):
        services.rate_case(actor=citizen, case=closed_case(citizen, staff, key=f"k{n}"), level=level)
    services.apply_default(Invitation.objects.get(case=closed_case(citizen, staff, key="default")))
    assert selectors.satisfaction_rate(Rating.objects.all()) == pytest.approx(5 / 7)
    assert selectors.satisfaction_rate(Rating.objects.none()) is None
    assert rules.satisfaction({5: 1, 1: 1}) == 0.5
    [fig] = selectors.public_figures()
    assert (fig.counts, fig.defaults, fig.total) == ({5: 1, 4: 2, 3: 2, 2: 1, 1: 1}, 1, 7)


def test_anonymise_masks_phone_id_case_numbers_and_email():
    text = rules.anonymise("回访13907360001，身份证430703199001011234，办件2025-0001234，邮箱a.b@x.cn，已整改")
    assert "13907360001" not in text and "430703199001011234" not in text and "0001234" not in text
    assert "a.b@x.cn" not in text and "已整改" in text
    assert rules.anonymise("已向张小明致歉", names=["张小明", ""]) == "已向张**致歉"


# --- the rating pad (一次一评) ----------------------------------------------------------------


def _pad_world(district):
    from onetrip.hall import services as hall

    from .hall_fixtures import build_hall

    w = build_hall(district, open_all_hours=True)
    hall.sign_in_window(actor=w.clerk, window=w.windows[0])
    pad, key = services.enrol_pad(actor=w.clerk)
    ticket = hall.take_ticket(actor=None, area=w.a, kiosk=w.kiosk)
    hall.call_next(actor=w.clerk)
    hall.act(actor=w.clerk, ticket=ticket, action="start")
    hall.act(actor=w.clerk, ticket=ticket, action="finish")
    return w, pad, key, ticket


def test_the_pad_shows_the_ticket_just_served_and_takes_one_rating_for_it(district):
    w, pad, key, ticket = _pad_world(district)
    assert selectors.pad_of(key) == pad and selectors.pad_of("x" * 43) is None
    subject = selectors.pad_subject(pad)
    assert (subject.kind, subject.pk, subject.clerk) == ("ticket", ticket.pk, w.clerk)
    with pytest.raises(ValidationError):
        services.rate_at_pad(pad=pad, kind="ticket", pk=ticket.pk, level=5, aspects={"platform": 5})  # online only
    r = services.rate_at_pad(pad=pad, kind="ticket", pk=ticket.pk, level=5, aspects={"attitude": 5, "competence": 4})
    assert (r.channel, r.ticket, r.window, r.clerk) == ("onsite", ticket, w.windows[0], w.clerk)
    assert selectors.pad_subject(pad) is None
    with pytest.raises(Refused) as e:
        services.rate_at_pad(pad=pad, kind="ticket", pk=ticket.pk, level=1)
    assert e.value.code == "duplicate"
    assert Rating.objects.count() == 1


def test_a_pad_rates_only_what_its_window_just_served(district):
    w, pad, key, ticket = _pad_world(district)
    with pytest.raises(Refused):
        services.rate_at_pad(pad=pad, kind="ticket", pk=ticket.pk + 1000, level=5)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=rules.PAD_RECENT_MINUTES + 1)):
        assert selectors.pad_subject(pad) is None
        with pytest.raises(Refused):
            services.rate_at_pad(pad=pad, kind="ticket", pk=ticket.pk, level=5)
    with pytest.raises(Refused) as e:
        services.enrol_pad(actor=w.clerk2)  # not at a window
    assert e.value.code == "no_window"
    with pytest.raises(Refused):
        services.enrol_pad(actor=make_user(Role.OFFICER))


def test_a_poor_rating_at_the_pad_opens_a_rectification_for_the_clerks_department(district):
    w, pad, _key, ticket = _pad_world(district)
    r = services.rate_at_pad(pad=pad, kind="ticket", pk=ticket.pk, level=2, aspects={"attitude": 1})
    rect = Rectification.objects.get(rating=r)
    assert rect.department_id == w.clerk.department_id
