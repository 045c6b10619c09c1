"""Issue D's journey end to end, through the services as the pages and the API call them: a citizen
applies for an item whose ID card and business licence come from the registries (nothing to
upload for them), the fee is raised at acceptance and paid through the sandbox's signed callback
(the result waits for it), the approval is signed by the deciding officer, the job issues the
licence sealed and timestamped (a validator trusts it against the downloadable root), the
verification page says valid and then revoked, and the result is posted and delivered: the case
closes with no trip."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onetrip.cases import services as cases
from onetrip.cases.models import State
from onetrip.catalog import services as catalog
from onetrip.delivery import services as delivery
from onetrip.delivery.models import Shipment
from onetrip.licenses import jobs as licence_jobs
from onetrip.licenses import pades
from onetrip.licenses import selectors as licences
from onetrip.licenses import services as licence_services
from onetrip.licenses.models import Licence, LicenceStatus, LicenceType
from onetrip.payments import providers
from onetrip.payments import services as payments
from onetrip.registries import services as registries

from .conftest import apply, guide
from .licence_fixtures import english_client, licence_of
from .payments_fixtures import ON_ACCEPTANCE

pytestmark = pytest.mark.django_db

CODE = "430703-SCJGJ-031"
RESULT = "食品经营许可证"


def test_registries_fee_signed_decision_sealed_licence_and_the_post_with_no_trip(catalog_admin, department, staff,
                                                                                 citizen):
    # The registries hold the citizen, and the citizen holds an earlier business licence.
    registries.import_records(actor=None, people=[
        {"id_number": citizen.resident_id, "name": citizen.real_name, "sex": "male", "birth_date": dt.date(1990, 1, 1),
         "household_address": "湖南省常德市鼎城区玉霞街道建设路1号"}])
    licence_of(citizen, department)  # 个体工商户营业执照, valid
    version = catalog.create_item(actor=catalog_admin, code=CODE, guide=guide(department, name="食品经营许可",
                                                                              result_name=RESULT), materials=[
        {"name": "食品经营许可申请书", "form": "original", "copies": 1},
        {"name": "经营者居民身份证", "form": "copy", "copies": 1, "registry": "population"},
        {"name": "营业执照", "form": "copy", "copies": 1, "registry": "licence"}], fees=[ON_ACCEPTANCE])
    catalog.publish_for_seeding(actor=catalog_admin, versions=[version], name="测试批次")
    LicenceType.objects.create(code="SPJYXKZ", name=RESULT, number_prefix="JY", validity_years=5).items.add(
        version.item)

    case = apply(citizen, CODE)  # uploads only the application form
    assert sorted(case.application.materials.values_list("name", flat=True)) == ["食品经营许可申请书"]
    waived = {w.name: w.found for w in case.waived_materials.all()}
    assert waived == {"经营者居民身份证": True, "营业执照": True}  # once-only: both supplied
    delivery.choose_delivery(actor=citizen, case=case, method="post", recipient_name=citizen.real_name,
                             address="湖南省常德市鼎城区武陵镇玉霞路18号", phone=citizen.mobile)

    # Accepted: the fee is raised; it is paid through the sandbox's signed notification.
    case = cases.transition(case=case, action="accept", actor=staff.clerk)
    [bill] = case.bills.all()
    assert (bill.amount_fen, bill.state) == (500, "due")
    case = cases.transition(case=case, action="advance", actor=staff.officer)
    case = cases.transition(case=case, action="approve", actor=staff.head, data={"reasons": "符合条件"})
    with pytest.raises(ValidationError) as exc:  # the result waits for the fee
        cases.transition(case=case, action="issue_result", actor=staff.officer)
    assert exc.value.code == "blocked"
    sandbox = providers.PROVIDERS["sandbox"]
    assert isinstance(sandbox, providers.SandboxProvider)
    body = sandbox.notification(bill)
    payments.receive_callback(provider="sandbox", body=body, headers={providers.SIGNATURE_HEADER: sandbox.sign(body)})
    bill.refresh_from_db()
    assert bill.state == "paid"

    # The decision is signed by the head who made it, and checks out.
    [signature] = licences.decision_signatures(case)
    assert signature.valid

    # The job issues the licence: sealed, timestamped, trusted against the public root.
    assert licence_jobs.issue_pending() == {"issued": 1, "failed": 0}
    licence = Licence.objects.get(case=case)
    client = english_client()
    with licence.file.open("rb") as f:
        result = pades.validate_pdf(f.read(), root_pem=client.get("/verify/root.pem").content)
    assert (result.intact, result.trusted, result.timestamped) == (True, True, True)
    assert client.get(f"/api/v1/licenses/verify/{licence.verification_id}").json()["status"] == "valid"

    # The result is posted with tracking and delivered: closed, and no trip.
    case = cases.transition(case=case, action="issue_result", actor=staff.officer)
    shipment = Shipment.objects.get(case=case)
    assert shipment.tracking_number.startswith("DC")
    for state in ("posted", "in_transit", "delivered"):
        delivery.update_shipment(actor=staff.clerk, shipment=shipment, state=state)
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.visit_count == 0

    # Revoked, the verification page says so at once.
    licence_services.change_status(actor=staff.officer, licence=licence, status=LicenceStatus.REVOKED,
                                   reason="以欺骗手段取得")
    assert client.get(f"/api/v1/licenses/verify/{licence.verification_id}").json()["status"] == "revoked"
