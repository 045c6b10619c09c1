"""The authorisation matrix, built from the URL configuration and the OpenAPI schema.

Every URL pattern (a walk of the resolver) and every API operation (``/api/openapi.json``) is
tried by every role against objects that belong to someone else: another citizen's case,
application and material files, another department's case, a company representative waiting
for a window clerk, a publication batch someone else proposed. A route must be classified in
``PAGES`` or ``OPERATIONS`` below (public / signed-in / own-object / staff / admin, with how to
fill its URL parameters), so a new route that nobody classified fails the test.

What is checked, for each route × role × object:
- no data: a response never shows a case the role may not see (its number, the applicant's
  name, ID number or mobile), on any route, public ones included;
- no access: where the role may not see the object (or lacks the capability), a page answers
  302 to the log-in page (anonymous) or 403/404, the API 401/403/404; never 2xx;
- no action: a POST by such a role (and by staff who may see a case but not act on it)
  changes nothing (cases' states, applications, materials, notices, visits, batches, company
  representatives, the trail);
- the filling is real: the owner (and each role allowed) gets 200 on a GET of an own-object or
  staff route, so a parameter that resolves to nothing cannot make the test pass vacuously.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Role, User
from onetrip.accounts.permissions import Capability, can
from onetrip.cases import services as cases
from onetrip.cases.models import Application, Case, CaseMaterial, OneTimeNotice, Visit
from onetrip.catalog import services as catalog
from onetrip.catalog.models import PublicationBatch
from onetrip.core.models import TrailEntry
from onetrip.demo.people import resident_id, uscc
from onetrip.hall import services as hall_services
from onetrip.hotline.models import Ticket

from .conftest import PASSWORD, PDF, make_department, make_item, make_user
from .hall_fixtures import build_hall
from .licence_fixtures import licence_of

MATERIAL = "个体工商户登记（备案）申请书"


# --- the world: two victims, two departments, every role ---------------------------------------

@dataclass
class World:
    actors: dict[str, User | None]
    victim: User
    victim2: User
    case_a: Case  # the victim's, in department A, awaiting a supplement (has a notice)
    case_b: Case  # the second victim's, in department B
    draft: Application  # the victim's application not yet submitted
    material_a: CaseMaterial
    material_b: CaseMaterial
    notice_a: OneTimeNotice
    pending_rep: User
    batch: PublicationBatch
    spare_draft_id: int
    item_code: str
    bundle_code: str
    draft_version: int
    consent: Any = None  # a proxy agent's consent code waiting to be confirmed
    hall_token: str = ""
    bill_a: Any = None  # a paid bill of case A (its receipt exists)
    bill_b: Any = None  # a bill of case B waiting for payment
    shipment_a: Any = None  # case A's shipment in the post queue
    licence: Any = None  # the victim's e-licence, issued by department A
    card: Any = None  # a yellow card of department A on case A, appealed
    order: Any = None  # a supervision order to department A on case A, replied
    report: Any = None  # a monthly report
    rect_a: Any = None  # a rectification of a poor rating of case A (department A)
    rect_b: Any = None  # and of case B (department B)
    void_request: Any = None  # department A's request to void case A's rating
    ticket_a: Any = None  # a hotline complaint about case A, dispatched to department A
    ticket_b: Any = None  # an anonymous hotline report dispatched to department B

    def secrets_of(self, case: Case) -> list[str]:
        owner = self.victim if case.pk == self.case_a.pk else self.victim2
        return [case.number, owner.real_name, owner.resident_id, owner.mobile]


def build_world() -> World:
    from onetrip.accounts.models import Division

    district = Division.objects.get_or_create(code="430703", defaults={"name": "常德市鼎城区", "level": "district"})[0]
    dept_a = make_department(district)
    dept_b = make_department(district, code="ZJJ", name="常德市鼎城区住房和城乡建设局")
    admin = make_user(Role.CATALOG_ADMIN)
    item_a = make_item(admin, dept_a, code="430703-SCJGJ-001")
    item_b = make_item(admin, dept_b, code="430703-ZJJ-001")
    bundle = catalog.save_bundle(actor=admin, code="KCG", name="开餐馆一件事", items=[item_a.item, item_b.item])
    victim = accounts.register_citizen(real_name="甲受害", mobile="13907369901",
                                       resident_id=resident_id("43070319910101123"), password=PASSWORD)
    victim2 = accounts.register_citizen(real_name="乙受害", mobile="13907369902",
                                        resident_id=resident_id("43070319920202456"), password=PASSWORD)
    clerk = make_user(Role.WINDOW_CLERK, dept_a)

    def submitted(person: User, code: str) -> Case:
        application, _ = cases.create_application(actor=person, item_code=code)
        cases.upload_material(actor=person, application=application, name=MATERIAL, stream=io.BytesIO(PDF),
                              original_name="scan.pdf")
        [case] = cases.submit_application(actor=person, application=application)
        return case

    case_a = cases.issue_notice(case=submitted(victim, item_a.item.code), actor=clerk,
                                items=[{"material": MATERIAL, "reason": "缺少签字"}])
    case_b = submitted(victim2, item_b.item.code)
    draft, _ = cases.create_application(actor=victim, item_code=item_a.item.code, idempotency_key="draft")
    pending_rep = accounts.register_company_representative(
        real_name="丙待核", mobile="13907369903", resident_id=resident_id("43070319930303789"),
        password=PASSWORD, uscc=uscc("91430703MA4T99991"), company_name="待核公司（演示）", legal_representative="丙")
    proposer = make_user(Role.CATALOG_ADMIN)
    next_a = catalog.start_draft(actor=proposer, item=item_a.item)
    batch = catalog.propose_publication(actor=proposer, versions=[next_a], name="下一批")
    spare = catalog.start_draft(actor=proposer, item=item_b.item)
    actors: dict[str, User | None] = {
        "anonymous": None,
        "citizen": make_user(Role.CITIZEN, mobile="13907369904",
                             resident_id=resident_id("43070319940404012")),
        "another citizen": victim2,  # owns case_b; tries the victim's
        "company rep": make_user(Role.COMPANY_REP),
        "proxy agent": make_user(Role.PROXY_AGENT),
        "window clerk": clerk,
        "officer (case's department)": make_user(Role.OFFICER, dept_a),
        "officer (another department)": make_user(Role.OFFICER, dept_b),
        "head": make_user(Role.DEPARTMENT_HEAD, dept_a),
        "supervisor": make_user(Role.SUPERVISOR),
        "catalogue admin": make_user(Role.CATALOG_ADMIN),
        "system admin": make_user(Role.SYSTEM_ADMIN),
        "hotline operator": make_user(Role.HOTLINE_OPERATOR),
    }
    hall = build_hall(district, open_all_hours=True)
    ticket = hall_services.take_ticket(actor=None, area=hall.a, kiosk=hall.kiosk)
    bill_a, bill_b, shipment_a = _payments_and_post(case_a, case_b)
    world = World(actors=actors, victim=victim, victim2=victim2, case_a=case_a, case_b=case_b, draft=draft,
                 material_a=case_a.application.materials.get(), material_b=case_b.application.materials.get(),
                 notice_a=case_a.notices.get(), pending_rep=pending_rep, batch=batch, spare_draft_id=spare.pk,
                 item_code=item_a.item.code, bundle_code=bundle.code, draft_version=next_a.number,
                 consent=cases.send_consent_code(actor=actors["proxy agent"], name="王示例", mobile="13907368888",
                                                 id_number=resident_id("43070319900202345"), client="127.0.0.1"),
                 hall_token=ticket.token, bill_a=bill_a, bill_b=bill_b, shipment_a=shipment_a)
    world.licence = licence_of(victim, dept_a)
    world.card, world.order = _supervision(case_a, actors)
    from onetrip.reports import services as reports

    world.report = reports.generate_monthly(month=dt.date.today())
    world.rect_a, world.rect_b = (_poor_rating(c) for c in (case_a, case_b))
    world.void_request = _void_request(world.rect_a)
    world.ticket_a, world.ticket_b = _hotline(case_a, dept_a, dept_b, actors)
    return world


HOTLINE_CALLERS = ("甲来电", "13907367771", "乙举报", "13907367772")


def _hotline(case_a: Case, dept_a: Any, dept_b: Any, actors: dict[str, User | None]) -> tuple[Any, Any]:
    """Two tickets: a named complaint about case A with department A; an anonymous report (with a
    mobile for SMS) with department B. Only operators may ever see the callers in full."""
    from onetrip.hotline import services as hotline

    operator = actors["hotline operator"]
    assert operator is not None
    a = hotline.register_ticket(actor=operator, kind="complaint", channel="phone", text="办件太慢", case=case_a,
                                caller_name=HOTLINE_CALLERS[0], caller_mobile=HOTLINE_CALLERS[1]).ticket
    b = hotline.register_ticket(actor=operator, kind="report", channel="phone", text="偷排废油", anonymous=True,
                                caller_mobile=HOTLINE_CALLERS[3]).ticket
    return (hotline.dispatch(actor=operator, ticket=a, department=dept_a),
            hotline.dispatch(actor=operator, ticket=b, department=dept_b))


def ticket_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    """A hotline ticket: operators and supervisors see every one (supervisors act on none); the
    officers and head of the department it is dispatched to see and work it; nobody else."""
    def centre(a: User | None) -> bool:
        return a is not None and a.role in {Role.HOTLINE_OPERATOR, Role.SUPERVISOR, Role.SYSTEM_ADMIN}

    def dept(t: Any) -> Allowed:
        return lambda a, w: a is not None and a.role in {Role.OFFICER, Role.DEPARTMENT_HEAD} \
            and a.department_id == t.department_id

    out = []
    for t in (w.ticket_a, w.ticket_b):
        works = dept(t)
        out.append(({"number": t.number}, lambda a, w, works=works: centre(a) or works(a, w),
                    lambda a, w, works=works: works(a, w) or (a is not None and a.role == Role.HOTLINE_OPERATOR)))
    return out


def _an_article(w: World) -> Any:
    from onetrip.knowledge.models import Article

    return Article.objects.filter(state="published", from_item__code=w.item_code).order_by("id").first()


def article_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    """A knowledge-base article on the staff side: those who write articles (the hotline centre,
    catalogue and system admins) see every one; a department's officers and head see the ones
    their department owns; nobody else."""
    a = _an_article(w)

    def allowed(actor: User | None, w: World) -> bool:
        return actor is not None and (can(actor, Capability.EDIT_KNOWLEDGE) or (
            can(actor, Capability.APPROVE_KNOWLEDGE) and actor.department_id == a.owner_id))
    return [({"pk": a.pk}, allowed, allowed)]


def _supervision(case_a: Case, actors: dict[str, User | None]) -> tuple[Any, Any]:
    from onetrip.cases.rules import record_violation
    from onetrip.supervision import services as supervision
    from onetrip.supervision.models import Card

    record_violation(case=case_a, rule="off_checklist", actor=None, detail={"materials": ["户口本"]})
    supervision.issue_cards(day=case_a.received_on or dt.date.today())
    card = supervision.appeal_card(actor=actors["head"], card=Card.objects.get(case=case_a),  # type: ignore[arg-type]
                                   reasons="申请人自愿提供")
    order = supervision.issue_order(actor=actors["supervisor"], case=case_a, subject="催办",  # type: ignore[arg-type]
                                    instructions="请尽快办理")
    order = supervision.reply_order(actor=actors["head"], order=order, reply="已办理")  # type: ignore[arg-type]
    return card, order


def _poor_rating(case: Case) -> Any:
    """A poor rating of the case with its rectification (written directly: the cases are not closed)."""
    from django.utils import timezone

    from onetrip.ratings import services as ratings
    from onetrip.ratings.models import Rating

    rating = Rating.objects.create(channel="online", level=1, case=case, department_id=case.department_id,
                                   comment="太慢", rated_at=timezone.now())
    return ratings.open_rectification(rating, None)


def _void_request(rect: Any) -> Any:
    from django.utils import timezone

    from onetrip.ratings.models import VoidRequest

    return VoidRequest.objects.create(rating=rect.rating, requested_by=User.objects.filter(
        role=Role.DEPARTMENT_HEAD, department_id=rect.department_id).first(), reasons="评价与本案无关，疑为恶意",
        requested_at=timezone.now())


def rect_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    """A rectification: its department's officers and head work it; supervisors and system
    admins see every one (and may not work it); nobody else sees any."""
    def watcher(a: User | None) -> bool:
        return a is not None and a.role in {Role.SUPERVISOR, Role.SYSTEM_ADMIN}

    def dept(r: Any) -> Allowed:
        return lambda a, w: a is not None and a.role in {Role.OFFICER, Role.DEPARTMENT_HEAD} \
            and a.department_id == r.department_id

    out = []
    for r in (w.rect_a, w.rect_b):
        works = dept(r)
        out.append(({"pk": r.pk, "rectification_id": r.pk, "rating_id": r.rating_id},
                    lambda a, w, works=works: watcher(a) or works(a, w), works))
    return out


def _payments_and_post(case_a: Case, case_b: Case) -> tuple[Any, Any, Any]:
    """A paid bill on case A, a due one on case B, and a shipment of case A in the post queue."""
    from django.utils import timezone

    from onetrip.catalog.models import Fee
    from onetrip.delivery.models import Shipment
    from onetrip.payments.models import Bill, Payment

    bills = []
    for case, state in ((case_a, "paid"), (case_b, "due")):
        fee = Fee.objects.create(version=case.version, name="登记费", standard="12.50元", basis="（演示）",
                                 amount_rule="fixed", amount_fen=1250)
        bills.append(Bill.objects.create(case=case, fee=fee, reference=f"ref{case.pk:029d}", name=fee.name,
                                         standard=fee.standard, basis=fee.basis, amount_fen=1250, state=state,
                                         raised_on="approve"))
    Payment.objects.create(bill=bills[0], kind="payment", provider="sandbox", provider_reference="SBX1",
                           amount_fen=1250, at=timezone.now())
    shipment = Shipment.objects.create(case=case_a, carrier="local", tracking_number="DC000000011CN",
                                       recipient_name="甲受害", address="湖南省常德市鼎城区示例路1号", phone="13907369901")
    return bills[0], bills[1], shipment


def bill_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    """Only the applicant pays a bill; whoever sees the case sees it."""
    never: Allowed = lambda a, w: False  # noqa: E731
    return [({"number": w.case_a.number, "reference": w.bill_a.reference}, lambda a, w: sees(a, w.case_a, w),
             lambda a, w: a == w.victim),
            ({"number": w.case_b.number, "reference": w.bill_b.reference}, lambda a, w: sees(a, w.case_b, w),
             lambda a, w: a == w.victim2),
            # a case the role may see, with a bill of another case
            ({"number": w.case_a.number, "reference": w.bill_b.reference}, never, never)]


def receipt_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    """Case A's bill is paid (its receipt exists); case B's is not (nobody gets one)."""
    never: Allowed = lambda a, w: False  # noqa: E731
    return [({"number": w.case_a.number, "reference": w.bill_a.reference}, lambda a, w: sees(a, w.case_a, w), never),
            ({"number": w.case_b.number, "reference": w.bill_b.reference}, never, never),
            ({"number": w.case_b.number, "reference": w.bill_a.reference}, never, never)]


def bill_ref_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    return [({"reference": p["reference"]}, s, a) for p, s, a in bill_targets(w)[:2]]


def receipt_ref_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    return [({"reference": p["reference"]}, s, a) for p, s, a in receipt_targets(w)[:2]]


def licence_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    """The victim's licence: its holder and department A's officers and head."""
    def dept_a_staff(a: User | None, w: World) -> bool:
        return a is not None and a.role in {Role.OFFICER, Role.DEPARTMENT_HEAD} \
            and a.department_id == w.licence.department_id

    def holder_or_staff(a: User | None, w: World) -> bool:
        return (a is not None and a.pk == w.victim.pk) or dept_a_staff(a, w)

    return [({"pk": w.licence.pk, "licence_id": w.licence.pk}, holder_or_staff, dept_a_staff)]


def managed_licence_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    [(params, _see, staff_of_a)] = licence_targets(w)
    return [(params, staff_of_a, staff_of_a)]


# Who may see a case (the rule visible_cases implements, written out independently here).
def sees(actor: User | None, case: Case, w: World) -> bool:
    if actor is None:
        return False
    if case.application.applicant_id == actor.pk:
        return True
    if actor.role in {Role.WINDOW_CLERK, Role.SUPERVISOR, Role.SYSTEM_ADMIN}:
        return case.state != "draft"
    return actor.role in {Role.OFFICER, Role.DEPARTMENT_HEAD} and actor.department_id == case.department_id


# Who may act on a case (and so is not expected to be refused a POST): its window clerk, its department.
def works_on(actor: User | None, case: Case, w: World) -> bool:
    return actor is not None and (actor.role == Role.WINDOW_CLERK or (
        actor.role in {Role.OFFICER, Role.DEPARTMENT_HEAD} and actor.department_id == case.department_id))


# --- the classification ------------------------------------------------------------------------

Params = Callable[[World], dict[str, Any]]
Allowed = Callable[[User | None, World], bool]


@dataclass
class Route:
    """kind: public | signed-in | own-object | staff | admin.
    targets: for own-object routes, (parameters, who may see, who may act) for each object tried;
    for the others one set of parameters. capability: who may use a staff route."""

    kind: str
    params: Params = lambda w: {}
    targets: Callable[[World], Iterable[tuple[dict[str, Any], Allowed, Allowed]]] | None = None
    capability: Capability | tuple[Capability, ...] | None = None
    body: Callable[[World], Any] | None = None  # an API operation's valid JSON body
    post_only: bool = False  # a page route that answers a GET with 405

    def allowed(self, actor: User | None) -> bool:
        if self.kind == "public":
            return True
        if actor is None:
            return False
        if self.kind == "signed-in":
            return True
        caps = self.capability if isinstance(self.capability, tuple) else (self.capability,)
        return any(can(actor, c) for c in caps if c is not None)


def case_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    return [({"number": c.number}, lambda a, w, c=c: sees(a, c, w), lambda a, w, c=c: works_on(a, c, w))
            for c in (w.case_a, w.case_b)]


def material_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    never: Allowed = lambda a, w: False  # noqa: E731
    return [
        ({"number": w.case_a.number, "pk": w.material_a.pk}, lambda a, w: sees(a, w.case_a, w), never),
        ({"number": w.case_b.number, "pk": w.material_b.pk}, lambda a, w: sees(a, w.case_b, w), never),
        # a case the role may see, with a file of another case
        ({"number": w.case_a.number, "pk": w.material_b.pk}, never, never),
        ({"number": w.case_b.number, "pk": w.material_a.pk}, never, never),
    ]


def notice_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    never: Allowed = lambda a, w: False  # noqa: E731
    return [({"number": w.case_a.number, "pk": w.notice_a.pk}, lambda a, w: sees(a, w.case_a, w), never),
            ({"number": w.case_b.number, "pk": w.notice_a.pk}, never, never)]


def document_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    """The printed one-time notice of case A (case B has none: nobody gets it)."""
    never: Allowed = lambda a, w: False  # noqa: E731
    return [({"number": w.case_a.number, "kind": "notice"}, lambda a, w: sees(a, w.case_a, w), never),
            ({"number": w.case_b.number, "kind": "notice"}, never, never),
            ({"number": w.case_a.number, "kind": "acceptance"}, never, never)]


def application_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    def owner(app: Application) -> Allowed:
        return lambda a, w: a is not None and app.applicant_id == a.pk

    return [({"pk": app.pk, "application_id": app.pk}, owner(app), owner(app))
            for app in (w.draft, w.case_a.application, w.case_b.application)]


def reads_registry(actor: User | None, case: Case, w: World) -> bool:
    """Who may read the registry record of a case's applicant for that case (registries.rules.check_access,
    written out independently): the department's staff, window clerks while it is at the front desk,
    the applicant their own record."""
    if actor is None:
        return False
    if actor.role in (Role.OFFICER, Role.DEPARTMENT_HEAD):
        return actor.department_id == case.department_id
    if actor.role == Role.WINDOW_CLERK:
        return case.state in {"submitted", "awaiting_supplement", "result_ready"}
    return actor.role == Role.CITIZEN and case.application.applicant_id == actor.pk


def registry_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    never: Allowed = lambda a, w: False  # noqa: E731
    return [
        ({"id_number": w.victim.resident_id, "?": {"case": w.case_a.number}},
         lambda a, w: reads_registry(a, w.case_a, w), never),
        ({"id_number": w.victim2.resident_id, "?": {"case": w.case_b.number}},
         lambda a, w: reads_registry(a, w.case_b, w), never),
        # a record the case is not about
        ({"id_number": w.victim2.resident_id, "?": {"case": w.case_a.number}}, never, never),
    ]


def company_registry_targets(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
    never: Allowed = lambda a, w: False  # noqa: E731
    return [({"uscc": w.pending_rep.company.uscc, "?": {"case": c.number}}, never, never)  # no case names a company
            for c in (w.case_a, w.case_b)]


def rename(targets: Callable[[World], list[tuple[dict[str, Any], Allowed, Allowed]]], **names: str):
    def renamed(w: World) -> list[tuple[dict[str, Any], Allowed, Allowed]]:
        return [({names.get(k, k): v for k, v in p.items()}, s, a) for p, s, a in targets(w)]
    return renamed


PUBLIC = Route("public")
SIGNED_IN = Route("signed-in")
ITEM = Route("public", params=lambda w: {"code": w.item_code})


def staff(capability: Capability | tuple[Capability, ...], params: Params = lambda w: {}, body=None,
          post_only: bool = False) -> Route:
    return Route("staff", params=params, capability=capability, body=body, post_only=post_only)


# Every page route, as the resolver spells it.
PAGES: dict[str, Route] = {
    "healthz": PUBLIC,
    "trail/checkpoints/": PUBLIC,  # the published checkpoints: public by design
    "trail/checkpoints.jsonl": PUBLIC,
    "trail/public-key.pem": PUBLIC,
    "prefs/large-text": PUBLIC,
    "prefs/language/<str:code>": Route("public", params=lambda w: {"code": "en"}),
    "api/": PUBLIC,
    "api/openapi.json": PUBLIC,
    "api/docs": PUBLIC,
    "accounts/login/": PUBLIC,
    "accounts/logout/": PUBLIC,  # ends only one's own session
    "accounts/register/": PUBLIC,
    "accounts/register/company/": PUBLIC,
    "accounts/me/": SIGNED_IN,
    "accounts/password-reset/": PUBLIC,
    "accounts/password-reset/code/": PUBLIC,
    "accounts/unlock/": PUBLIC,
    "accounts/unlock/code/": PUBLIC,
    "accounts/company-representatives/": staff(Capability.VERIFY_COMPANY_REPS),
    "accounts/company-representatives/<int:user_id>/confirm/": staff(
        Capability.VERIFY_COMPANY_REPS, lambda w: {"user_id": w.pending_rep.pk}, post_only=True),
    "accounts/company-representatives/<int:user_id>/reject/": staff(
        Capability.VERIFY_COMPANY_REPS, lambda w: {"user_id": w.pending_rep.pk}, post_only=True),
    "items/<str:code>/apply/": staff((Capability.APPLY, Capability.APPLY_AS_PROXY), lambda w: {"code": w.item_code}),
    "bundles/<str:code>/apply/": staff((Capability.APPLY, Capability.APPLY_AS_PROXY),
                                       lambda w: {"code": w.bundle_code}),
    "applications/<int:pk>/": Route("own-object", targets=application_targets),
    "my/cases/": SIGNED_IN,
    "cases/<str:number>/": Route("own-object", targets=case_targets),
    "cases/<str:number>/notices/<int:pk>/": Route("own-object", targets=notice_targets),
    "cases/<str:number>/materials/<int:pk>/": Route("own-object", targets=material_targets),
    "cases/<str:number>/documents/<str:kind>.pdf": Route("own-object", targets=document_targets),
    "cases/<str:number>/documents/notice-<int:pk>.pdf": Route("own-object", targets=notice_targets),
    "staff/inbox/": staff(Capability.WORK_INBOX),
    "staff/results/": staff(Capability.HAND_OUT_RESULTS),
    # payments and delivery (tests/test_payments.py, tests/test_delivery.py)
    "cases/<str:number>/bills/<str:reference>/": Route("own-object", targets=bill_targets),
    "cases/<str:number>/bills/<str:reference>/receipt.pdf": Route("own-object", targets=receipt_targets),
    # the sandbox bank stands for the bank's own site: whoever holds the unguessable link may pay
    "payments/sandbox/<str:reference>/": Route("public", params=lambda w: {"reference": w.bill_b.reference}),
    "cases/<str:number>/delivery/": Route("own-object", targets=case_targets),
    "applications/<int:pk>/delivery/": Route("own-object", targets=application_targets),
    "staff/post/": staff(Capability.HAND_OUT_RESULTS),
    "staff/post/<int:pk>/": staff(Capability.HAND_OUT_RESULTS, lambda w: {"pk": w.shipment_a.pk}),
    "progress/": PUBLIC,
    # 好差评 (tests/test_ratings.py): the published figures; the invitation link is its own key;
    # the pad answers only on an enrolled tablet (its cookie)
    "ratings/": PUBLIC,
    "ratings/r/<str:token>/": Route("public", params=lambda w: {"token": "x" * 32}),
    "ratings/pad/": PUBLIC,
    "ratings/pad/enrol/": staff(Capability.CALL_TICKETS),
    "cases/<str:number>/rating/": Route("own-object", targets=case_targets),
    "staff/rectifications/": staff((Capability.WORK_INBOX, Capability.SUPERVISE)),
    "staff/rectifications/<int:pk>/": Route("own-object", targets=rect_targets),
    "staff/ratings/void-requests/": staff(Capability.SUPERVISE),
    "staff/ratings/void-requests/<int:pk>/decide/": staff(
        Capability.SUPERVISE, lambda w: {"pk": w.void_request.pk}, post_only=True),
    "supervision/": staff(Capability.SUPERVISE),
    # 12345 hotline (tests/test_hotline_pages.py): the desk, one ticket (its forms post to it), a department's list
    "hotline/": staff((Capability.WORK_HOTLINE, Capability.SUPERVISE)),
    "agencies/": PUBLIC,  # the marketplace's public listing (中介服务超市)
    "agencies/p/<str:number>/": Route("public", params=lambda w: {"number": "ZJ0"}),  # a purchase's public record
    "staff/agencies/": staff(Capability.MANAGE_MARKETPLACE),
    "agencies/mine/": SIGNED_IN,  # one's own agencies and purchases only (tests/test_agencies_pages.py)  # the marketplace admin's review workbench
    "hotline/follow/": PUBLIC,  # by POST with the number and mobile, or the query code
    "hotline/new/": PUBLIC,  # the web form: anyone sends a request (rate-limited per address)
    # a chat channel's webhook: only messages signed with the channel's secret (tests/test_hotline_chat.py)
    "hotline/chat/<str:channel>/": Route("public", params=lambda w: {"channel": "local"}),
    # Open311 GeoReport v2 (tests/test_open311.py): public reads without the caller, the words or the
    # place; creating needs an api_key (a POST without one is a 403 that writes nothing)
    "open311/discovery.<fmt:fmt>": Route("public", params=lambda w: {"fmt": "json"}),
    "open311/v2/services.<fmt:fmt>": Route("public", params=lambda w: {"fmt": "xml"}),
    "open311/v2/services/<str:code>.<fmt:fmt>": Route("public", params=lambda w: {"code": "complaint", "fmt": "json"}),
    "open311/v2/requests.<fmt:fmt>": Route("public", params=lambda w: {"fmt": "json"}),
    "open311/v2/requests/<str:number>.<fmt:fmt>": Route(
        "public", params=lambda w: {"number": w.ticket_a.number, "fmt": "json"}),
    "open311/v2/tokens/<str:token>.<fmt:fmt>": Route("public", params=lambda w: {
        "token": __import__("django.core.signing").core.signing.dumps(w.ticket_a.number, salt="onetrip.open311.request"),
        "fmt": "json"}),
    "hotline/t/<str:number>/": Route("own-object", targets=ticket_targets),
    # 知识库 (tests/test_knowledge*.py): the self-service page and its answers are public (the
    # "did it help" POST is rate-limited per address); the workbench for writers and approvers
    "knowledge/": PUBLIC,
    "knowledge/<int:pk>/": Route("public", params=lambda w: {"pk": _an_article(w).pk}),
    "knowledge/<int:pk>/feedback/": Route("public", params=lambda w: {"pk": _an_article(w).pk}),
    "staff/knowledge/": staff((Capability.EDIT_KNOWLEDGE, Capability.APPROVE_KNOWLEDGE)),
    "staff/knowledge/new/": staff(Capability.EDIT_KNOWLEDGE),
    "staff/knowledge/suggest/": staff((Capability.WORK_HOTLINE, Capability.EDIT_KNOWLEDGE)),
    "staff/knowledge/<int:pk>/": Route("own-object", targets=article_targets),
    "staff/hotline/": staff(Capability.HANDLE_HOTLINE),
    "supervision/cards/<int:pk>/decide/": staff(Capability.SUPERVISE, lambda w: {"pk": w.card.pk}, post_only=True),
    "supervision/orders/": staff(Capability.SUPERVISE, post_only=True),
    "supervision/orders/<int:pk>/close/": staff(Capability.SUPERVISE, lambda w: {"pk": w.order.pk}, post_only=True),
    "supervision/trail-check/": staff(Capability.SUPERVISE, post_only=True),
    # reform metrics: the supervisor the district's, a department's staff their own
    "reports/": staff((Capability.SUPERVISE, Capability.ANSWER_SUPERVISION)),
    "performance/": PUBLIC,
    "reports/monthly/": staff((Capability.SUPERVISE, Capability.ANSWER_SUPERVISION)),
    "reports/monthly/<int:pk>.<str:kind>": staff((Capability.SUPERVISE, Capability.ANSWER_SUPERVISION),
                                                  lambda w: {"pk": w.report.pk, "kind": "pdf"}),
    "reports/cases/": staff((Capability.SUPERVISE, Capability.ANSWER_SUPERVISION)),
    # the department's own cards and orders (its head appeals; it replies)
    "staff/supervision/": staff(Capability.ANSWER_SUPERVISION),
    "staff/supervision/cards/<int:pk>/appeal/": staff(Capability.ANSWER_SUPERVISION, lambda w: {"pk": w.card.pk},
                                                      post_only=True),
    "staff/supervision/orders/<int:pk>/reply/": staff(Capability.ANSWER_SUPERVISION, lambda w: {"pk": w.order.pk},
                                                      post_only=True),
    "": PUBLIC,
    "items/": PUBLIC,
    "items/<str:code>/": ITEM,
    "items/<str:code>/print/": ITEM,
    "items/<str:code>/qr.svg": ITEM,
    "items/<str:code>/versions/": ITEM,
    # filled with the draft under review: only those who may see drafts
    "items/<str:code>/versions/<int:old>/diff/<int:new>/": staff(
        Capability.VIEW_DRAFTS, lambda w: {"code": w.item_code, "old": 1, "new": w.draft_version}),
    "bundles/": PUBLIC,
    "bundles/<str:code>/": Route("public", params=lambda w: {"code": w.bundle_code}),
    # a search result link: counts the click, then goes to an indexed document (nothing else)
    "search/open/<int:pk>/": Route("public", params=lambda w: {"pk": 1}),
    # the search work list (zero-result and low-click queries) and dismissing a line of it
    "manage/catalogue/search/": staff(Capability.EDIT_CATALOG),
    "manage/catalogue/search/<int:pk>/dismiss/": staff(
        Capability.EDIT_CATALOG, lambda w: {"pk": catalog.record_search(query="无人知晓的事项", results=0).pk},
        post_only=True),
    "manage/catalogue/export.xlsx": staff(Capability.EXCHANGE_CATALOG),
    "manage/catalogue/import/": staff(Capability.EXCHANGE_CATALOG),
    "manage/catalogue/publications/": staff(Capability.PUBLISH_CATALOG),
    "manage/catalogue/publications/<int:pk>/": staff(Capability.PUBLISH_CATALOG, lambda w: {"pk": w.batch.pk}),
    "manage/catalogue/publications/<int:pk>/approve/": staff(Capability.PUBLISH_CATALOG,
                                                             lambda w: {"pk": w.batch.pk}),
    "manage/catalogue/publications/<int:pk>/reject/": staff(Capability.PUBLISH_CATALOG,
                                                            lambda w: {"pk": w.batch.pk}, post_only=True),
    "manage/catalogue/publications/<int:pk>/withdraw/": staff(Capability.PUBLISH_CATALOG,
                                                              lambda w: {"pk": w.batch.pk}, post_only=True),
    # the hall: taking a ticket, its status and the calling screen are for anyone in the hall
    "hall/": PUBLIC,
    "hall/kiosk/": PUBLIC,  # gives tickets only on an enrolled kiosk (tests/test_hall_kiosks.py)
    "hall/kiosk/enrol/": staff(Capability.MANAGE_HALL),
    "hall/tickets/<str:token>/": Route("public", params=lambda w: {"token": w.hall_token}),
    "hall/screen/": PUBLIC,
    "hall/desk/": staff(Capability.CALL_TICKETS),
    "hall/overview/": staff((Capability.MANAGE_HALL, Capability.CALL_TICKETS)),
    "hall/book/": staff(Capability.APPLY),
    "hall/appointments/": staff(Capability.APPLY),  # one's own only (tests/test_hall.py)
    # a company representative's verification through the company registry (others see a sentence)
    "registries/representative/": staff(Capability.APPLY),
    # e-licences: verification and the root certificate are public by design (masked data); the TSA
    # answers anyone's RFC 3161 request (POST only); a licence's PDF for its holder and department
    "verify/root.pem": PUBLIC,
    "verify/<str:key>/": Route("public", params=lambda w: {"key": w.licence.verification_id}),
    "tsa": PUBLIC,
    "my/licences/": SIGNED_IN,  # one's own only (tests/test_licenses.py)
    "licences/<int:pk>/download.pdf": Route("own-object", targets=licence_targets),
    "staff/licences/": staff(Capability.MANAGE_LICENCES),  # one's own department's only
    "staff/licences/<int:pk>/": Route("own-object", targets=managed_licence_targets),
}
# The admin site's routes come from its model registrations: each is an admin route, except its
# log-in page (public) and log-out (ends only one's own session). Filled by parameter name.
ADMIN_PUBLIC = {"admin/login/", "admin/logout/"}
ADMIN_PARAMS: dict[str, Callable[[World], Any]] = {
    "object_id": lambda w: w.victim.pk, "app_label": lambda w: "accounts", "url": lambda w: "accounts/user/",
    "content_type_id": lambda w: _content_type(), "id": lambda w: w.victim.pk,
}


def _content_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(User).pk


# Every API operation, as the OpenAPI schema names it.
OPERATIONS: dict[tuple[str, str], Route] = {
    ("GET", "/api/v1/items"): PUBLIC,
    ("GET", "/api/v1/search"): PUBLIC,
    ("GET", "/api/v1/items/{code}"): ITEM,
    ("GET", "/api/v1/departments"): PUBLIC,
    ("GET", "/api/v1/bundles"): PUBLIC,
    ("GET", "/api/v1/bundles/{code}"): Route("public", params=lambda w: {"code": w.bundle_code}),
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("POST", "/api/v1/auth/sms-code"): PUBLIC,
    ("POST", "/api/v1/auth/password-reset"): PUBLIC,
    ("POST", "/api/v1/auth/unlock"): PUBLIC,
    ("GET", "/api/v1/company-representatives"): staff(Capability.VERIFY_COMPANY_REPS),
    ("POST", "/api/v1/company-representatives/{user_id}/confirm"): staff(
        Capability.VERIFY_COMPANY_REPS, lambda w: {"user_id": w.pending_rep.pk}),
    ("POST", "/api/v1/company-representatives/{user_id}/reject"): staff(
        Capability.VERIFY_COMPANY_REPS, lambda w: {"user_id": w.pending_rep.pk}, body=lambda w: {"reason": "不符"}),
    ("GET", "/api/v1/calendar/add-workdays"): PUBLIC,
    ("GET", "/api/v1/calendar/is-workday"): PUBLIC,
    ("GET", "/api/v1/publications"): staff(Capability.PUBLISH_CATALOG),
    ("POST", "/api/v1/publications"): staff(Capability.PUBLISH_CATALOG,
                                            body=lambda w: {"drafts": [w.spare_draft_id], "name": "批次"}),
    ("POST", "/api/v1/publications/{pk}/approve"): staff(Capability.PUBLISH_CATALOG, lambda w: {"pk": w.batch.pk},
                                                         body=lambda w: {"comment": ""}),
    ("POST", "/api/v1/publications/{pk}/reject"): staff(Capability.PUBLISH_CATALOG, lambda w: {"pk": w.batch.pk},
                                                        body=lambda w: {"reasons": "不行"}),
    ("POST", "/api/v1/applications"): staff((Capability.APPLY, Capability.APPLY_AS_PROXY),
                                            body=lambda w: {"item": w.item_code}),
    ("POST", "/api/v1/applications/{application_id}/materials"): Route("own-object", targets=application_targets),
    ("POST", "/api/v1/applications/{application_id}/submit"): Route("own-object", targets=application_targets),
    # a window application's window clerks too (tests/test_window_intake.py)
    ("POST", "/api/v1/applications/{application_id}/window-decision"): Route(
        "own-object", targets=application_targets,
        body=lambda w: {"decision": "notice", "marks": [{"material": "个体工商户登记（备案）申请书", "state": "missing"}]}),
    ("GET", "/api/v1/cases"): SIGNED_IN,
    ("GET", "/api/v1/cases/{number}"): Route("own-object", targets=case_targets),
    ("GET", "/api/v1/cases/{number}/materials/{material_id}"): Route(
        "own-object", targets=rename(material_targets, pk="material_id")),
    ("GET", "/api/v1/cases/{number}/documents/{kind}"): Route("own-object", targets=document_targets),
    ("POST", "/api/v1/proxy-consents/sms-code"): staff(Capability.APPLY_AS_PROXY, body=lambda w: {
        "name": "王示例", "id_number": resident_id("43070319900202345"), "mobile": "13907368888"}),
    ("POST", "/api/v1/proxy-consents/{consent_id}/confirm"): staff(
        Capability.APPLY_AS_PROXY, lambda w: {"consent_id": w.consent.pk}, body=lambda w: {"code": "123456"}),
    ("POST", "/api/v1/proxy-consents"): staff(Capability.APPLY_AS_PROXY),
    ("GET", "/api/v1/inbox"): staff(Capability.WORK_INBOX),
    ("POST", "/api/v1/cases/{number}/actions"): Route("own-object", targets=case_targets,
                                                      body=lambda w: {"action": "withdraw", "data": {}}),
    ("POST", "/api/v1/cases/{number}/visits"): Route("own-object", targets=case_targets,
                                                     body=lambda w: {"reason": "other", "note": "到窗口"}),
    ("POST", "/api/v1/progress"): PUBLIC,
    ("GET", "/api/v1/cases/{number}/bills"): Route("own-object", targets=case_targets),
    ("POST", "/api/v1/bills/{reference}/pay"): Route("own-object", targets=bill_ref_targets),
    ("GET", "/api/v1/bills/{reference}/receipt"): Route("own-object", targets=receipt_ref_targets),
    # the provider's and the carrier's callbacks: anyone may send, only a signed one is taken
    ("POST", "/api/v1/payments/callbacks/{provider}"): Route("public", params=lambda w: {"provider": "sandbox"}),
    ("POST", "/api/v1/delivery/carriers/{carrier}/webhook"): Route("public", params=lambda w: {"carrier": "local"}),
    ("GET", "/api/v1/cases/{number}/delivery"): Route("own-object", targets=case_targets),
    ("POST", "/api/v1/cases/{number}/delivery"): Route("own-object", targets=case_targets,
                                                       body=lambda w: {"method": "pickup"}),
    ("POST", "/api/v1/applications/{application_id}/delivery"): Route("own-object", targets=application_targets,
                                                                      body=lambda w: {"method": "pickup"}),
    ("GET", "/api/v1/shipments"): staff(Capability.HAND_OUT_RESULTS),
    ("GET", "/api/v1/supervision/cards"): staff((Capability.SUPERVISE, Capability.ANSWER_SUPERVISION)),
    ("GET", "/api/v1/metrics"): staff((Capability.SUPERVISE, Capability.ANSWER_SUPERVISION)),
    ("GET", "/api/v1/supervision/orders"): staff((Capability.SUPERVISE, Capability.ANSWER_SUPERVISION)),
    ("POST", "/api/v1/supervision/orders"): staff(Capability.SUPERVISE, body=lambda w: {
        "department": w.case_a.department_id, "subject": "催办", "instructions": "请办理"}),
    ("POST", "/api/v1/supervision/cards/{card_id}/decision"): staff(
        Capability.SUPERVISE, lambda w: {"card_id": w.card.pk}, body=lambda w: {"decision": "uphold", "note": "维持"}),
    ("POST", "/api/v1/supervision/orders/{order_id}/close"): staff(
        Capability.SUPERVISE, lambda w: {"order_id": w.order.pk}, body=lambda w: {"decision": "close"}),
    ("POST", "/api/v1/supervision/cards/{card_id}/appeal"): staff(
        Capability.ANSWER_SUPERVISION, lambda w: {"card_id": w.card.pk}, body=lambda w: {"reasons": "系统故障"}),
    ("POST", "/api/v1/supervision/orders/{order_id}/reply"): staff(
        Capability.ANSWER_SUPERVISION, lambda w: {"order_id": w.order.pk}, body=lambda w: {"reply": "已办理"}),
    ("POST", "/api/v1/shipments/{tracking_number}/status"): staff(
        Capability.HAND_OUT_RESULTS, lambda w: {"tracking_number": w.shipment_a.tracking_number},
        body=lambda w: {"state": "posted"}),
    ("GET", "/api/v1/progress"): PUBLIC,
    ("GET", "/api/v1/registries/people/{id_number}"): Route("own-object", targets=registry_targets),
    ("GET", "/api/v1/registries/companies/{uscc}"): Route("own-object", targets=company_registry_targets),
    # one's own verification only: the service refuses anyone but a company representative
    ("POST", "/api/v1/registries/representative/verify"): staff(Capability.APPLY),
    ("POST", "/api/v1/registries/representative/delegation-code"): staff(Capability.APPLY),
    ("POST", "/api/v1/registries/representative/delegation-code/{confirmation_id}/confirm"): staff(
        Capability.APPLY, lambda w: {"confirmation_id": 1}, body=lambda w: {"code": "123456"}),
    ("GET", "/api/v1/licenses/verify/{key}"): Route("public", params=lambda w: {"key": w.licence.verification_id}),
    ("GET", "/api/v1/licenses/mine"): SIGNED_IN,
    ("GET", "/api/v1/licenses/{licence_id}/pdf"): Route("own-object", targets=licence_targets),
    ("POST", "/api/v1/licenses/{licence_id}/status"): Route(
        "own-object", targets=managed_licence_targets, body=lambda w: {"status": "suspended", "reason": "检查"}),
    ("POST", "/api/v1/licenses/{licence_id}/renew"): Route(
        "own-object", targets=managed_licence_targets, body=lambda w: {"reason": ""}),
    ("GET", "/api/v1/hall/areas"): PUBLIC,
    ("GET", "/api/v1/ratings/invitations/{token}"): Route("public", params=lambda w: {"token": "x" * 32}),
    ("POST", "/api/v1/ratings/invitations/{token}"): Route("public", params=lambda w: {"token": "x" * 32}),
    ("GET", "/api/v1/ratings/pad"): PUBLIC,  # only with an enrolled pad's X-Pad-Key
    ("POST", "/api/v1/ratings/pad"): PUBLIC,
    ("GET", "/api/v1/ratings/summary"): PUBLIC,
    ("POST", "/api/v1/cases/{number}/rating"): Route("own-object", targets=case_targets, body=lambda w: {"level": 5}),
    # 12345 hotline (tests/test_hotline_api.py)
    ("GET", "/api/v1/hotline/tickets"): staff((Capability.WORK_HOTLINE, Capability.HANDLE_HOTLINE,
                                               Capability.SUPERVISE)),
    ("POST", "/api/v1/hotline/tickets"): staff(Capability.WORK_HOTLINE, body=lambda w: {
        "kind": "complaint", "text": "x", "caller_mobile": "13907369999"}),
    ("GET", "/api/v1/hotline/tickets/{number}"): Route("own-object", targets=ticket_targets),
    ("POST", "/api/v1/hotline/tickets/{number}/actions/{action}"): Route(
        "own-object", targets=lambda w: [({**p, "action": "acknowledge"}, s, a) for p, s, a in ticket_targets(w)],
        body=lambda w: {}),
    # 中介服务超市 (tests/test_agencies_api.py): public reads; writes by whoever the service finds
    # responsible (the agency's accounts, the purchase's owner), the review by the marketplace admin
    ("GET", "/api/v1/agencies/service-types"): PUBLIC,
    ("GET", "/api/v1/agencies"): PUBLIC,
    ("GET", "/api/v1/agencies/purchases"): PUBLIC,
    ("GET", "/api/v1/agencies/purchases/{number}"): Route("public", params=lambda w: {"number": "ZJ0"}),
    ("GET", "/api/v1/agencies/{uscc}"): Route("public", params=lambda w: {"uscc": "91430703MA4L0000XX"}),
    ("POST", "/api/v1/agencies"): Route("signed-in", body=lambda w: {
        "name": "某测绘公司", "uscc": "91430703MA4L99001X", "contact_name": "周", "contact_phone": "13907362222"}),
    ("POST", "/api/v1/agencies/{agency_id}/review"): staff(
        Capability.MANAGE_MARKETPLACE, lambda w: {"agency_id": 1}, body=lambda w: {"decision": "publish"}),
    ("POST", "/api/v1/agencies/purchases"): staff((Capability.APPLY, Capability.WORK_INBOX), body=lambda w: {
        "owner_name": "业主", "project": "项目", "service_type": "HPBG", "price_ceiling": "1000.00",
        "service_workdays": 5, "method": "random", "signup_deadline": "2030-01-02T10:00:00+08:00",
        "contact_name": "吴", "contact_phone": "13907365555"}),
    ("POST", "/api/v1/agencies/purchases/{number}/sign-ups"): Route(
        "signed-in", params=lambda w: {"number": "ZJ0"}, body=lambda w: {"agency": 1}),
    ("POST", "/api/v1/agencies/purchases/{number}/bids"): Route(
        "signed-in", params=lambda w: {"number": "ZJ0"}, body=lambda w: {"agency": 1, "price": "100.00"}),
    ("POST", "/api/v1/agencies/purchases/{number}/scores"): Route(
        "signed-in", params=lambda w: {"number": "ZJ0"}, body=lambda w: {"agency": 1, "scores": {"x": 1}}),
    ("POST", "/api/v1/agencies/purchases/{number}/objections"): Route(
        "signed-in", params=lambda w: {"number": "ZJ0"}, body=lambda w: {"text": "质疑"}),
    ("POST", "/api/v1/agencies/purchases/{number}/actions"): Route(
        "signed-in", params=lambda w: {"number": "ZJ0"}, body=lambda w: {"action": "select"}),
    ("POST", "/api/v1/agencies/purchases/{number}/report"): Route("signed-in", params=lambda w: {"number": "ZJ0"}),
    ("POST", "/api/v1/agencies/purchases/{number}/attach"): Route(
        "signed-in", params=lambda w: {"number": "ZJ0"}, body=lambda w: {"application": 1, "material": "Y"}),
    ("POST", "/api/v1/agencies/purchases/{number}/rating"): Route(
        "signed-in", params=lambda w: {"number": "ZJ0"}, body=lambda w: {
            "quality": 5, "timeliness": 5, "attitude": 5, "price": 5}),
    # 知识库 (tests/test_knowledge_pages.py): answers are public; suggestions for the hotline centre
    ("GET", "/api/v1/knowledge/articles"): Route("public", params=lambda w: {"q": "个体工商户"}),
    ("GET", "/api/v1/knowledge/articles/{article_id}"): Route("public",
                                                              params=lambda w: {"article_id": _an_article(w).pk}),
    ("POST", "/api/v1/knowledge/articles/{article_id}/feedback"): Route(
        "public", params=lambda w: {"article_id": _an_article(w).pk}, body=lambda w: {"helped": True}),
    ("GET", "/api/v1/knowledge/suggestions"): staff((Capability.WORK_HOTLINE, Capability.EDIT_KNOWLEDGE)),
    ("GET", "/api/v1/rectifications"): staff((Capability.WORK_INBOX, Capability.SUPERVISE)),
    ("GET", "/api/v1/rectifications/{rectification_id}"): Route("own-object", targets=rect_targets),
    ("POST", "/api/v1/rectifications/{rectification_id}/return-visit"): Route(
        "own-object", targets=rect_targets, body=lambda w: {"answer": "satisfied"}),
    ("POST", "/api/v1/rectifications/{rectification_id}/close"): Route(
        "own-object", targets=rect_targets, body=lambda w: {"measures": "整改"}),
    ("POST", "/api/v1/ratings/{rating_id}/void-requests"): Route(
        "own-object", targets=rect_targets, body=lambda w: {"reasons": "恶意评价，与本案无关"}),
    ("GET", "/api/v1/ratings/void-requests"): staff(Capability.SUPERVISE),
    ("POST", "/api/v1/ratings/void-requests/{request_id}/decision"): staff(
        Capability.SUPERVISE, lambda w: {"request_id": w.void_request.pk}, body=lambda w: {"decision": "grant"}),
    # without signing in, only an enrolled kiosk's X-Kiosk-Key (tests/test_hall_kiosks.py)
    ("POST", "/api/v1/hall/tickets"): Route("signed-in", body=lambda w: {"area": "business"}),
    ("GET", "/api/v1/hall/tickets/{token}"): Route("public", params=lambda w: {"token": w.hall_token}),
    ("GET", "/api/v1/hall/calls"): PUBLIC,
    ("GET", "/api/v1/hall/slots"): PUBLIC,
    ("GET", "/api/v1/hall/desk"): staff(Capability.CALL_TICKETS),
    ("POST", "/api/v1/hall/desk/window"): staff(Capability.CALL_TICKETS, body=lambda w: {"window": 1}),
    ("POST", "/api/v1/hall/desk/call-next"): staff(Capability.CALL_TICKETS),
    ("POST", "/api/v1/hall/desk/tickets/{ticket_id}/actions"): staff(
        Capability.CALL_TICKETS, lambda w: {"ticket_id": 1}, body=lambda w: {"action": "finish"}),
    ("POST", "/api/v1/hall/desk/walk-in"): staff(Capability.CALL_TICKETS, body=lambda w: {"area": "business"}),
    ("POST", "/api/v1/hall/desk/check-in"): staff(Capability.CALL_TICKETS, body=lambda w: {"code": "ABCDEFGH"}),
    ("GET", "/api/v1/hall/bookings"): SIGNED_IN,  # one's own only
    ("POST", "/api/v1/hall/bookings"): staff(Capability.APPLY, body=lambda w: {
        "area": "business", "item": w.item_code, "day": "2030-01-02", "start": "09:00"}),
    # another person's booking code is a 404 (tests/test_hall_api.py)
    ("POST", "/api/v1/hall/bookings/{code}/cancel"): staff(Capability.APPLY, lambda w: {"code": "ABCDEFGH"}),
    ("POST", "/api/v1/hall/bookings/{code}/change"): staff(Capability.APPLY, lambda w: {"code": "ABCDEFGH"},
                                                          body=lambda w: {"day": "2030-01-02", "start": "09:00"}),
}


# --- enumeration -------------------------------------------------------------------------------

def url_patterns() -> list[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterable[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return list(dict.fromkeys(walk(get_resolver().url_patterns, "")))


def openapi_operations(client: Client) -> list[tuple[str, str]]:
    schema = client.get("/api/openapi.json").json()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


def fill(pattern: str, params: dict[str, Any]) -> str:
    """A resolver pattern or an OpenAPI path with its parameters put in."""
    def value(name: str) -> str:
        assert name in params, f"{pattern}: no value for <{name}> in the matrix"
        return str(params[name])

    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), pattern)
    path = re.sub(r"\{(\w+)\}", lambda m: value(m.group(1)), path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), path)  # admin's regex patterns
    path = path.lstrip("^").rstrip("$")
    path = path if path.startswith("/") else "/" + path
    if params.get("?"):  # query parameters (a registry lookup names its case there)
        path += "?" + urlencode(params["?"])
    return path


def fingerprint() -> str:
    state = [
        list(Case.objects.order_by("pk").values_list("pk", "state", "assignee_id", "updated_at", "visit_count")),
        Application.objects.count(), CaseMaterial.objects.filter(current=True).count(), OneTimeNotice.objects.count(),
        Visit.objects.count(), list(PublicationBatch.objects.order_by("pk").values_list("pk", "status", "reviewed_at")),
        list(User.objects.order_by("pk").values_list("pk", "company_status", "is_active")),
        TrailEntry.objects.exclude(action="personal_data.view").count(),
        list(Ticket.objects.order_by("pk").values_list("pk", "state", "department_id", "updated_at")),
    ]
    return hashlib.sha256(repr(state).encode()).hexdigest()


PAGE_DENIED = {302, 403, 404, 405}  # 405: a GET of a route that only takes a POST
API_DENIED = {401, 403, 404, 405}
KITCHEN_SINK = {  # every field any page form reads, so that a view that forgot its check would act
    "action": "withdraw", "confirmed": "1", "submit": "1", "supplement": "1", "claim": "1", "reason": "x",
    "reasons": "x", "comment": "x", "note": "x", "name": MATERIAL, "upload": "1", "remove": "1", "draft": "1",
    "decision": "confirm", "purpose": "x", "applicant_name": "某人", "idempotency_key": "attack",
}


class Matrix:
    def __init__(self, w: World) -> None:
        self.w = w
        self.problems: list[str] = []
        self.requests = 0
        self.clients: dict[str, Client] = {}
        for name, user in w.actors.items():
            c = Client()
            if user is not None:
                c.force_login(user)
            self.clients[name] = c
        self.owner_clients = {}
        for owner in (w.victim, w.victim2):
            c = Client()
            c.force_login(owner)
            self.owner_clients[owner.pk] = c

    def hidden_secrets(self, actor: User | None) -> list[str]:
        callers = [] if actor is not None and actor.role == Role.HOTLINE_OPERATOR else list(HOTLINE_CALLERS)
        return [s for case in (self.w.case_a, self.w.case_b) if not sees(actor, case, self.w)
                for s in self.w.secrets_of(case)] + callers

    def request(self, client: Client, method: str, path: str, api: bool, body: Any = None) -> Any:
        self.requests += 1
        if method == "GET":
            return client.get(path)
        if api:
            if path.endswith("/materials"):
                f = io.BytesIO(PDF)
                f.name = "scan.pdf"
                return client.post(path, {"name": MATERIAL, "file": f})
            if path.endswith("/proxy-consents"):  # a signed consent form, as multipart
                f = io.BytesIO(PDF)
                f.name = "consent.pdf"
                return client.post(path, {"name": "王示例", "id_number": resident_id("43070319900202345"),
                                          "mobile": "13907368888", "file": f})
            return client.post(path, body if body is not None else {}, content_type="application/json")
        f = io.BytesIO(PDF)
        f.name = "scan.pdf"
        return client.post(path, {**KITCHEN_SINK, "file": f})

    def no_data(self, who: str, actor: User | None, method: str, path: str, response: Any) -> None:
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        text = body.decode("utf-8", "replace")
        leaked = [s for s in self.hidden_secrets(actor) if s and s in text and s not in path]  # not an echo
        if leaked:
            self.problems.append(f"{who} {method} {path}: {response.status_code} shows {leaked}")

    def refused(self, who: str, actor: User | None, method: str, path: str, api: bool, body: Any = None,
                target: str = "") -> None:
        before = fingerprint()
        response = self.request(self.clients[who], method, path, api, body)
        self.no_data(who, actor, method, path, response)
        allowed = API_DENIED if api else PAGE_DENIED
        status = response.status_code
        if status not in allowed:
            self.problems.append(f"{who} {method} {path} {target}: {status}, expected one of {sorted(allowed)}")
        elif status == 302 and not (actor is None and "/login/" in response["Location"]) \
                and "/admin/login/" not in response["Location"]:
            self.problems.append(f"{who} {method} {path}: redirected to {response['Location']}, not to log in")
        if method == "POST" and fingerprint() != before:
            self.problems.append(f"{who} POST {path} {target}: refused ({status}) but something changed")

    def unchanged(self, who: str, path: str, api: bool, body: Any) -> None:
        before = fingerprint()
        response = self.request(self.clients[who], "POST", path, api, body)
        if fingerprint() != before:
            self.problems.append(f"{who} POST {path}: {response.status_code}, and something changed")
        if 200 <= response.status_code < 300 and api:
            self.problems.append(f"{who} POST {path}: {response.status_code} for someone who may not act")

    def works(self, client: Client, who: str, path: str, api: bool) -> Any:
        response = self.request(client, "GET", path, api)
        if response.status_code != 200:
            self.problems.append(f"{who} GET {path}: {response.status_code}; the matrix fills it wrongly, "
                                 "or the allowed role is refused")
        return response

    def check(self, key: str, methods: list[str], route: Route, pattern: str, api: bool) -> None:
        w = self.w
        if route.kind == "own-object":
            assert route.targets is not None, key
            for params, may_see, may_act in route.targets(w):
                path = fill(pattern, params)
                for who, actor in w.actors.items():
                    for method in methods:
                        body = route.body(w) if route.body else None
                        if not may_see(actor, w):
                            self.refused(who, actor, method, path, api, body, target=str(params))
                        elif method == "GET":
                            response = self.works(self.clients[who], who, path, api)
                            if path.startswith("/hotline/"):  # a ticket's page masks or hides its caller
                                self.no_data(who, actor, method, path, response)
                        elif not (may_act(actor, w) or _is_owner(actor, params, w)):
                            self.unchanged(who, path, api, body)  # may see it, may not act on it
                if "GET" in methods:
                    for owner in (w.victim, w.victim2):
                        if may_see(owner, w):
                            self.works(self.owner_clients[owner.pk], "owner", path, api)
            return
        path = fill(pattern, route.params(w))
        for who, actor in w.actors.items():
            for method in methods:
                if route.allowed(actor):
                    if method == "GET":
                        response = self.request(self.clients[who], "GET", path, api)
                        self.no_data(who, actor, "GET", path, response)
                        expected = 405 if route.post_only else 200
                        if route.kind != "public" and response.status_code != expected:
                            self.problems.append(f"{who} GET {path}: {response.status_code}, but the matrix "
                                                 "says this role may use it")
                    continue
                self.refused(who, actor, method, path, api, route.body(w) if route.body else None)


def _is_owner(actor: User | None, params: dict[str, Any], w: World) -> bool:
    if actor is None:
        return False
    number = params.get("number")
    return number is not None and Case.objects.filter(number=number, application__applicant=actor).exists()


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def test_every_route_and_operation_is_in_the_matrix(client, db):
    patterns = url_patterns()
    unclassified = [p for p in patterns if not p.startswith(("admin/", "api/v1/")) and p not in PAGES]
    ops = openapi_operations(client)
    unclassified += [f"{m} {p}" for m, p in ops if (m, p) not in OPERATIONS]
    assert not unclassified, f"classify these routes in tests/test_authorization_matrix.py: {unclassified}"
    # every API pattern the resolver knows is an operation of the schema, and nothing stale is listed
    api_paths = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/" + p) for p in patterns if p.startswith("api/v1/")}
    assert api_paths == {p for _m, p in ops}
    assert set(PAGES) <= set(patterns) and set(OPERATIONS) <= set(ops), "the matrix lists routes that are gone"


def test_pages_give_no_data_and_no_action_to_whoever_may_not_have_them(world):
    m = Matrix(world)
    for pattern in url_patterns():
        if pattern.startswith(("admin/", "api/v1/")):
            continue
        route = PAGES[pattern]
        methods = ["GET"] if route.kind in {"public"} else ["GET", "POST"]
        m.check(pattern, methods, route, pattern, api=False)
    assert m.requests > 500
    assert not m.problems, "\n".join(m.problems)


def test_api_operations_give_no_data_and_no_action_to_whoever_may_not_have_them(world, client):
    m = Matrix(world)
    for method, path in openapi_operations(client):
        route = OPERATIONS[(method, path)]
        if route.kind == "public" and method == "POST":
            continue  # log-in, codes and the progress lookup: for anyone, and tested on their own
        m.check(f"{method} {path}", [method], route, path, api=True)
    assert m.requests > 200
    assert not m.problems, "\n".join(m.problems)


def test_the_admin_site_is_closed_to_everyone_but_its_admins(world):
    m = Matrix(world)
    admins = {Role.CATALOG_ADMIN, Role.SYSTEM_ADMIN}
    for pattern in url_patterns():
        if not pattern.startswith("admin/") or pattern in ADMIN_PUBLIC:
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern)
        params = {n: ADMIN_PARAMS[n](world) for pair in names for n in pair if n}
        path = fill(pattern, params)
        for who, actor in world.actors.items():
            if actor is not None and actor.role in admins:
                continue
            for method in ("GET", "POST"):
                m.refused(who, actor, method, path, api=False)
    assert m.requests > 1000
    assert not m.problems, "\n".join(m.problems[:50])
