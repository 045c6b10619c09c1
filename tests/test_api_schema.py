"""Every operation in /api/openapi.json, exercised and checked against the schema it publishes.

For each operation: one valid call (its status and body must be documented), then, derived from
the schema itself, values its parameters and body refuse (each must be a 400 with the error
body) and, for the secured ones, the calls without a usable token or session (401), and a
logged-in session without its CSRF token (403 on a POST). ``assert_matches`` fails on any
status the operation does not document. A light property pass sends random values that the
schema allows to the query-only endpoints: none may be a 400."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Role
from onetrip.cases import services as cases
from onetrip.catalog import services as catalog
from onetrip.demo.people import resident_id, uscc
from onetrip.registries import services as registries

from .conftest import PASSWORD, PDF, apply, make_item, make_user
from .hall_fixtures import build_api_hall
from .licence_fixtures import licence_of
from .openapi import assert_matches


@dataclass
class Call:
    user: Any = None  # None: no authentication
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    form: dict[str, Any] | None = None  # multipart: the file is added
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


class World:
    def __init__(self, catalog_admin: Any, department: Any, citizen: Any, staff: Any, item: Any) -> None:
        self.citizen, self.staff, self.item, self.admin = citizen, staff, item, catalog_admin
        self.admin2 = make_user(Role.CATALOG_ADMIN)
        catalog.save_bundle(actor=catalog_admin, code="KBQY", name="开办企业一件事", items=[item.item])
        self.case = apply(citizen)
        self.draft = apply(citizen, key="draft", submit=False)
        self.agent = make_user(Role.PROXY_AGENT)
        self.consent = cases.send_consent_code(actor=self.agent, name="王示例", id_number=resident_id("43070319900202345"),
                                               mobile="13907368888", client="127.0.0.1")
        self.refused = cases.transition(case=apply(citizen, key="refused"), action="refuse", actor=staff.clerk,
                                        data={"reasons": "不属于本部门职权范围"})
        self.material = self.case.application.materials.get()
        drafts = [make_item(catalog_admin, department, code=f"P-{n}", publish=False) for n in range(2)]
        self.loose_draft = make_item(catalog_admin, department, code="P-9", publish=False)
        self.batch = catalog.propose_publication(actor=catalog_admin, versions=drafts, name="第三批")
        accounts.register_company(actor=None, uscc=uscc("91430703MA4R00001"), name="鼎城区测试贸易有限公司（演示）",
                                  legal_representative="钱测试")
        self.rep = accounts.register_company_representative(
            real_name="孙示例", mobile="13907368801", resident_id=resident_id("43070319880808123"), password=PASSWORD,
            uscc=uscc("91430703MA4R00001"), company_name="", legal_representative="")
        self.hall = build_api_hall(department.division, staff.clerk, citizen)
        self.window_app, _ = cases.create_application(
            actor=staff.clerk, item_code=item.item.code, channel="window",
            form={"applicant_name": "柳窗口（演示）", "applicant_id_number": resident_id("43070319900505123"),
                  "applicant_mobile": "13907369999"})
        # The registries: the citizen, and a company whose legal representative applies for it.
        self.company_uscc, boss_id = uscc("91430703MA4R00002"), resident_id("43070319880808456")
        registries.import_records(actor=None, people=[
            {"id_number": citizen.resident_id, "name": citizen.real_name, "sex": "male",
             "birth_date": dt.date(1990, 1, 1), "household_address": "湖南省常德市鼎城区玉霞街道建设路1号"}], companies=[
            {"uscc": self.company_uscc, "name": "鼎城区接口测试有限公司（演示）", "kind": "limited",
             "legal_representative": "钱法人", "legal_representative_id_number": boss_id,
             "legal_representative_mobile": "13907368805", "address": "湖南省常德市鼎城区武陵镇样板路3号",
             "status": "active", "established_on": dt.date(2010, 1, 1)}])
        self.boss = accounts.register_company_representative(
            real_name="钱法人", mobile="13907368803", resident_id=boss_id, password=PASSWORD,
            uscc=self.company_uscc, company_name="鼎城区接口测试有限公司（演示）", legal_representative="钱法人")
        self.boss = registries.verify_by_registry(actor=self.boss)
        self.company_case = apply(self.boss, key="company")
        self.delegate = accounts.register_company_representative(
            real_name="孙受托", mobile="13907368804", resident_id=resident_id("43070319880808567"), password=PASSWORD,
            uscc=self.company_uscc, company_name="", legal_representative="")
        self.delegation = registries.send_delegation_code(actor=self.delegate, client="127.0.0.1")
        self.build_payments_and_post(catalog_admin, department)
        self.licence = licence_of(citizen, department)
        self.build_supervision()
        self.build_ratings()
        self.build_hotline()
        self.build_agencies()

    def build_supervision(self) -> None:
        from onetrip.cases.rules import record_violation
        from onetrip.supervision import services as supervision
        from onetrip.supervision.models import Card

        self.supervisor = make_user(Role.SUPERVISOR)
        violations = [record_violation(case=self.case, rule="off_checklist", actor=None,
                                       detail={"materials": [f"户口本{n}"]}) for n in range(2)]
        supervision.issue_cards(day=dt.date.today())
        self.card, self.appealed = Card.objects.filter(key__in=[f"violation:{v.pk}" for v in violations if v]).order_by(
            "id")
        supervision.appeal_card(actor=self.staff.head, card=self.appealed, reasons="申请人自愿提供")
        self.order = supervision.issue_order(actor=self.supervisor, case=self.case, subject="催办", instructions="请办理")
        self.replied = supervision.issue_order(actor=self.supervisor, case=self.case, subject="说明", instructions="请说明")
        supervision.reply_order(actor=self.staff.head, order=self.replied, reply="已说明")

    def build_agencies(self) -> None:
        """The marketplace: three published agencies, a submitted one, and purchases at each stage."""
        from django.utils import timezone

        from onetrip.agencies import services as agencies
        from onetrip.agencies.models import Purchase

        from .agency_fixtures import build_market, make_agency, post

        m = self.market = build_market(self.admin, n=3)
        self.pending_agency, _o = make_agency(self.admin, m.st, publish=False)
        agencies.submit_agency(actor=_o, agency=self.pending_agency)
        (a1, o1), (a2, o2), (a3, o3) = m.agencies
        self.draft_purchase = post(m, publish=False)
        self.open_purchase = post(m)
        self.price_purchase = post(m, method="price")
        agencies.sign_up(actor=o1, purchase=self.price_purchase, agency=a1)
        past = timezone.now() - dt.timedelta(minutes=1)
        self.merit_purchase = post(m, method="merit", criteria=[{"name": "技术方案", "weight": 100}])
        agencies.sign_up(actor=o1, purchase=self.merit_purchase, agency=a1)
        self.drawn = post(m)
        for a, o in m.agencies:
            agencies.sign_up(actor=o, purchase=self.drawn, agency=a)
        Purchase.objects.filter(pk__in=[self.merit_purchase.pk, self.drawn.pk]).update(signup_deadline=past)
        self.drawn = agencies.select(actor=None, purchase=self.drawn)
        self.loser = next(o for a, o in m.agencies if a != self.drawn.winner)
        done = agencies.select_direct(actor=m.owner, purchase=post(m, method="direct", ceiling="9000"), agency=a2)
        Purchase.objects.filter(pk=done.pk).update(objection_until=timezone.localdate() - dt.timedelta(days=1))
        done = agencies.sign_contract(actor=m.owner, purchase=done, contract_no="HT-API-1")
        done = agencies.deliver_report(actor=o2, purchase=done, stream=io.BytesIO(PDF), original_name="报告.pdf")
        self.completed = agencies.confirm_report(actor=m.owner, purchase=done)
        # the citizen's own purchase, for their draft case: one under way, one completed
        m.owner = self.citizen
        contracted = []
        for n in range(2):
            p = agencies.select_direct(actor=self.citizen, purchase=post(m, method="direct", ceiling="9000",
                                                                         case=self.draft), agency=a3)
            Purchase.objects.filter(pk=p.pk).update(objection_until=timezone.localdate() - dt.timedelta(days=1))
            contracted.append(agencies.sign_contract(actor=self.citizen, purchase=p, contract_no=f"HT-API-C{n}"))
        self.running = contracted[0]
        p = agencies.deliver_report(actor=o3, purchase=contracted[1], stream=io.BytesIO(PDF), original_name="报告.pdf")
        self.citizens_report = agencies.confirm_report(actor=self.citizen, purchase=p)
        m.owner = self.completed.owner
        self.agency_calls = {
            ("/api/v1/agencies/service-types", "get"): Call(),
            ("/api/v1/agencies", "get"): Call(query={"service_type": m.st.code}),
            ("/api/v1/agencies", "post"): Call(user=make_user(Role.COMPANY_REP), status=201, json={
                "name": "鼎城区接口测绘有限公司（演示）", "uscc": uscc("91430703MA4L99001"), "contact_name": "周联系",
                "contact_phone": "13907362222"}),
            ("/api/v1/agencies/{uscc}", "get"): Call(path={"uscc": m.agencies[0][0].uscc}),
            ("/api/v1/agencies/{agency_id}/review", "post"): Call(
                user=self.admin, path={"agency_id": self.pending_agency.pk}, json={"decision": "publish"}),
            ("/api/v1/agencies/purchases", "get"): Call(),
            ("/api/v1/agencies/purchases", "post"): Call(user=m.owner, status=201, json={
                "owner_name": "鼎城区示例建设有限公司", "project": "桥南农贸市场改造", "service_type": m.st.code,
                "price_ceiling": "200000.00", "service_workdays": 10, "method": "random",
                "signup_deadline": (timezone.now() + dt.timedelta(days=2)).isoformat(), "contact_name": "吴业主",
                "contact_phone": "13907365555", "publish": True}),
            ("/api/v1/agencies/purchases/{number}", "get"): Call(path={"number": self.drawn.number}),
            ("/api/v1/agencies/purchases/{number}/sign-ups", "post"): Call(
                user=o2, path={"number": self.open_purchase.number}, json={"agency": a2.pk}, status=201),
            ("/api/v1/agencies/purchases/{number}/bids", "post"): Call(
                user=o1, path={"number": self.price_purchase.number}, json={"agency": a1.pk, "price": "88000.00"},
                status=201),
            ("/api/v1/agencies/purchases/{number}/scores", "post"): Call(
                user=m.owner, path={"number": self.merit_purchase.number}, json={"agency": a1.pk,
                                                                                "scores": {"技术方案": 88}}),
            ("/api/v1/agencies/purchases/{number}/objections", "post"): Call(
                user=self.loser, path={"number": self.drawn.number}, json={"text": "中选机构业绩造假"}, status=201),
            ("/api/v1/agencies/purchases/{number}/actions", "post"): Call(
                user=m.owner, path={"number": self.draft_purchase.number}, json={"action": "publish"}),
            ("/api/v1/agencies/purchases/{number}/report", "post"): Call(
                user=o3, path={"number": self.running.number}, form={"title": "环境影响报告表"}),
            ("/api/v1/agencies/purchases/{number}/attach", "post"): Call(
                user=self.citizen, path={"number": self.citizens_report.number}, status=201,
                json={"application": self.draft.application_id, "material": "经营场所使用证明"}),
            ("/api/v1/agencies/purchases/{number}/rating", "post"): Call(
                user=m.owner, path={"number": self.completed.number}, status=201,
                json={"quality": 5, "timeliness": 4, "attitude": 5, "price": 4, "comment": "专业"}),
        }

    def build_hotline(self) -> None:
        """A hotline operator and a complaint dispatched to the item's department."""
        from onetrip.hotline import services as hotline

        self.operator = make_user(Role.HOTLINE_OPERATOR)
        ticket = hotline.register_ticket(actor=self.operator, kind="complaint", channel="phone", text="窗口排队太久",
                                         caller_mobile="13907361234").ticket
        self.hotline_ticket = hotline.dispatch(actor=self.operator, ticket=ticket, department=self.item.department)

    def build_ratings(self) -> None:
        """Closed cases: one with its invitation link, one to rate from the account, poor ratings with
        rectifications (one open, one visited, one with a pending void request), and a rating pad
        at a window whose clerk just recorded a visit."""
        from onetrip.cases import services as case_services
        from onetrip.hall import services as hall
        from onetrip.hall.models import Window
        from onetrip.ratings import services as ratings

        from .ratings_fixtures import closed_case, token_of

        self.rating_token = token_of(closed_case(self.citizen, self.staff, key="rate-link"))
        self.to_rate = closed_case(self.citizen, self.staff, key="rate-account")
        rects = []
        for n in range(3):
            c = closed_case(self.citizen, self.staff, key=f"rate-poor-{n}")
            rects.append(ratings.rate_case(actor=self.citizen, case=c, level=1, comment="等候太久").rectification)
        self.rect, self.visited, voided = rects
        ratings.record_return_visit(actor=self.staff.officer, rectification=self.visited, answer="satisfied")
        self.void_request = ratings.request_void(actor=self.staff.head, rating=voided.rating,
                                                 reasons="评价内容与本办件无关，疑为恶意")
        self.supervisor = make_user(Role.SUPERVISOR)
        pad_clerk = make_user(Role.WINDOW_CLERK, self.item.department)
        hall.sign_in_window(actor=pad_clerk, window=Window.objects.create(area=self.hall.world.a, number=9))
        self.pad, self.pad_key = ratings.enrol_pad(actor=pad_clerk)
        visit = case_services.record_visit(case=self.to_rate, reason="pickup", actor=pad_clerk)
        self.pad_subject = f"visit:{visit.pk}"

    def build_payments_and_post(self, admin: Any, department: Any) -> None:
        """A case with a paid and a due bill; two posted results, one per shipment."""
        import json

        from django.core.serializers.json import DjangoJSONEncoder

        from onetrip.cases.models import State
        from onetrip.delivery import carriers
        from onetrip.delivery import services as delivery
        from onetrip.delivery.models import Shipment
        from onetrip.payments import providers
        from onetrip.payments import services as payments

        from .payments_fixtures import ON_ACCEPTANCE
        from .test_case_transitions import walk

        make_item(admin, department, code="430703-T-FEE", fees=[ON_ACCEPTANCE, {**ON_ACCEPTANCE, "name": "登记费"}])
        self.fee_case = cases.transition(case=apply(self.citizen, "430703-T-FEE", key="fee"), action="accept",
                                         actor=self.staff.clerk)
        paid, self.due_bill = self.fee_case.bills.order_by("id")
        sandbox = providers.PROVIDERS["sandbox"]
        assert isinstance(sandbox, providers.SandboxProvider)
        body = sandbox.notification(paid)
        payments.receive_callback(provider="sandbox", body=body, headers={providers.SIGNATURE_HEADER: sandbox.sign(body)})
        self.paid_bill = paid
        # the provider's next notification, as the test client will send it (JSON of this dict)
        self.callback = json.loads(sandbox.notification(self.due_bill))
        self.callback_signature = sandbox.sign(json.dumps(self.callback, cls=DjangoJSONEncoder).encode())
        shipments = []
        for key in ("post-1", "post-2"):
            case = apply(self.citizen, key=key)
            delivery.choose_delivery(actor=self.citizen, case=case, method="post", recipient_name="张测试",
                                     address="湖南省常德市鼎城区示例路88号", phone="13907360001")
            walk(case, self.staff, self.citizen, State.RESULT_READY)
            shipments.append(Shipment.objects.get(case=case))
        self.shipment, other = shipments
        self.webhook = {"event_id": "ev-1", "tracking_number": other.tracking_number, "state": "posted"}
        local = carriers.CARRIERS["local"]
        assert isinstance(local, carriers.LocalCarrier)
        self.webhook_signature = local.sign(json.dumps(self.webhook, cls=DjangoJSONEncoder).encode())

    def payments_and_post_calls(self) -> dict[tuple[str, str], Call]:
        w, clerk = self, self.staff.clerk
        return {
            ("/api/v1/cases/{number}/bills", "get"): Call(user=w.citizen, path={"number": w.fee_case.number}),
            ("/api/v1/bills/{reference}/pay", "post"): Call(user=w.citizen, path={"reference": w.due_bill.reference}),
            ("/api/v1/bills/{reference}/receipt", "get"): Call(user=w.citizen,
                                                               path={"reference": w.paid_bill.reference}),
            ("/api/v1/payments/callbacks/{provider}", "post"): Call(
                path={"provider": "sandbox"}, json=w.callback, headers={"X-OneTrip-Signature": w.callback_signature}),
            ("/api/v1/cases/{number}/delivery", "get"): Call(user=w.citizen, path={"number": w.case.number}),
            ("/api/v1/cases/{number}/delivery", "post"): Call(user=w.citizen, path={"number": w.case.number}, json={
                "method": "post", "recipient_name": "张测试", "address": "湖南省常德市鼎城区示例路88号",
                "phone": "13907360001"}),
            ("/api/v1/shipments", "get"): Call(user=clerk, query={"state": "created"}),
            ("/api/v1/shipments/{tracking_number}/status", "post"): Call(
                user=clerk, path={"tracking_number": w.shipment.tracking_number}, json={"state": "posted"}),
            ("/api/v1/delivery/carriers/{carrier}/webhook", "post"): Call(
                path={"carrier": "local"}, json=w.webhook, headers={"X-OneTrip-Signature": w.webhook_signature}),
        }

    def calls(self) -> dict[tuple[str, str], Call]:
        """One valid call per operation, made by someone allowed to make it."""
        w, clerk, number = self, self.staff.clerk, self.case.number
        return {
            ("/api/v1/items", "get"): Call(query={"kind": "licensing", "page": 1}),
            ("/api/v1/items/{code}", "get"): Call(path={"code": w.item.item.code}),
            ("/api/v1/departments", "get"): Call(),
            ("/api/v1/search", "get"): Call(query={"q": "个体户"}),
            ("/api/v1/bundles", "get"): Call(),
            ("/api/v1/bundles/{code}", "get"): Call(path={"code": "KBQY"}),
            ("/api/v1/auth/token", "post"): Call(json={"username": w.citizen.username, "password": PASSWORD},
                                                 status=201),
            ("/api/v1/me", "get"): Call(user=w.citizen),
            ("/api/v1/auth/sms-code", "post"): Call(json={"mobile": w.citizen.mobile, "purpose": "reset"}, status=202),
            # A well-formed request the schema allows; the code is wrong, which only the service knows.
            ("/api/v1/auth/password-reset", "post"): Call(
                json={"mobile": w.citizen.mobile, "code": "000000", "password": "Another-Horse-2027"}, status=400),
            ("/api/v1/auth/unlock", "post"): Call(json={"mobile": w.citizen.mobile, "code": "000000"}, status=400),
            ("/api/v1/company-representatives", "get"): Call(user=clerk),
            ("/api/v1/company-representatives/{user_id}/confirm", "post"): Call(user=clerk, path={"user_id": w.rep.pk}),
            ("/api/v1/company-representatives/{user_id}/reject", "post"): Call(
                user=clerk, path={"user_id": w.rep.pk}, json={"reason": "营业执照与本人不符"}),
            ("/api/v1/calendar/add-workdays", "get"): Call(query={"date": "2025-09-30", "days": 1}),
            ("/api/v1/calendar/is-workday", "get"): Call(query={"date": "2025-09-28"}),
            ("/api/v1/publications", "get"): Call(user=w.admin2),
            ("/api/v1/publications", "post"): Call(user=w.admin, json={"drafts": [w.loose_draft.pk], "name": "第四批"},
                                                   status=201),
            ("/api/v1/publications/{pk}/approve", "post"): Call(user=w.admin2, path={"pk": w.batch.pk}, json={}),
            ("/api/v1/publications/{pk}/reject", "post"): Call(user=w.admin2, path={"pk": w.batch.pk},
                                                               json={"reasons": "收费标准缺依据"}),
            ("/api/v1/applications", "post"): Call(user=w.citizen, json={"item": w.item.item.code}, status=201,
                                                   headers={"Idempotency-Key": "k-1"}),
            ("/api/v1/applications/{application_id}/materials", "post"): Call(
                user=w.citizen, path={"application_id": w.draft.pk}, form={"name": "经营场所使用证明"}, status=201),
            ("/api/v1/applications/{application_id}/delivery", "post"): Call(
                user=w.citizen, path={"application_id": w.draft.pk}, json={"method": "pickup"}),
            ("/api/v1/applications/{application_id}/submit", "post"): Call(user=w.citizen,
                                                                           path={"application_id": w.draft.pk}),
            ("/api/v1/applications/{application_id}/window-decision", "post"): Call(
                user=clerk, path={"application_id": w.window_app.pk}, json={
                    "decision": "notice", "marks": [{"material": "个体工商户登记（备案）申请书", "state": "missing"}]}),
            ("/api/v1/cases", "get"): Call(user=w.citizen),
            ("/api/v1/cases/{number}", "get"): Call(user=w.citizen, path={"number": number}),
            ("/api/v1/cases/{number}/materials/{material_id}", "get"): Call(
                user=clerk, path={"number": number, "material_id": w.material.pk}),
            ("/api/v1/cases/{number}/documents/{kind}", "get"): Call(
                user=w.citizen, path={"number": w.refused.number, "kind": "refusal"}),
            ("/api/v1/inbox", "get"): Call(user=clerk, query={"view": "todo"}),
            ("/api/v1/proxy-consents/sms-code", "post"): Call(user=w.agent, json={
                "name": "王示例", "id_number": resident_id("43070319900202345"), "mobile": "13907368888"}, status=202),
            # Well-formed; the code is wrong, which only the service knows.
            ("/api/v1/proxy-consents/{consent_id}/confirm", "post"): Call(
                user=w.agent, path={"consent_id": w.consent.pk}, json={"code": "000000"}, status=400),
            ("/api/v1/proxy-consents", "post"): Call(user=w.agent, form={
                "name": "王示例", "id_number": resident_id("43070319900202345"), "mobile": "13907368888"}, status=201),
            ("/api/v1/cases/{number}/actions", "post"): Call(user=clerk, path={"number": number},
                                                             json={"action": "accept"}),
            ("/api/v1/cases/{number}/visits", "post"): Call(user=clerk, path={"number": number},
                                                            json={"reason": "submit"}, status=201),
            ("/api/v1/progress", "post"): Call(json={"number": number, "phone": w.citizen.mobile}),
            ("/api/v1/progress", "get"): Call(query={"number": number, "id_number": w.citizen.resident_id}),
            **self.hall_calls(),
            ("/api/v1/registries/people/{id_number}", "get"): Call(
                user=w.staff.officer, path={"id_number": w.citizen.resident_id}, query={"case": number, "purpose": "核对"}),
            ("/api/v1/registries/companies/{uscc}", "get"): Call(
                user=clerk, path={"uscc": w.company_uscc}, query={"case": w.company_case.number}),
            ("/api/v1/registries/representative/verify", "post"): Call(user=w.boss),
            ("/api/v1/registries/representative/delegation-code", "post"): Call(user=w.delegate, status=201),
            # Well-formed; the code is wrong, which only the service knows.
            ("/api/v1/registries/representative/delegation-code/{confirmation_id}/confirm", "post"): Call(
                user=w.delegate, path={"confirmation_id": w.delegation.pk}, json={"code": "000000"}, status=400),
            **self.payments_and_post_calls(),
            **self.licence_calls(),
            **self.supervision_calls(),
        }

    def supervision_calls(self) -> dict[tuple[str, str], Call]:
        sup, head = self.supervisor, self.staff.head
        return {
            ("/api/v1/supervision/cards", "get"): Call(user=sup, query={"status": "issued"}),
            ("/api/v1/metrics", "get"): Call(user=sup, query={"since": "2025-11-01", "until": "2025-11-30"}),
            ("/api/v1/supervision/cards/{card_id}/appeal", "post"): Call(
                user=head, path={"card_id": self.card.pk}, json={"reasons": "系统故障", "evidence": "运维工单"}),
            ("/api/v1/supervision/cards/{card_id}/decision", "post"): Call(
                user=sup, path={"card_id": self.appealed.pk}, json={"decision": "withdraw", "note": "属实"}),
            ("/api/v1/supervision/orders", "get"): Call(user=head),
            ("/api/v1/supervision/orders", "post"): Call(user=sup, json={
                "case": self.case.number, "subject": "催办", "instructions": "尽快决定", "workdays": 2}, status=201),
            ("/api/v1/supervision/orders/{order_id}/reply", "post"): Call(
                user=head, path={"order_id": self.order.pk}, json={"reply": "已办结"}),
            ("/api/v1/supervision/orders/{order_id}/close", "post"): Call(
                user=sup, path={"order_id": self.replied.pk}, json={"decision": "close"}),
            **self.rating_calls(),
            **self.agency_calls,
        }

    def rating_calls(self) -> dict[tuple[str, str], Call]:
        w, officer, pad = self, self.staff.officer, {"X-Pad-Key": self.pad_key}
        return {
            ("/api/v1/ratings/invitations/{token}", "get"): Call(path={"token": w.rating_token}),
            ("/api/v1/ratings/invitations/{token}", "post"): Call(
                path={"token": w.rating_token}, json={"level": 2, "aspects": {"efficiency": 2}, "comment": "慢"},
                status=201),
            ("/api/v1/cases/{number}/rating", "post"): Call(user=w.citizen, path={"number": w.to_rate.number},
                                                            json={"level": 5}, status=201),
            ("/api/v1/ratings/pad", "get"): Call(headers=pad),
            ("/api/v1/ratings/pad", "post"): Call(headers=pad, json={"level": 4, "subject": w.pad_subject,
                                                                     "aspects": {"attitude": 5}}, status=201),
            ("/api/v1/ratings/summary", "get"): Call(),
            ("/api/v1/rectifications", "get"): Call(user=officer, query={"state": "active"}),
            ("/api/v1/rectifications/{rectification_id}", "get"): Call(user=officer,
                                                                        path={"rectification_id": w.rect.pk}),
            ("/api/v1/rectifications/{rectification_id}/return-visit", "post"): Call(
                user=officer, path={"rectification_id": w.rect.pk}, json={"answer": "fairly_satisfied",
                                                                          "note": "已致歉"}),
            ("/api/v1/rectifications/{rectification_id}/close", "post"): Call(
                user=officer, path={"rectification_id": w.visited.pk}, json={"measures": "增设导办员"}),
            ("/api/v1/ratings/{rating_id}/void-requests", "post"): Call(
                user=w.staff.head, path={"rating_id": w.rect.rating_id}, json={"reasons": "评价人并非本案申请人，疑为恶意"},
                status=201),
            ("/api/v1/ratings/void-requests", "get"): Call(user=w.supervisor, query={"state": "pending"}),
            ("/api/v1/ratings/void-requests/{request_id}/decision", "post"): Call(
                user=w.supervisor, path={"request_id": w.void_request.pk}, json={"decision": "grant", "note": "属实"}),
            ("/api/v1/hotline/tickets", "get"): Call(user=officer, query={"state": "dispatched"}),
            ("/api/v1/hotline/tickets", "post"): Call(user=w.operator, json={
                "kind": "consultation", "text": "几点下班？", "caller_mobile": "13907361234", "answer": "17:30"},
                status=201),
            ("/api/v1/hotline/tickets/{number}", "get"): Call(user=officer, path={"number": w.hotline_ticket.number}),
            ("/api/v1/hotline/tickets/{number}/actions/{action}", "post"): Call(
                user=officer, path={"number": w.hotline_ticket.number, "action": "acknowledge"}, json={}),
            **self.knowledge_calls(),
        }

    def knowledge_calls(self) -> dict[tuple[str, str], Call]:
        from onetrip.knowledge.models import Article

        article = Article.objects.filter(from_item=self.item.item).order_by("id").first()
        assert article is not None  # written when the item was published
        question = {"q": f"{self.item.name}要带什么材料"}
        return {
            ("/api/v1/knowledge/articles", "get"): Call(query=question),
            ("/api/v1/knowledge/articles/{article_id}", "get"): Call(path={"article_id": article.pk}),
            ("/api/v1/knowledge/articles/{article_id}/feedback", "post"): Call(
                path={"article_id": article.pk}, json={"helped": True}, status=201),
            ("/api/v1/knowledge/suggestions", "get"): Call(user=self.operator, query=question),
        }

    def licence_calls(self) -> dict[tuple[str, str], Call]:
        lic, officer = self.licence, self.staff.officer
        return {
            ("/api/v1/licenses/verify/{key}", "get"): Call(path={"key": lic.verification_id}),
            ("/api/v1/licenses/mine", "get"): Call(user=self.citizen),
            ("/api/v1/licenses/{licence_id}/pdf", "get"): Call(user=self.citizen, path={"licence_id": lic.pk}),
            ("/api/v1/licenses/{licence_id}/status", "post"): Call(
                user=officer, path={"licence_id": lic.pk}, json={"status": "suspended", "reason": "停业整顿"}),
            ("/api/v1/licenses/{licence_id}/renew", "post"): Call(
                user=officer, path={"licence_id": lic.pk}, json={"reason": "换发"}, status=202),
        }

    def hall_calls(self) -> dict[tuple[str, str], Call]:
        h, clerk = self.hall, self.staff.clerk
        later = {"day": h.days[1].isoformat(), "start": "10:00"}
        return {
            ("/api/v1/hall/areas", "get"): Call(),
            ("/api/v1/hall/tickets", "post"): Call(user=self.citizen, json={"area": "business"}, status=201),
            ("/api/v1/hall/tickets/{token}", "get"): Call(path={"token": h.waiting.token}),
            ("/api/v1/hall/calls", "get"): Call(),
            ("/api/v1/hall/desk", "get"): Call(user=clerk),
            ("/api/v1/hall/desk/window", "post"): Call(user=clerk, json={"window": 2}),
            ("/api/v1/hall/desk/call-next", "post"): Call(user=clerk),
            ("/api/v1/hall/desk/tickets/{ticket_id}/actions", "post"): Call(
                user=h.world.clerk2, path={"ticket_id": h.called.pk}, json={"action": "start"}),
            ("/api/v1/hall/desk/walk-in", "post"): Call(user=clerk, json={"area": "business", "priority": True},
                                                        status=201),
            ("/api/v1/hall/desk/check-in", "post"): Call(user=clerk, json={"code": h.today_code}, status=201),
            ("/api/v1/hall/slots", "get"): Call(query={"area": "business", "day": h.days[0].isoformat()}),
            ("/api/v1/hall/bookings", "get"): Call(user=self.citizen),
            ("/api/v1/hall/bookings", "post"): Call(user=self.citizen, status=201, json={
                "area": "business", "item": h.world.item.code, **later}),
            ("/api/v1/hall/bookings/{code}/cancel", "post"): Call(user=self.citizen,
                                                                  path={"code": h.appointment.code}),
            ("/api/v1/hall/bookings/{code}/change", "post"): Call(user=self.citizen, path={"code": h.appointment.code},
                                                                  json=later, status=201),
        }


@pytest.fixture
def world(catalog_admin, department, citizen, staff, item):
    return World(catalog_admin, department, citizen, staff, item)


# --- making requests -------------------------------------------------------------------------

def _url(template: str, path: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(path[m.group(1)]), template)


def _token(user: Any) -> str:
    return accounts.issue_api_token(user=user, name="test")


def send(client: Client, template: str, method: str, call: Call, auth: str = "token", **extra: Any) -> Any:
    """``auth``: token (the call's user's bearer token, if it has a user), none, bad (an unknown
    token), stale (a session cookie of no session), session (logged in, with the CSRF token),
    session-no-csrf."""
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in call.headers.items()}
    if auth == "token" and call.user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {_token(call.user)}"
    elif auth == "bad":
        headers["HTTP_AUTHORIZATION"] = "Bearer not-a-token"
    elif auth == "stale":
        client.cookies["sessionid"] = "expired-long-ago"
    elif auth.startswith("session"):
        client.force_login(call.user)
        if auth == "session":
            secret = _get_new_csrf_string()
            client.cookies["csrftoken"] = secret
            headers["HTTP_X_CSRFTOKEN"] = secret
    url = _url(template, call.path)
    if method == "get":
        return client.get(url, call.query, **headers, **extra)
    if call.form is not None:
        upload = io.BytesIO(PDF)
        upload.name = "scan.pdf"
        return client.post(url, {**call.form, "file": upload}, **headers)
    return client.post(url, call.json or {}, content_type="application/json", **headers)


def operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [(path, method) for path, ops in spec["paths"].items() for method in ops]


# --- the schema ----------------------------------------------------------------------------

def test_the_document_is_valid_openapi(spec):
    validate(spec)


@pytest.mark.django_db
def test_every_operation_is_exercised(spec, world):
    assert sorted(operations(spec)) == sorted(world.calls())


def test_every_operation_documents_what_any_operation_may_answer(spec):
    for path, method in operations(spec):
        op = spec["paths"][path][method]
        statuses = set(op["responses"])
        assert "503" in statuses, (path, method)  # the database stayed locked
        if any(p["in"] != "path" for p in op.get("parameters", [])) or op.get("requestBody"):
            assert "400" in statuses, (path, method)
        if op.get("security"):
            assert "401" in statuses, (path, method)
            if method == "post" and {"SessionAuth": []} in op["security"]:
                assert "403" in statuses, (path, method)  # a session without its CSRF token
        for status, answer in op["responses"].items():
            if status.startswith(("4", "5")):
                assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_action_enum_is_in_the_schema(spec):
    from onetrip.cases import actions

    prop = spec["components"]["schemas"]["ActionIn"]["properties"]["action"]
    assert prop["enum"] == actions.names() and prop["minLength"] == 1


# --- valid calls -----------------------------------------------------------------------------

ALL = [
    ("/api/v1/items", "get"), ("/api/v1/items/{code}", "get"), ("/api/v1/departments", "get"),
    ("/api/v1/search", "get"), ("/api/v1/bundles", "get"), ("/api/v1/bundles/{code}", "get"), ("/api/v1/auth/token", "post"),
    ("/api/v1/me", "get"), ("/api/v1/auth/sms-code", "post"), ("/api/v1/auth/password-reset", "post"),
    ("/api/v1/auth/unlock", "post"), ("/api/v1/company-representatives", "get"),
    ("/api/v1/company-representatives/{user_id}/confirm", "post"),
    ("/api/v1/company-representatives/{user_id}/reject", "post"), ("/api/v1/calendar/add-workdays", "get"),
    ("/api/v1/calendar/is-workday", "get"), ("/api/v1/publications", "get"), ("/api/v1/publications", "post"),
    ("/api/v1/publications/{pk}/approve", "post"), ("/api/v1/publications/{pk}/reject", "post"),
    ("/api/v1/applications", "post"), ("/api/v1/applications/{application_id}/materials", "post"),
    ("/api/v1/applications/{application_id}/delivery", "post"),
    ("/api/v1/applications/{application_id}/submit", "post"),
    ("/api/v1/applications/{application_id}/window-decision", "post"), ("/api/v1/cases", "get"),
    ("/api/v1/cases/{number}", "get"), ("/api/v1/cases/{number}/materials/{material_id}", "get"),
    ("/api/v1/cases/{number}/documents/{kind}", "get"),
    ("/api/v1/proxy-consents/sms-code", "post"), ("/api/v1/proxy-consents/{consent_id}/confirm", "post"),
    ("/api/v1/proxy-consents", "post"),
    ("/api/v1/inbox", "get"), ("/api/v1/cases/{number}/actions", "post"), ("/api/v1/cases/{number}/visits", "post"),
    ("/api/v1/progress", "post"), ("/api/v1/progress", "get"),
    ("/api/v1/hall/areas", "get"), ("/api/v1/hall/tickets", "post"), ("/api/v1/hall/tickets/{token}", "get"),
    ("/api/v1/hall/calls", "get"), ("/api/v1/hall/desk", "get"), ("/api/v1/hall/desk/window", "post"),
    ("/api/v1/hall/desk/call-next", "post"), ("/api/v1/hall/desk/tickets/{ticket_id}/actions", "post"),
    ("/api/v1/hall/desk/walk-in", "post"), ("/api/v1/hall/desk/check-in", "post"), ("/api/v1/hall/slots", "get"),
    ("/api/v1/hall/bookings", "get"), ("/api/v1/hall/bookings", "post"), ("/api/v1/hall/bookings/{code}/cancel", "post"),
    ("/api/v1/hall/bookings/{code}/change", "post"),
    ("/api/v1/registries/people/{id_number}", "get"), ("/api/v1/registries/companies/{uscc}", "get"),
    ("/api/v1/registries/representative/verify", "post"), ("/api/v1/registries/representative/delegation-code", "post"),
    ("/api/v1/registries/representative/delegation-code/{confirmation_id}/confirm", "post"),
    ("/api/v1/cases/{number}/bills", "get"), ("/api/v1/bills/{reference}/pay", "post"),
    ("/api/v1/bills/{reference}/receipt", "get"), ("/api/v1/payments/callbacks/{provider}", "post"),
    ("/api/v1/cases/{number}/delivery", "get"), ("/api/v1/cases/{number}/delivery", "post"),
    ("/api/v1/shipments", "get"), ("/api/v1/shipments/{tracking_number}/status", "post"),
    ("/api/v1/delivery/carriers/{carrier}/webhook", "post"),
    ("/api/v1/licenses/verify/{key}", "get"), ("/api/v1/licenses/mine", "get"),
    ("/api/v1/licenses/{licence_id}/pdf", "get"), ("/api/v1/licenses/{licence_id}/status", "post"),
    ("/api/v1/licenses/{licence_id}/renew", "post"),
    ("/api/v1/supervision/cards", "get"), ("/api/v1/supervision/cards/{card_id}/appeal", "post"),
    ("/api/v1/metrics", "get"),
    ("/api/v1/supervision/cards/{card_id}/decision", "post"), ("/api/v1/supervision/orders", "get"),
    ("/api/v1/supervision/orders", "post"), ("/api/v1/supervision/orders/{order_id}/reply", "post"),
    ("/api/v1/supervision/orders/{order_id}/close", "post"),
    ("/api/v1/ratings/invitations/{token}", "get"), ("/api/v1/ratings/invitations/{token}", "post"),
    ("/api/v1/cases/{number}/rating", "post"), ("/api/v1/ratings/pad", "get"), ("/api/v1/ratings/pad", "post"),
    ("/api/v1/ratings/summary", "get"), ("/api/v1/rectifications", "get"),
    ("/api/v1/rectifications/{rectification_id}", "get"),
    ("/api/v1/rectifications/{rectification_id}/return-visit", "post"),
    ("/api/v1/rectifications/{rectification_id}/close", "post"), ("/api/v1/ratings/{rating_id}/void-requests", "post"),
    ("/api/v1/ratings/void-requests", "get"), ("/api/v1/ratings/void-requests/{request_id}/decision", "post"),
    ("/api/v1/hotline/tickets", "get"), ("/api/v1/hotline/tickets", "post"), ("/api/v1/hotline/tickets/{number}", "get"),
    ("/api/v1/hotline/tickets/{number}/actions/{action}", "post"),
    ("/api/v1/agencies/service-types", "get"), ("/api/v1/agencies", "get"), ("/api/v1/agencies", "post"),
    ("/api/v1/agencies/{agency_id}/review", "post"), ("/api/v1/agencies/purchases", "get"),
    ("/api/v1/agencies/purchases", "post"), ("/api/v1/agencies/purchases/{number}", "get"),
    ("/api/v1/agencies/purchases/{number}/sign-ups", "post"), ("/api/v1/agencies/purchases/{number}/bids", "post"),
    ("/api/v1/agencies/purchases/{number}/scores", "post"),
    ("/api/v1/agencies/purchases/{number}/objections", "post"),
    ("/api/v1/agencies/purchases/{number}/actions", "post"), ("/api/v1/agencies/purchases/{number}/rating", "post"),
    ("/api/v1/agencies/purchases/{number}/report", "post"), ("/api/v1/agencies/purchases/{number}/attach", "post"),
    ("/api/v1/agencies/{uscc}", "get"),
    ("/api/v1/knowledge/articles", "get"), ("/api/v1/knowledge/articles/{article_id}", "get"),
    ("/api/v1/knowledge/articles/{article_id}/feedback", "post"), ("/api/v1/knowledge/suggestions", "get"),
]
SECURED = [op for op in ALL if op[0] not in {
    "/api/v1/items", "/api/v1/items/{code}", "/api/v1/departments", "/api/v1/search", "/api/v1/bundles", "/api/v1/bundles/{code}",
    "/api/v1/auth/token", "/api/v1/auth/sms-code", "/api/v1/auth/password-reset", "/api/v1/auth/unlock",
    "/api/v1/calendar/add-workdays", "/api/v1/calendar/is-workday", "/api/v1/progress", "/api/v1/hall/areas",
    "/api/v1/hall/tickets/{token}", "/api/v1/hall/calls", "/api/v1/hall/slots",
    "/api/v1/payments/callbacks/{provider}", "/api/v1/delivery/carriers/{carrier}/webhook", "/api/v1/licenses/verify/{key}",
    "/api/v1/ratings/invitations/{token}", "/api/v1/ratings/pad", "/api/v1/ratings/summary",
    "/api/v1/knowledge/articles", "/api/v1/knowledge/articles/{article_id}",
    "/api/v1/knowledge/articles/{article_id}/feedback",
    "/api/v1/agencies/service-types", "/api/v1/agencies/purchases/{number}", "/api/v1/agencies/{uscc}"}
    and op not in {("/api/v1/agencies", "get"), ("/api/v1/agencies/purchases", "get")}]


def test_the_lists_above_name_every_operation_and_the_secured_ones(spec):
    assert sorted(ALL) == sorted(operations(spec))
    assert sorted(SECURED) == sorted(op for op in operations(spec) if spec["paths"][op[0]][op[1]].get("security"))


# Each operation's world is built twice (it is the suite's slowest fixture): once for the checks
# that change nothing (what the schema refuses is a 400, no usable credentials a 401) followed by a
# valid call with a token, once for a logged-in session (no CSRF token: 403; with it: the valid call).

@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), ALL)
def test_refusals_then_a_valid_call_answer_as_documented(client, spec, world, path, method):
    call = world.calls()[(path, method)]
    refused_are_400(client, spec, path, method, call)
    if (path, method) in SECURED:
        no_usable_credentials_is_401(spec, path, method, call)
    response = send(client, path, method, call)
    assert response.status_code == call.status, response.content[:300]
    assert_matches(spec, path, method, response)


def no_usable_credentials_is_401(spec: dict[str, Any], path: str, method: str, call: Call) -> None:
    """No token, a bad one or a stale one: 401, even for a POST (CSRF is not the answer)."""
    for auth in ["none", "bad", "stale"]:
        client = Client(enforce_csrf_checks=True)  # as a real client: CSRF is not waived
        response = send(client, path, method, call, auth=auth)
        assert response.status_code == 401, (auth, response.content[:300])
        assert response["WWW-Authenticate"] == "Bearer"
        assert "Authentication required" in assert_matches(spec, path, method, response)["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), SECURED)
def test_a_logged_in_session_works_and_needs_its_csrf_token_to_post(spec, world, path, method):
    call = world.calls()[(path, method)]
    if method == "post":
        response = send(Client(enforce_csrf_checks=True), path, method, call, auth="session-no-csrf")
        assert response.status_code == 403
        assert "X-CSRFToken" in assert_matches(spec, path, method, response)["detail"]
    response = send(Client(enforce_csrf_checks=True), path, method, call, auth="session")
    assert response.status_code == call.status, response.content[:300]
    assert_matches(spec, path, method, response)


# --- what the schema refuses is refused ------------------------------------------------------

CANDIDATES: list[Any] = ["", " ", "abc", "x" * 301, "2025-02-30", "2025/09/30", "123456", "not-a-value", -1, 0,
                         3651, 10**6, None, [], [0], {}, "٣٤٥٦٧٨"]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        resolved: dict[str, Any] = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return resolved
    return schema


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": spec["components"]}, format_checker=FormatChecker())


def _as_query(value: Any, schema: dict[str, Any]) -> Any:
    """How a query string value reads against its schema: digits are numbers to an integer."""
    if schema.get("type") == "integer" and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def refused_variants(spec: dict[str, Any], path: str, method: str, call: Call) -> list[tuple[str, Call]]:
    """Calls that differ from the valid one in one value (or one missing value) that the
    operation's schema refuses."""
    op = spec["paths"][path][method]
    out: list[tuple[str, Call]] = []
    for param in op.get("parameters", []):
        where, name, schema = param["in"], param["name"], param["schema"]
        if where == "path":
            continue  # a path that does not fit is no route at all
        if where == "query" and param.get("required"):
            out.append((f"{name} missing", Call(**{**vars(call), "query": {
                k: v for k, v in call.query.items() if k != name}})))
        for value in CANDIDATES:
            if value is None or isinstance(value, (list, dict)):
                continue  # a query string or header is text
            value = str(value)
            if _validator(spec, schema).is_valid(_as_query(value, schema)):
                continue
            if where == "query":
                out.append((f"{name}={value!r}", Call(**{**vars(call), "query": {**call.query, name: value}})))
            elif where == "header":
                out.append((f"{name}: {value!r}", Call(**{**vars(call), "headers": {**call.headers, name: value}})))
    body = op.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        schema = _resolve(spec, body["application/json"]["schema"])
        validator = _validator(spec, schema)
        base = call.json or {}
        bodies = [{k: v for k, v in base.items() if k != name} for name in base]  # one missing at a time
        bodies += [{**base, name: value} for name in schema.get("properties", {}) for value in CANDIDATES]
        if "oneOf" in schema:
            bodies.append({**base, **{k: "X" for r in schema["oneOf"] for k in r["required"]}})  # both
        for candidate in bodies:
            if not validator.is_valid(candidate):
                out.append((f"body {candidate!r}", Call(**{**vars(call), "json": candidate})))
    if "multipart/form-data" in body:
        schema = body["multipart/form-data"]["schema"]
        for name, prop in schema["properties"].items():
            if prop.get("format") == "binary":
                continue
            for value in CANDIDATES:
                if isinstance(value, str) and not _validator(spec, prop).is_valid(value):
                    out.append((f"form {name}={value!r}", Call(**{**vars(call), "form": {**(call.form or {}),
                                                                                           name: value}})))
    return out


def refused_are_400(client: Client, spec: dict[str, Any], path: str, method: str, call: Call) -> None:
    """Every call that differs from the valid one in a value the schema refuses is a 400 naming it."""
    variants = refused_variants(spec, path, method, call)
    op = spec["paths"][path][method]
    if any(p["in"] != "path" for p in op.get("parameters", [])) or op.get("requestBody"):
        assert variants, "no refused value found for an operation that takes input"
    for label, variant in variants:
        response = send(client, path, method, variant)
        assert response.status_code == 400, (label, response.content[:300])
        assert assert_matches(spec, path, method, response)["detail"], label


@pytest.mark.django_db
def test_the_refusals_name_the_field_as_the_services_do(client, world):
    r = client.get("/api/v1/items", {"page": 0})
    assert set(r.json()["errors"]) == {"page"}
    r = client.post("/api/v1/auth/token", {"username": "", "password": PASSWORD}, content_type="application/json")
    assert r.status_code == 400 and set(r.json()["errors"]) == {"username"}  # not "payload.username"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token(world.citizen)}"}
    r = client.post("/api/v1/applications", {}, content_type="application/json", **auth)
    assert r.status_code == 400 and "either one item or one life-event bundle" in r.json()["detail"]


# --- what the schema allows is accepted ------------------------------------------------------

def _random_value(rng: random.Random, schema: dict[str, Any]) -> Any:
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if schema.get("type") == "integer":
        low = schema.get("minimum", -1000)
        high = schema.get("maximum", low + 10**6)
        return rng.choice([low, high, rng.randint(low, high)])
    if schema.get("format") == "date":
        return f"{rng.randint(1900, 2100):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    alphabet = "个体工商户食品经营许可 abcxyz-0123456789 %&=?#'\"\\/<>"
    length = rng.randint(schema.get("minLength", 0), min(schema.get("maxLength", 40), 40))
    return "".join(rng.choice(alphabet) for _ in range(length))


QUERY_ONLY = [("/api/v1/items", "get"), ("/api/v1/search", "get"), ("/api/v1/calendar/add-workdays", "get"),
              ("/api/v1/calendar/is-workday", "get"), ("/api/v1/inbox", "get")]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), QUERY_ONLY)
def test_random_values_the_schema_allows_are_accepted(client, spec, world, path, method):
    """A light property-based pass: 40 random parameter sets that the schema allows (enum
    members, bounds and values between, odd characters); none may be a 400, every answer is
    documented and matches its schema."""
    rng = random.Random(f"{path}{method}")
    call = world.calls()[(path, method)]
    params = spec["paths"][path][method]["parameters"]
    for _ in range(40):
        query = {}
        for p in params:
            if p.get("required") or rng.random() < 0.7:
                query[p["name"]] = _random_value(rng, p["schema"])
        assert all(_validator(spec, p["schema"]).is_valid(query[p["name"]]) for p in params if p["name"] in query)
        response = send(client, path, method, Call(**{**vars(call), "query": query}))
        assert response.status_code != 400, (query, response.content[:300])
        assert_matches(spec, path, method, response)


# --- rate limits and lock-outs ---------------------------------------------------------------

@pytest.mark.django_db
def test_a_locked_out_login_is_a_documented_429(client, spec, citizen, settings):
    statuses = []
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 1):
        r = client.post("/api/v1/auth/token", {"username": citizen.username, "password": "wrong"},
                        content_type="application/json")
        statuses.append(r.status_code)
        body = assert_matches(spec, "/api/v1/auth/token", "post", r)
    assert statuses[0] == 401 and statuses[-1] == 429
    assert body["retry_after"] > 0 and r["Retry-After"] == str(body["retry_after"])


@pytest.mark.django_db
def test_too_many_lookups_and_codes_are_documented_429s(client, spec, world, settings):
    settings.PROGRESS_LOOKUPS_PER_HOUR = 1
    settings.SMS_CODES_PER_MOBILE_PER_HOUR = 1
    calls = world.calls()
    for op in [("/api/v1/progress", "post"), ("/api/v1/progress", "get"), ("/api/v1/auth/sms-code", "post")]:
        statuses = []
        for _ in range(2):
            r = send(client, *op, calls[op])
            statuses.append(r.status_code)
            assert_matches(spec, *op, r)
        assert statuses[-1] == 429, (op, statuses)


def test_no_two_schemas_share_a_name():
    """django-ninja names a component after its class: two input classes of the same name in two
    routers would document one operation with the other's fields."""
    import inspect

    from ninja import Schema

    import onetrip.api as package

    seen: dict[str, str] = {}
    for info in __import__("pkgutil").iter_modules(package.__path__):
        module = __import__(f"onetrip.api.{info.name}", fromlist=["_"])
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Schema) and obj.__module__ == module.__name__:
                assert name not in seen, f"{name} in {module.__name__} and {seen[name]}"
                seen[name] = module.__name__
