"""Electronic licences (电子证照): the district CA, issuing and sealing (PAdES B-T with the district's
own timestamp), public verification, status changes, renewals, expiry, and holders' licences."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError

from onetrip.accounts.models import Role
from onetrip.cases import services as cases
from onetrip.core.models import TrailEntry
from onetrip.licenses import ca, jobs, pades, rules, selectors, services
from onetrip.licenses.models import Licence, LicenceStatus, LicenceType

from .conftest import PASSWORD, make_department, make_item, make_user
from .licence_fixtures import english_client as Client

pytestmark = pytest.mark.django_db

RESULT = "个体工商户营业执照"


@pytest.fixture
def licensed_item(catalog_admin, department):
    version = make_item(catalog_admin, department, code="430703-SCJGJ-001", result_name=RESULT)
    kind = LicenceType.objects.create(code="GTGSHYYZZ", name=RESULT, number_prefix="GT", validity_years=5)
    kind.items.add(version.item)
    return version


def approve(case, staff):
    t = cases.transition
    case = t(case=case, action="accept", actor=staff.clerk)
    case = t(case=case, action="advance", actor=staff.officer)
    return t(case=case, action="approve", actor=staff.head, data={"reasons": "符合条件"})


@pytest.fixture
def issued(licensed_item, staff, citizen):
    from .conftest import apply

    case = approve(apply(citizen), staff)
    assert jobs.issue_pending() == {"issued": 1, "failed": 0}
    return Licence.objects.get(case=case)


def pdf_bytes(licence):
    with licence.file.open("rb") as f:
        return f.read()


# --- the certificate authority ------------------------------------------------------------------

def test_the_ca_keeps_its_keys_encrypted_in_files_outside_the_database(settings):
    root = ca.root()
    seal = ca.department_seal(type("D", (), {"code": "SCJGJ", "name": "测试局", "uscc": "11430703MB0000011X"}))
    key_file = settings.LICENSES_KEY_DIR / "root.key.pem"
    pem = key_file.read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    from cryptography.hazmat.primitives import serialization

    with pytest.raises(TypeError):  # no passphrase: unreadable
        serialization.load_pem_private_key(pem, password=None)
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(pem, password=b"wrong")
    seal.certificate.verify_directly_issued_by(root.certificate)
    # created once: a second call (another process) gets the same certificate
    from onetrip.licenses.keystore import FileKeyStore

    assert ca.root(FileKeyStore(settings.LICENSES_KEY_DIR)).certificate == root.certificate


def test_licenses_init_creates_the_ca_and_prints_its_fingerprint(settings, capsys):
    from django.core.management import call_command

    call_command("licenses_init")
    out = capsys.readouterr().out
    assert "SHA-256 fingerprint" in out
    assert (settings.LICENSES_KEY_DIR / "tsa.crt.pem").exists()


# --- issuing ------------------------------------------------------------------------------------

def test_an_approved_case_gets_a_sealed_timestamped_licence_a_validator_trusts(issued, client):
    assert issued.status == LicenceStatus.VALID
    assert rules.identifier_is_valid(issued.identifier)
    assert issued.number == f"GT{issued.valid_from.year}00000001"
    assert issued.valid_until == rules.valid_until(issued.valid_from, 5)
    data = pdf_bytes(issued)
    assert hashlib.sha256(data).hexdigest() == issued.sha256
    root_pem = client.get("/verify/root.pem").content  # the root as the public downloads it
    result = pades.validate_pdf(data, root_pem=root_pem)
    assert (result.signed, result.intact, result.trusted, result.timestamped) == (True, True, True, True), result
    assert "INTACT:TRUSTED" in result.summary and "TIMESTAMP_TOKEN<INTACT:TRUSTED>" in result.summary
    assert issued.department.name in result.signer
    assert TrailEntry.objects.filter(action="licence.issued", object_id=str(issued.pk)).exists()


def test_a_pdf_changed_after_signing_is_not_intact(issued):
    data = bytearray(pdf_bytes(issued))
    i = data.find(b"/Title")
    data[i + 8] = (data[i + 8] + 1) % 256  # one byte of the signed part
    result = pades.validate_pdf(bytes(data))
    assert result.signed and not result.intact


def test_another_root_does_not_trust_the_seal(issued, tmp_path, settings):
    from cryptography.hazmat.primitives import serialization

    from onetrip.licenses.keystore import FileKeyStore

    other = ca.root(FileKeyStore(tmp_path / "elsewhere")).certificate.public_bytes(serialization.Encoding.PEM)
    result = pades.validate_pdf(pdf_bytes(issued), root_pem=other)
    assert result.intact and not result.trusted


def test_an_item_without_a_licence_type_issues_nothing(catalog_admin, department, staff, citizen):
    from .conftest import apply

    make_item(catalog_admin, department, code="430703-SCJGJ-001", result_name=RESULT)
    approve(apply(citizen), staff)
    assert not Licence.objects.exists()


def test_the_issuing_job_claims_each_licence_once(licensed_item, staff, citizen, settings):
    from django.utils import timezone

    from .conftest import apply

    approve(apply(citizen), staff)
    licence = Licence.objects.get()
    Licence.objects.filter(pk=licence.pk).update(claimed_at=timezone.now())  # another worker has it
    assert jobs.issue_pending() == {"issued": 0, "failed": 0}
    lease = dt.timedelta(seconds=settings.LICENSES_ISSUE_LEASE_SECONDS + 1)
    Licence.objects.filter(pk=licence.pk).update(claimed_at=timezone.now() - lease)  # …and died
    assert jobs.issue_pending() == {"issued": 1, "failed": 0}
    assert jobs.issue_pending() == {"issued": 0, "failed": 0}


def test_identifier_structure_and_check_character():
    ident = rules.licence_identifier(type_code="GTGSHYYZZ", issuer_uscc="11430703MB0000011X", sequence=7, version=2)
    assert ident.startswith("1.2.156.3005.2.GTGSHYYZZ.11430703MB0000011X.00000007.002.")
    assert rules.identifier_is_valid(ident)
    assert not rules.identifier_is_valid(ident.replace(".00000007.", ".00000008."))
    assert not rules.identifier_is_valid(ident[:-1] + ("0" if ident[-1] != "0" else "1"))


# --- public verification ------------------------------------------------------------------------

def test_the_verification_page_masks_the_holder_and_shows_a_revocation_at_once(issued, staff, citizen):
    anyone = Client()
    page = anyone.get(f"/verify/{issued.verification_id}/").content.decode()
    assert "个体工商户营业执照" in page and issued.number in page
    assert citizen.resident_id not in page and citizen.real_name not in page
    api = anyone.get(f"/api/v1/licenses/verify/{issued.verification_id}")
    assert api.json()["status"] == "valid" and api["Cache-Control"] == "no-store"
    services.change_status(actor=staff.officer, licence=issued, status=LicenceStatus.REVOKED, reason="以欺骗手段取得")
    page = anyone.get(f"/verify/{issued.verification_id}/")
    assert "以欺骗手段取得" in page.content.decode() and "no-cache" in page["Cache-Control"]
    assert anyone.get(f"/api/v1/licenses/verify/{issued.verification_id}").json()["status"] == "revoked"
    assert TrailEntry.objects.filter(action="licence.revoked", actor=staff.officer).exists()
    assert anyone.get("/verify/not-a-key/").status_code == 404


def test_an_uploaded_file_is_checked_against_the_issued_one(issued):
    data = pdf_bytes(issued)
    anyone = Client()
    url = f"/verify/{issued.verification_id}/"
    ok = anyone.post(url, {"file": io.BytesIO(data)}).content.decode()
    assert "The file matches the issued licence exactly." in ok
    changed = data.replace(b"%%EOF", b"%%EOF\n", 1)
    bad = anyone.post(url, {"file": io.BytesIO(changed)}).content.decode()
    assert "does NOT match" in bad


def test_the_tsa_answers_rfc3161_over_http(db):
    from asn1crypto import algos, tsp

    digest = hashlib.sha256(b"anything").digest()
    req = tsp.TimeStampReq({"version": 1, "message_imprint": tsp.MessageImprint({
        "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}), "hashed_message": digest}),
        "nonce": 42, "cert_req": True})
    answer = Client().post("/tsa", req.dump(), content_type="application/timestamp-query")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/timestamp-reply"
    resp = tsp.TimeStampResp.load(answer.content)
    assert resp["status"]["status"].native == "granted"
    info = resp["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest and info["nonce"].native == 42
    assert Client().post("/tsa", b"junk", content_type="application/timestamp-query").status_code == 400
    assert Client().post("/tsa", b"x", content_type="text/plain").status_code == 415


# --- status changes, renewal, expiry ------------------------------------------------------------

def test_only_the_issuing_department_changes_a_licence(issued, district, citizen):
    other = make_user(Role.OFFICER, make_department(district, code="ZJJ", name="住建局"))
    with pytest.raises(ValidationError):
        services.change_status(actor=other, licence=issued, status=LicenceStatus.REVOKED, reason="x")
    with pytest.raises(ValidationError):
        services.change_status(actor=citizen, licence=issued, status=LicenceStatus.SUSPENDED, reason="x")
    issued.refresh_from_db()
    assert issued.status == LicenceStatus.VALID
    c = Client()
    c.force_login(other)
    assert c.get(f"/staff/licences/{issued.pk}/").status_code == 404
    assert c.post(f"/api/v1/licenses/{issued.pk}/status", {"status": "revoked", "reason": "x"},
                  content_type="application/json").status_code == 404


def test_suspend_reinstate_revoke_and_no_way_back_from_revoked(issued, staff):
    with pytest.raises(ValidationError):  # a reason is required
        services.change_status(actor=staff.officer, licence=issued, status=LicenceStatus.SUSPENDED, reason=" ")
    services.change_status(actor=staff.officer, licence=issued, status=LicenceStatus.SUSPENDED, reason="停业整顿")
    assert selectors.valid_licences_of(issued.holder_id_number).count() == 0
    services.change_status(actor=staff.head, licence=issued, status=LicenceStatus.VALID)
    assert selectors.valid_licences_of(issued.holder_id_number).get() == issued
    services.change_status(actor=staff.head, licence=issued, status=LicenceStatus.REVOKED, reason="吊销")
    with pytest.raises(ValidationError) as err:
        services.change_status(actor=staff.head, licence=issued, status=LicenceStatus.VALID)
    assert err.value.code == "wrong_state"


def test_a_licence_past_its_last_day_is_expired_at_once_and_the_job_marks_it(issued, client):
    Licence.objects.filter(pk=issued.pk).update(valid_until=dt.date(2020, 1, 1))
    issued.refresh_from_db()
    assert selectors.status_of(issued) == LicenceStatus.EXPIRED
    assert client.get(f"/api/v1/licenses/verify/{issued.verification_id}").json()["status"] == "expired"
    assert selectors.valid_licences_of(issued.holder_id_number).count() == 0
    assert jobs.expire() == 1
    assert jobs.expire() == 0
    issued.refresh_from_db()
    assert issued.status == LicenceStatus.EXPIRED
    assert TrailEntry.objects.filter(action="licence.expired", object_id=str(issued.pk)).count() == 1


def test_renewal_issues_the_next_version_and_replaces_the_old_one(issued, staff):
    new = services.renew(actor=staff.officer, licence=issued, reason="到期换发")
    assert new.status == LicenceStatus.PENDING
    with pytest.raises(ValidationError):
        services.renew(actor=staff.officer, licence=issued)
    assert jobs.issue_pending()["issued"] == 1
    new.refresh_from_db()
    issued.refresh_from_db()
    assert (new.status, issued.status) == (LicenceStatus.VALID, LicenceStatus.REPLACED)
    assert new.number == issued.number and new.version == 2 and new.identifier.split(".")[-2] == "002"
    assert new.identifier.split(".")[-3] == issued.identifier.split(".")[-3]  # the same sequence
    assert selectors.public_view(issued).replaced_by == new.identifier
    assert pades.validate_pdf(pdf_bytes(new)).ok


# --- holders ------------------------------------------------------------------------------------

def test_holders_see_and_download_their_licences_and_no_one_elses(issued, citizen):
    from onetrip.accounts import services as accounts
    from onetrip.demo.people import resident_id

    mine = Client()
    mine.force_login(citizen)
    page = mine.get("/my/licences/").content.decode()
    assert issued.number in page
    api = mine.get("/api/v1/licenses/mine").json()
    assert [x["number"] for x in api] == [issued.number]
    download = mine.get(api[0]["download_url"])
    assert download.status_code == 200 and download.content == pdf_bytes(issued)
    assert mine.get(f"/licences/{issued.pk}/download.pdf").content == pdf_bytes(issued)
    other = accounts.register_citizen(real_name="李别人", mobile="13907360099",
                                      resident_id=resident_id("43070319880808123"), password=PASSWORD)
    them = Client()
    them.force_login(other)
    assert issued.number not in them.get("/my/licences/").content.decode()
    assert them.get("/api/v1/licenses/mine").json() == []
    assert them.get(f"/licences/{issued.pk}/download.pdf").status_code == 404
    assert them.get(f"/api/v1/licenses/{issued.pk}/pdf").status_code == 404


def test_a_staff_download_is_on_the_trail(issued, staff):
    c = Client()
    c.force_login(staff.officer)
    assert c.get(f"/licences/{issued.pk}/download.pdf").status_code == 200
    assert TrailEntry.objects.filter(action="personal_data.view", actor=staff.officer,
                                     object_id=str(issued.pk)).exists()


def test_staff_change_the_status_on_their_page(issued, staff):
    c = Client()
    c.force_login(staff.officer)
    assert issued.number in c.get("/staff/licences/").content.decode()
    page = c.post(f"/staff/licences/{issued.pk}/", {"change": "revoked", "reason": "吊销"})
    assert page.status_code == 302
    issued.refresh_from_db()
    assert issued.status == LicenceStatus.REVOKED
    assert c.post(f"/staff/licences/{issued.pk}/", {"change": "suspended", "reason": "x"}).status_code == 409


def test_the_licence_registry_answers_with_the_holders_valid_licences(citizen, department):
    """Once-only: a licence issued here is what the licence registry answers for its holder, of its
    type or all; a revoked one is not."""
    from onetrip.registries.providers import LocalProvider

    from .licence_fixtures import licence_of

    licence = licence_of(citizen, department)
    [record] = LocalProvider().licences(citizen.resident_id)
    assert (record.number, record.kind, record.holder_id, record.status) == (
        "GT1", "个体工商户营业执照", citizen.resident_id, "valid")
    assert LocalProvider().licences(citizen.resident_id, "食品经营许可证") == []
    licence.status = "revoked"
    licence.save()
    assert LocalProvider().licences(citizen.resident_id) == []
