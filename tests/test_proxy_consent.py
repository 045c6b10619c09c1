"""帮代办: a proxy agent applies for a person only with the person's consent recorded first (a signed
consent form, or an SMS code sent to the person's mobile that the agent enters: hashed, expiring,
a few tries, rate-limited); the case says it was applied for by a proxy agent; the person follows
it once they claim it; the agent sees only their own cases; the agent's trips are theirs."""

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Role
from onetrip.cases import selectors, services
from onetrip.cases.models import Application, ProxyConsent, State
from onetrip.core.sms import MemoryBackend
from onetrip.demo.people import resident_id

from .conftest import PASSWORD, PDF, make_user

PERSON_ID = resident_id("43070319920303002")
PERSON = {"name": "李示例", "id_number": PERSON_ID, "mobile": "13907365555"}
FORM = {"applicant_name": "李示例", "applicant_id_number": PERSON_ID, "applicant_mobile": "13907365555"}


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "onetrip.core.sms.MemoryBackend"
    MemoryBackend.outbox = []
    return MemoryBackend.outbox


@pytest.fixture
def agent(district):
    return make_user(Role.PROXY_AGENT, mobile="13907367777")


def code_in(outbox):
    return re.search(r"(?<!\d)(\d{6})(?!\d)", outbox[-1].text).group(1)


def send(agent, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return services.send_consent_code(actor=agent, client="10.0.0.1", **{**PERSON, **extra})


def apply_with(agent, consent, item):
    application, _ = services.create_application(actor=agent, item_code=item.item.code,
                                                 form={**FORM, "consent_id": str(consent.pk)})
    return application


def submitted(agent, item):
    consent = services.record_consent_form(actor=agent, stream=io.BytesIO(PDF), **PERSON)
    application = apply_with(agent, consent, item)
    for req in services.checklist(application):
        if req.required and not req.registry:
            services.upload_material(actor=agent, application=application, name=req.name, stream=io.BytesIO(PDF),
                                     original_name="scan.pdf")
    return services.submit_application(actor=agent, application=application)[0]


@pytest.mark.django_db
def test_without_a_recorded_consent_there_is_no_application(agent, item):
    for form in (FORM, {**FORM, "consent": "口头同意"}, {**FORM, "consent_id": "999"}):
        with pytest.raises(ValidationError) as exc:
            services.create_application(actor=agent, item_code=item.item.code, form=form)
        assert "consent" in exc.value.message_dict
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_the_sms_code_goes_to_the_person_is_stored_hashed_and_confirms_the_consent(
        agent, item, sms_outbox, django_capture_on_commit_callbacks):
    consent = send(agent, django_capture_on_commit_callbacks, item="个体工商户设立登记")
    assert [m.to for m in sms_outbox] == ["13907365555"]
    code = code_in(sms_outbox)
    consent.refresh_from_db()
    assert code not in consent.code_hash and consent.confirmed_at is None
    # Not yet confirmed: no application.
    with pytest.raises(ValidationError):
        apply_with(agent, consent, item)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError, match="wrong or has expired"):
        services.confirm_consent_code(actor=agent, consent_id=consent.pk, code=wrong)
    consent.refresh_from_db()
    assert consent.tries == 1 and consent.confirmed_at is None
    consent = services.confirm_consent_code(actor=agent, consent_id=consent.pk, code=code)
    assert consent.confirmed_at is not None
    application = apply_with(agent, consent, item)
    assert application.submitted_by == agent and "139****5555" in application.proxy_consent


@pytest.mark.django_db
def test_a_code_expires_and_allows_five_tries(agent, sms_outbox, django_capture_on_commit_callbacks):
    import time_machine

    consent = send(agent, django_capture_on_commit_callbacks)
    code = code_in(sms_outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.confirm_consent_code(actor=agent, consent_id=consent.pk, code=wrong)
    with pytest.raises(ValidationError):  # used up: even the right code is refused now
        services.confirm_consent_code(actor=agent, consent_id=consent.pk, code=code)
    consent = send(agent, django_capture_on_commit_callbacks)
    code = code_in(sms_outbox)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)), pytest.raises(ValidationError):
        services.confirm_consent_code(actor=agent, consent_id=consent.pk, code=code)
    other_agent = make_user(Role.PROXY_AGENT)
    with pytest.raises(ValidationError):  # another agent cannot use it
        services.confirm_consent_code(actor=other_agent, consent_id=consent.pk, code=code)
    assert not ProxyConsent.objects.filter(confirmed_at__isnull=False).exists()


@pytest.mark.django_db
def test_codes_to_one_mobile_are_rate_limited(agent, sms_outbox, django_capture_on_commit_callbacks, settings):
    for _ in range(settings.SMS_CODES_PER_MOBILE_PER_HOUR):
        send(agent, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as exc:
        send(agent, django_capture_on_commit_callbacks)
    assert exc.value.code == "throttled"
    assert len(sms_outbox) == settings.SMS_CODES_PER_MOBILE_PER_HOUR


@pytest.mark.django_db
def test_only_proxy_agents_record_consent_and_only_for_that_person(agent, item, citizen):
    with pytest.raises(ValidationError):
        services.record_consent_form(actor=citizen, stream=io.BytesIO(PDF), **PERSON)
    with pytest.raises(ValidationError):  # not a real PDF or image
        services.record_consent_form(actor=agent, stream=io.BytesIO(b"I agree"), **PERSON)
    consent = services.record_consent_form(actor=agent, stream=io.BytesIO(PDF), **PERSON)
    other = resident_id("43070319930404005")
    with pytest.raises(ValidationError):  # a consent covers the person who gave it
        services.create_application(actor=agent, item_code=item.item.code, form={
            **FORM, "applicant_id_number": other, "consent_id": str(consent.pk)})
    with pytest.raises(ValidationError):  # and the agent who recorded it
        apply_with(make_user(Role.PROXY_AGENT), consent, item)
    ProxyConsent.objects.filter(pk=consent.pk).update(confirmed_at=timezone.now() - dt.timedelta(hours=25))
    with pytest.raises(ValidationError):  # and only for a day
        apply_with(agent, consent, item)


@pytest.mark.django_db
def test_the_case_says_applied_by_a_proxy_agent_and_the_person_follows_it(client, agent, item, staff):
    case = submitted(agent, item)
    client.force_login(staff.clerk)
    assert "由帮代办员代为申请" in client.get(f"/cases/{case.number}/").content.decode()
    person = accounts.register_citizen(real_name="李示例", mobile="13907365555", resident_id=PERSON_ID,
                                       password=PASSWORD)
    client.force_login(person)
    assert client.get(f"/cases/{case.number}/").status_code == 404  # not theirs until claimed
    client.post("/my/cases/", {"claim": "1"})
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "由帮代办员代为申请" in page and case.number in page


@pytest.mark.django_db
def test_the_agent_sees_only_the_cases_they_submitted(client, agent, item, citizen):
    mine = submitted(agent, item)
    other_agent = make_user(Role.PROXY_AGENT)
    theirs = submitted(other_agent, item)
    assert set(selectors.visible_cases(agent)) == {mine}
    client.force_login(agent)
    assert client.get(f"/cases/{theirs.number}/").status_code == 404
    assert client.get(f"/cases/{mine.number}/").status_code == 200
    page = client.get("/my/cases/").content.decode()
    assert mine.number in page and theirs.number not in page


@pytest.mark.django_db
def test_the_agents_trip_is_theirs_not_the_persons(agent, item, staff, citizen):
    case = submitted(agent, item)
    services.record_visit(case=case, reason="supplement", actor=staff.clerk, by_proxy_agent=True)
    case.refresh_from_db()
    assert case.visit_count == 0 and case.visits.get().proxy_agent == agent
    services.record_visit(case=case, reason="other", actor=staff.clerk)  # the person came themselves
    case.refresh_from_db()
    assert case.visit_count == 1
    from .conftest import apply

    own = apply(citizen)
    with pytest.raises(ValidationError):  # no proxy agent applied for this one
        services.record_visit(case=own, reason="other", actor=staff.clerk, by_proxy_agent=True)


@pytest.mark.django_db
def test_the_apply_page_sends_the_code_and_takes_it(client, agent, item, sms_outbox,
                                                    django_capture_on_commit_callbacks):
    client.force_login(agent)
    url = f"/items/{item.item.code}/apply/"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {**FORM, "send_code": "1"})
    assert r.status_code == 200 and 'name="consent_code"' in r.content.decode()
    consent = ProxyConsent.objects.get()
    r = client.post(url, {**FORM, "consent_id": consent.pk, "consent_code": "12345x"})
    assert r.status_code == 400 and not Application.objects.exists()
    r = client.post(url, {**FORM, "consent_id": consent.pk, "consent_code": code_in(sms_outbox)})
    assert r.status_code == 302
    application = Application.objects.get()
    assert application.submitted_by == agent and application.cases.get().state == State.DRAFT
