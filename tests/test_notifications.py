"""Applicants hear of each step by SMS (and e-mail), sent only after the change is committed."""

import pytest
from django.core import mail
from django.core.management import call_command

from onetrip.cases import notifications, services
from onetrip.core import outbox
from onetrip.core.models import Notification

from .conftest import apply


@pytest.mark.django_db(transaction=True)
def test_each_applicant_facing_step_sends_an_sms_after_commit(citizen, item, staff, capsys):
    case = apply(citizen)
    services.transition(case=case, action="accept", actor=staff.clerk)
    out = capsys.readouterr().out
    assert "[SMS to 13907360001]" in out and case.number in out
    assert list(Notification.objects.values_list("status", flat=True)) == ["sent", "sent"]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_when_the_change_rolls_back(citizen, item, staff, settings, monkeypatch):
    """The SMS is queued in the middle of the transition; a failure after that (here the trail
    refusing its entry, the transition's last statement) rolls everything back: no message
    leaves and no Notification row remains."""
    from onetrip.core import trail

    settings.SMS_BACKEND = "tests.test_notifications.RecordingBackend"
    case = apply(citizen)
    RecordingBackend.sent.clear()
    rows_before = Notification.objects.count()
    queued: list[str] = []
    real_queue = notifications.queue

    def spy_queue(**kwargs):
        created = real_queue(**kwargs)
        queued.extend(n.body for n in created)
        return created

    def broken_record(**kwargs):
        raise RuntimeError("trail unavailable")

    monkeypatch.setattr(notifications, "queue", spy_queue)
    monkeypatch.setattr(trail, "record", broken_record)
    with pytest.raises(RuntimeError, match="trail unavailable"):
        services.transition(case=case, action="accept", actor=staff.clerk)
    assert queued and case.number in queued[0]  # the message was queued before the failure
    assert RecordingBackend.sent == []
    assert Notification.objects.count() == rows_before
    case.refresh_from_db()
    assert case.state == "submitted"

    # The same step, committed, does send: the check above is not vacuous.
    monkeypatch.undo()
    settings.SMS_BACKEND = "tests.test_notifications.RecordingBackend"
    services.transition(case=case, action="accept", actor=staff.clerk)
    assert [m.to for m in RecordingBackend.sent] == ["13907360001"]


class RecordingBackend:
    sent: list = []

    def send(self, message):
        self.sent.append(message)


@pytest.mark.django_db
def test_templates_exist_in_chinese_and_english(citizen, item, staff):
    case = services.transition(case=apply(citizen), action="accept", actor=staff.clerk)
    zh = notifications.render(case, "accept", {}, "zh-hans")
    en = notifications.render(case, "accept", {}, "en")
    assert case.number in zh and case.number in en and zh != en
    assert "受理" in zh and "accepted" in en


@pytest.mark.django_db
def test_an_email_goes_too_when_the_applicant_gave_one(citizen, item, staff, settings,
                                                      django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    citizen.email = "zhang.ceshi@example.com"
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = apply(citizen)
    assert any(case.number in m.body for m in mail.outbox)
    assert set(Notification.objects.values_list("channel", "status")) == {("sms", "sent"), ("email", "sent")}


@pytest.mark.django_db
def test_failed_sends_are_retried_by_the_worker(citizen, item, staff, settings, capsys,
                                               django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.test_notifications.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):  # the request sends after its commit: it fails
        apply(citizen)
    n = Notification.objects.get()
    assert n.status == "pending" and n.attempts == 1 and "gateway down" in n.last_error
    settings.SMS_BACKEND = "onetrip.core.sms.ConsoleBackend"
    call_command("clock", "--once")
    n.refresh_from_db()
    assert n.status == "sent"


class BrokenBackend:
    def send(self, message):
        raise ConnectionError("gateway down")


@pytest.mark.django_db
def test_a_message_claimed_by_another_worker_is_not_sent_twice(citizen, item):
    import datetime as dt

    from django.utils import timezone

    apply(citizen)
    Notification.objects.update(claimed_until=timezone.now() + dt.timedelta(minutes=1), claimed_by="other-worker")
    assert notifications.send_pending() == 0
    assert Notification.objects.get().status == "pending"
    # Once the other worker's claim has lapsed, the message is sent.
    Notification.objects.update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert notifications.send_pending() == 1


@pytest.mark.django_db
def test_the_outbox_points_at_any_object_and_speaks_the_recipients_language(citizen):
    """Later apps (hotline tickets, bookings, licences) queue their own events the same way."""
    from onetrip.core import outbox

    outbox.register("test.reminder", "Reminder for %(who)s")
    [n] = outbox.queue(event="test.reminder", target=citizen, params={"who": "张测试"}, sms_to="13907360001",
                       language="en")
    assert (n.target_type, n.target_id, n.event, n.body) == ("accounts.user", str(citizen.pk), "test.reminder",
                                                             "Reminder for 张测试")
    with pytest.raises(KeyError):
        outbox.queue(event="test.unknown", target=None, params={}, sms_to="13907360001")


@pytest.mark.django_db
def test_a_message_whose_request_died_before_sending_is_sent_by_the_worker_once_its_claim_lapses(citizen, item):
    """The request claims its messages as it writes them and sends them after its commit; if it
    dies in between, the worker leaves them alone until the claim runs out, then sends them."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    apply(citizen)  # in a test transaction: the after-commit send never runs, as if the process died
    assert notifications.send_pending() == 0
    assert Notification.objects.get().status == "pending"
    with time_machine.travel(timezone.now() + outbox.CLAIM + dt.timedelta(seconds=1)):
        assert notifications.send_pending() == 1
    assert Notification.objects.get().status == "sent"
