"""Signed decisions (电子签名): each approval or denial is signed by its officer with a key the
district CA issued to them; verified when the case is shown; any change shows as invalid. And the
generic hooks of cases that licences use (cases.hooks)."""

from __future__ import annotations

import pytest

from onetrip.cases import hooks
from onetrip.cases import services as cases
from onetrip.cases.models import Case, State
from onetrip.licenses import ca, selectors
from onetrip.licenses.models import DecisionSignature

from .conftest import apply
from .licence_fixtures import english_client as Client

pytestmark = pytest.mark.django_db


def decide(case, staff, action="approve", reasons="符合条件"):
    t = cases.transition
    case = t(case=case, action="accept", actor=staff.clerk)
    case = t(case=case, action="advance", actor=staff.officer)
    return t(case=case, action=action, actor=staff.head, data={"reasons": reasons})


@pytest.fixture
def approved(item, staff, citizen):
    return decide(apply(citizen), staff)


def test_an_approval_is_signed_by_its_officer_and_verifies(approved, staff):
    sig = DecisionSignature.objects.get(case=approved)
    assert (sig.action, sig.signer) == ("approve", staff.head)
    assert approved.number in sig.content and "符合条件" in sig.content
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(sig.certificate.encode())
    cert.verify_directly_issued_by(ca.root().certificate)
    assert staff.head.username in cert.subject.rfc4514_string()
    [check] = selectors.decision_signatures(approved)
    assert check.valid and check.problem == ""


def test_a_denial_is_signed_too(item, staff, citizen):
    denied = decide(apply(citizen), staff, action="deny", reasons="不符合条件")
    [check] = selectors.decision_signatures(denied)
    assert check.valid and check.action == "deny"


def test_a_decision_altered_in_the_database_shows_invalid_on_the_case_page(approved, staff):
    Case.objects.filter(pk=approved.pk).update(decision_reasons="另有理由")  # someone with database access
    [check] = selectors.decision_signatures(Case.objects.get(pk=approved.pk))
    assert not check.valid and "altered" in check.problem
    c = Client()
    c.force_login(staff.officer)
    page = c.get(f"/cases/{approved.number}/").content.decode()
    assert "INVALID: decision was altered" in page


def test_the_case_page_shows_a_valid_signature(approved, staff):
    c = Client()
    c.force_login(staff.officer)
    page = c.get(f"/cases/{approved.number}/").content.decode()
    assert "Signature valid" in page and "INVALID" not in page


def test_a_rewritten_signature_record_shows_invalid(approved):
    sig = DecisionSignature.objects.get(case=approved)
    DecisionSignature.objects.filter(pk=sig.pk).update(content=sig.content.replace("符合条件", "另有理由"))
    Case.objects.filter(pk=approved.pk).update(decision_reasons="另有理由")  # both rewritten, key not held
    [check] = selectors.decision_signatures(Case.objects.get(pk=approved.pk))
    assert not check.valid and "signature" in check.problem


def test_a_decision_flipped_in_the_database_shows_invalid(item, staff, citizen):
    denied = decide(apply(citizen), staff, action="deny", reasons="不符合条件")
    Case.objects.filter(pk=denied.pk).update(state=State.APPROVED)
    [check] = selectors.decision_signatures(Case.objects.get(pk=denied.pk))
    assert not check.valid


def test_the_applicant_does_not_see_the_signature_panel(approved, citizen):
    c = Client()
    c.force_login(citizen)
    page = c.get(f"/cases/{approved.number}/").content.decode()
    assert "Signature valid" not in page


# --- cases.hooks --------------------------------------------------------------------------------

def test_a_follower_runs_in_the_action_and_can_stop_it(item, staff, citizen):
    seen = []

    def watch(case, actor, action, data, summary):
        seen.append((case.state, action))
        summary["watched"] = True

    def refuse(case, actor, action, data, summary):
        raise cases.Refused("no", code="hook")

    case = apply(citizen)
    hooks.register_follower("test.watch", {"accept"}, watch)
    try:
        case = cases.transition(case=case, action="accept", actor=staff.clerk)
        assert seen == [(State.IN_REVIEW, "accept")]
        from onetrip.core.models import TrailEntry

        assert TrailEntry.objects.filter(action="case.accept").get().summary["watched"] is True
        hooks.register_follower("test.refuse", {"advance"}, refuse)
        with pytest.raises(cases.Refused):
            cases.transition(case=case, action="advance", actor=staff.officer)
        assert Case.objects.get(pk=case.pk).step_index == 0  # rolled back with the follower
    finally:
        hooks.FOLLOWERS[:] = [f for f in hooks.FOLLOWERS if not f.name.startswith("test.")]


def test_a_failing_signature_rolls_the_decision_back(item, staff, citizen, monkeypatch):
    from onetrip.licenses import services

    def broken(**kwargs):
        raise RuntimeError("the HSM is away")

    monkeypatch.setattr(services, "sign_decision", broken)
    case = apply(citizen)
    case = cases.transition(case=case, action="accept", actor=staff.clerk)
    case = cases.transition(case=case, action="advance", actor=staff.officer)
    with pytest.raises(RuntimeError):
        cases.transition(case=case, action="approve", actor=staff.head)
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW


# --- decision notices (准予 / 不予行政许可决定书) ------------------------------------------------------

def _notice(number, user):
    from django.test import Client as ZhClient

    c = ZhClient()
    c.cookies["django_language"] = "zh-hans"
    c.force_login(user)
    return c.get(f"/cases/{number}/documents/decision.pdf")


def _text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")


def test_the_approval_notice_is_sealed_by_the_department_and_a_validator_trusts_it(approved, citizen, staff):
    from onetrip.core.models import TrailEntry
    from onetrip.licenses import pades

    response = _notice(approved.number, citizen)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "准予行政许可决定书" in text and approved.number in text and "符合条件" in text
    assert "第三十八条第一款" in text and "行政审批专用章" in text
    check = pades.validate_pdf(response.content)
    assert check.ok, check.summary
    assert approved.department.name in check.signer
    entry = TrailEntry.objects.filter(action="document.print").get()
    assert entry.summary["document"] == "decision" and entry.summary["sealed"] is True
    # The case page offers it to the applicant and to staff.
    c = Client()
    c.force_login(citizen)
    assert f"/cases/{approved.number}/documents/decision.pdf" in c.get(f"/cases/{approved.number}/").content.decode()
    assert _notice(approved.number, staff.officer).status_code == 200


def test_the_denial_notice_states_the_reasons_and_the_remedies_and_is_sealed(item, staff, citizen):
    from onetrip.licenses import pades

    denied = decide(apply(citizen), staff, action="deny", reasons="经营场所不符合消防要求")
    cases.transition(case=denied, action="close", actor=staff.clerk)  # a closed denial keeps its notice
    response = _notice(denied.number, citizen)
    text = _text(response.content)
    assert "不予行政许可决定书" in text and "经营场所不符合消防要求" in text
    assert "第三十八条第二款" in text and "行政复议" in text and "行政诉讼" in text
    assert pades.validate_pdf(response.content).ok


def test_no_decision_notice_before_the_decision_nor_for_strangers(item, staff, citizen, approved):
    from onetrip.accounts.models import Role

    from .conftest import make_user

    undecided = apply(citizen)
    assert _notice(undecided.number, citizen).status_code == 404
    assert _notice(approved.number, make_user(Role.CITIZEN)).status_code == 404


def test_a_changed_decision_notice_is_not_intact(approved, citizen):
    from onetrip.licenses import pades

    pdf = _notice(approved.number, citizen).content
    at = len(pdf) // 3  # a byte inside the signed range (the page content)
    tampered = pdf[:at] + bytes([pdf[at] ^ 1]) + pdf[at + 1:]
    assert not pades.validate_pdf(tampered).ok


def test_without_a_seal_the_notice_has_no_drawn_seal_nor_signature(approved, citizen):
    from onetrip.licenses import hooks as licence_hooks
    from onetrip.licenses import pades

    hooks.unregister("seal_document", licence_hooks._seal_document)
    try:
        pdf = _notice(approved.number, citizen).content
    finally:
        hooks.register("seal_document", licence_hooks._seal_document)
    assert "准予行政许可决定书" in _text(pdf) and "行政审批专用章" not in _text(pdf)
    assert not pades.validate_pdf(pdf).signed


def test_the_api_prints_the_sealed_decision_notice(approved, citizen):
    from onetrip.licenses import pades

    c = Client()
    c.force_login(citizen)
    response = c.get(f"/api/v1/cases/{approved.number}/documents/decision")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert pades.validate_pdf(response.content).ok
