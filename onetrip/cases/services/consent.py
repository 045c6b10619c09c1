"""帮代办: recording the consent of the person a proxy agent applies for, before the application:
a signed consent form (uploaded scan) or a one-time code sent by SMS to the person's mobile that
the agent enters. Codes are stored only as a keyed hash, expire, allow a few tries, and sending
is rate-limited per mobile, per agent and per address (the pattern of the accounts' reset codes).
The application then names the consent (``form["consent_id"]``; see
``rules.applicant_identity``)."""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role, User
from onetrip.accounts.services import CODE_MAX_TRIES, CODE_VALID_FOR
from onetrip.cases.models import ProxyConsent
from onetrip.cases.rules import Refused
from onetrip.cases.uploads import check, save_with_file
from onetrip.core import ratelimit, sms, trail
from onetrip.core.identity import check_person, mask_mobile

CODE_KEY = "onetrip.cases.ProxyConsent"


def _hash(salt: str, code: str) -> str:
    return sms.code_hash(CODE_KEY, salt, code)


def _agent(actor: User) -> None:
    if actor.role != Role.PROXY_AGENT:
        raise Refused(_("Only proxy agents record a person's consent."), code="forbidden")


def _person(name: str, id_number: str, mobile: str) -> dict[str, str]:
    return check_person(name=name, mobile=mobile, resident_id=id_number, prefix="applicant_")


def send_consent_code(*, actor: User, name: str, id_number: str, mobile: str, client: str,
                      item: str = "") -> ProxyConsent:
    """Send the person a 6-digit code by SMS; the agent enters it once the person agrees.
    Rate-limited per mobile, per agent and per address (Refused ``throttled``)."""
    _agent(actor)
    person = _person(name, id_number, mobile)
    window = dt.timedelta(hours=1)
    limits = [
        ratelimit.hit(f"consent-code:mobile:{person['mobile']}", limit=settings.SMS_CODES_PER_MOBILE_PER_HOUR,
                      window=window),
        ratelimit.hit(f"consent-code:agent:{actor.pk}", limit=settings.SMS_CODES_PER_ADDRESS_PER_HOUR, window=window),
        ratelimit.hit(f"consent-code:address:{client}", limit=settings.SMS_CODES_PER_ADDRESS_PER_HOUR, window=window),
    ]
    if not all(limits):
        raise Refused(_("Too many codes sent; try again in an hour, or upload the signed consent form."),
                      code="throttled")
    code, salt, hashed = sms.new_code(CODE_KEY)
    now = timezone.now()
    minutes = int(CODE_VALID_FOR.total_seconds() // 60)
    text = _("[%(site)s] Proxy agent %(agent)s asks to apply on your behalf%(item)s. If you agree, tell them the "
             "code %(code)s (valid %(minutes)s minutes). If you do not, ignore this message.") % {
        "site": settings.SITE_NAME, "agent": actor.real_name or actor.username,
        "item": _(" for “%(item)s”") % {"item": item} if item else "", "code": code, "minutes": minutes}
    with transaction.atomic():
        # A new code replaces the agent's earlier unconfirmed codes for this person.
        ProxyConsent.objects.filter(agent=actor, person_id_number=person["resident_id"], method=ProxyConsent.Method.SMS,
                                    confirmed_at__isnull=True).update(code_expires_at=now)
        consent = ProxyConsent.objects.create(
            agent=actor, person_name=person["name"], person_id_number=person["resident_id"],
            person_mobile=person["mobile"], method=ProxyConsent.Method.SMS, salt=salt, code_hash=hashed,
            code_expires_at=now + CODE_VALID_FOR)
        trail.record(actor=actor, action="proxy_consent.code_sent", obj=consent,
                     summary={"mobile": mask_mobile(person["mobile"])})
        sms.send_code_after_commit(person["mobile"], text, "a consent code")
    return consent


def confirm_consent_code(*, actor: User, consent_id: int, code: str) -> ProxyConsent:
    """The agent enters the code the person read out: the consent is recorded. A wrong code
    counts one of its tries; an expired or used-up code needs a new one."""
    _agent(actor)
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        consent = (ProxyConsent.objects.select_for_update()
                   .filter(pk=consent_id, agent=actor, method=ProxyConsent.Method.SMS).first())
        if consent is not None and consent.confirmed_at is not None:
            return consent
        live = consent is not None and consent.code_expires_at is not None and consent.code_expires_at > now \
            and consent.tries < CODE_MAX_TRIES
        if live and consent is not None:
            if len(code) == 6 and code.isdigit() and constant_time_compare(_hash(consent.salt, code), consent.code_hash):
                consent.confirmed_at = now
                consent.code_hash = ""
                consent.save(update_fields=["confirmed_at", "code_hash"])
                trail.record(actor=actor, action="proxy_consent.confirmed", obj=consent, summary={"method": "sms"})
                return consent
            consent.tries += 1
            consent.save(update_fields=["tries"])
    raise ValidationError({"code": [_("This code is wrong or has expired. Check with the person, or send a new "
                                      "code.")]})


def record_consent_form(*, actor: User, name: str, id_number: str, mobile: str, stream: IO[bytes],
                        original_name: str = "") -> ProxyConsent:
    """The person's signed consent form (PDF, JPEG, PNG or OFD, checked by content) is the record."""
    _agent(actor)
    person = _person(name, id_number, mobile)
    checked = check(stream)
    with transaction.atomic():
        consent = ProxyConsent(
            agent=actor, person_name=person["name"], person_id_number=person["resident_id"],
            person_mobile=person["mobile"], method=ProxyConsent.Method.FORM, sha256=checked.sha256,
            content_type=checked.content_type, confirmed_at=timezone.now())
        save_with_file(consent, checked)
        trail.record(actor=actor, action="proxy_consent.confirmed", obj=consent,
                     summary={"method": "form", "sha256": checked.sha256})
    return consent
