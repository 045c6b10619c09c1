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
