"""Load the demo district (鼎城区, 430703) through the ordinary services. Idempotent: what
exists already is left as it is, so running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Company, Department, Division, Role, User
from onetrip.cases import services as cases
from onetrip.cases.models import Case, State
from onetrip.catalog import services as catalog
from onetrip.catalog.models import BundleItem, ItemVersion, ServiceItem
from onetrip.demo import people

DATA = Path(__file__).with_name("data") / "catalog.json"
DISTRICT = ("430703", "常德市鼎城区", "Dingcheng District, Changde")
HALL_DEPARTMENTS = ("XZSPFWJ", "ZWFWZX", "XZSPJ")
BATCHES = [("第一批“最多跑一次”事项", dt.date(2018, 9, 30)), ("第二批“最多跑一次”事项", dt.date(2018, 11, 30))]


@dataclass
class LoadReport:
    departments: int = 0
    items: int = 0
    bundles: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)
    agencies: list[tuple[str, str, str]] = field(default_factory=list)  # (username, agency, its state)
    cases: list[tuple[str, str, str]] = field(default_factory=list)
    created_anything: bool = False


def load_catalog_data(path: Path = DATA) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@transaction.atomic
def load(*, path: Path = DATA, history: bool = True) -> LoadReport:
    data = load_catalog_data(path)
    report = LoadReport()
    district = Division.objects.filter(code=DISTRICT[0]).first() or accounts.create_division(
        actor=None, code=DISTRICT[0], name=DISTRICT[1], name_en=DISTRICT[2], level=Division.Level.DISTRICT
    )
    for code, name, name_en in people.TOWNSHIPS:
        if not Division.objects.filter(code=code).exists():
            accounts.create_division(actor=None, code=code, name=name, name_en=name_en,
                                     level=Division.Level.TOWNSHIP, parent=district)
    for n, d in enumerate(data["departments"]):
        if not Department.objects.filter(code=d["code"]).exists():
            accounts.create_department(actor=None, division=district, sort_order=n + 1, **d)
            report.created_anything = True
    report.departments = Department.objects.count()

    for c in people.COMPANIES:
        if not Company.objects.filter(uscc=c["uscc"]).exists():
            accounts.register_company(actor=None, **c)
    admin = _load_people(report)
    # The registries before the demo cases, so that their registry-held materials come from them.
    from onetrip.demo.registries import load_registries

    load_registries()

    departments = {d.code: d for d in Department.objects.all()}
    new_drafts: list[ItemVersion] = []
    for n, raw in enumerate(data["items"]):
        if ServiceItem.objects.filter(code=raw["code"]).exists():
            continue
        raw = dict(raw)
        lists = {k: raw.pop(k, []) for k in ("materials", "fees", "special_procedures", "steps")}
        code, parent_code = raw.pop("code"), raw.pop("parent", None)
        raw["department"] = departments[raw["department"]]
        parent = ServiceItem.objects.get(code=parent_code) if parent_code else None
        new_drafts.append(catalog.create_item(actor=admin, code=code, guide=raw, parent=parent,
                                              sort_order=n + 1, **lists))
    if new_drafts:
        report.created_anything = True
        half = (len(new_drafts) + 1) // 2
        first, second = new_drafts[:half], new_drafts[half:]
        # Sub-items go with their main item.
        first_items = {v.item_id for v in first}
        moved = [v for v in second if v.item.parent_id in first_items]
        first += moved
        second = [v for v in second if v not in moved]
        # The demo's history is loaded as published, without the two-person review that every
        # later publication goes through (publish_for_seeding is for seeding only).
        for (name, day), versions in zip(BATCHES, (first, second), strict=True):
            if versions:
                catalog.publish_for_seeding(actor=admin, versions=versions, name=name, published_on=day)
        _demo_revision(admin)
        _demo_proposal()
    report.items = ServiceItem.objects.filter(current__isnull=False).count()

    for n, b in enumerate(data["bundles"]):
        items = [ServiceItem.objects.get(code=c) for c in b["items"]]
        existing = BundleItem.objects.filter(bundle__code=b["code"]).order_by("position").values_list(
            "item__code", flat=True
        )
        if list(existing) != list(b["items"]):
            catalog.save_bundle(actor=admin, sort_order=n + 1, **{**b, "items": items})
            report.created_anything = True
    report.bundles = len(data["bundles"])
    load_search_dictionary(admin, data)
    from onetrip.demo.licences import issue_demo_licences, load_licence_types

    load_licence_types()  # before the demo cases: their approvals queue licences
    report.cases = _demo_cases()
    from onetrip.demo.ratings import load_ratings

    load_ratings()  # its cases' licences are issued just below
    issue_demo_licences()
    from onetrip.demo.hotline import load_hotline, load_knowledge

    load_knowledge()
    load_hotline()  # before the cards (_demo_supervision, below): its late ticket gets one
    from onetrip.demo.agencies import load_agencies
    from onetrip.demo.hall import load_hall
    from onetrip.reports import services as reports

    load_agencies()  # the marketplace: its service types link the demo items, its report a demo case
    load_hall(admin)  # before the history: its window cases were served at the hall's windows
    if history:
        from onetrip.demo.history import load_history

        load_history()  # four months of finished cases, rolled up, last months' reports
    _demo_supervision()  # after the history: its yellow cards count towards red ones
    reports.roll_up()  # the metrics dashboard reads the rollups
    from onetrip.agencies.models import Agency

    for a in Agency.objects.filter(uscc__in=[s["uscc"] for s in people.AGENCIES]).prefetch_related("owners"):
        report.agencies += [(u.username, a.name, a.get_state_display()) for u in a.owners.all()]
    report.agencies.sort()
    return report


def load_search_dictionary(admin: User, data: dict[str, Any] | None = None) -> int:
    """The search dictionary for the demo catalogue: people's words (个体户, 开饭店, 社保卡…) and
    intent words (丢了, 注销…). Entries that exist are left as the admins edited them."""
    from onetrip.catalog.models import SearchPhrase

    data = data or load_catalog_data()
    have = set(SearchPhrase.objects.values_list("phrase", flat=True))
    added = 0
    for entry in data.get("search_dictionary", []):
        if entry["phrase"] not in have:
            catalog.save_phrase(actor=admin, **entry)
            added += 1
    return added


def _demo_supervision() -> None:
    """E-supervision in the demo: the cards the job gives for what the demo cases broke (a trip
    beyond the promise), and an order from the supervisor on the oldest open case."""
    from onetrip.supervision import services as supervision
    from onetrip.supervision.models import Order

    supervision.issue_cards(day=timezone.localdate())
    case = Case.objects.filter(state=State.IN_REVIEW).order_by("id").first()
    supervisor = User.objects.filter(username="jiancha").first()
    if case is not None and supervisor is not None and not Order.objects.filter(case=case).exists():
        supervision.issue_order(actor=supervisor, case=case, subject="请说明办理进度（演示）",
                                instructions="该件已受理，请于时限内作出决定，并回复目前的审查进度。", workdays=2)


def _demo_pdf() -> bytes:
    """A blank one-page PDF (uploads are opened with a PDF library, so it must be a real one)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


DEMO_PDF = _demo_pdf()


def _demo_cases() -> list[tuple[str, str, str]]:
    """A few cases in different states so the inbox, the case pages and the lookup have
    something to show. Made through the ordinary services; skipped when they exist."""
    zhang = User.objects.get(username="13907360001")
    li = User.objects.get(username="13907360002")
    if not Case.objects.filter(application__applicant__in=[zhang, li]).exists():
        clerk = User.objects.get(username="chuangkou")
        officer = User.objects.get(username="scjg.officer")
        head = User.objects.get(username="scjg.head")
        items = list(
            ServiceItem.objects.filter(current__department__code="SCJGJ", current__promised_limit_days__gt=0,
                                       parent__isnull=True, sub_items__isnull=True)
            .order_by("sort_order")[:3]
        )

        def submit(user: User, item: ServiceItem, key: str) -> Case:
            application, _created = cases.create_application(actor=user, item_code=item.code, idempotency_key=key)
            for name in cases.missing_materials(application):
                cases.upload_material(actor=user, application=application, name=name, stream=io.BytesIO(DEMO_PDF),
                                      original_name="demo.pdf")
            return cases.submit_application(actor=user, application=application)[0]

        # 1. Submitted, waiting in the window's "new" inbox.
        submit(zhang, items[0], "demo-1")
        # 2. Accepted and with the officer.
        c2 = submit(zhang, items[1], "demo-2")
        cases.transition(case=c2, action="accept", actor=clerk)
        # 3. A one-time notice waits for Li's supplements.
        c3 = submit(li, items[2], "demo-3")
        first = c3.version.materials.order_by("position")[0]
        cases.issue_notice(case=c3, actor=clerk, items=[{"material": first.name, "reason": "缺少申请人签字，请签字后重新上传"}])
        # 4. Approved and the result picked up: one trip.
        c4 = submit(li, items[0], "demo-4")
        cases.transition(case=c4, action="accept", actor=clerk)
        cases.transition(case=c4, action="advance", actor=officer)
        cases.transition(case=c4, action="approve", actor=head)
        cases.transition(case=c4, action="issue_result", actor=officer)
        cases.transition(case=c4, action="hand_out", actor=clerk,
                         data={"collector": "applicant", "collector_id_number": c4.application.applicant_id_number})
        # 5. Approved, the result waiting at the result window (综合窗口出件) for Zhang.
        c5 = submit(zhang, items[2], "demo-5")
        cases.transition(case=c5, action="accept", actor=clerk)
        cases.transition(case=c5, action="advance", actor=officer)
        cases.transition(case=c5, action="approve", actor=head)
        cases.transition(case=c5, action="issue_result", actor=officer)
        # 6. A proxy agent (帮代办) applies for a villager, with the villager's signed consent form.
        agent = User.objects.filter(username="daiban.wuling").first()
        if agent is not None:
            villager = {"name": "王老伯（演示）", "id_number": people.resident_id("43070319890101111"),
                        "mobile": "13907365555"}
            consent = cases.record_consent_form(actor=agent, stream=io.BytesIO(DEMO_PDF), **villager)
            application, _created = cases.create_application(
                actor=agent, item_code=items[0].code, idempotency_key="demo-6", form={
                    "applicant_name": villager["name"], "applicant_id_number": villager["id_number"],
                    "applicant_mobile": villager["mobile"], "consent_id": str(consent.pk)})
            for name in cases.missing_materials(application):
                cases.upload_material(actor=agent, application=application, name=name, stream=io.BytesIO(DEMO_PDF),
                                      original_name="demo.pdf")
            cases.submit_application(actor=agent, application=application)
        _demo_fees_and_post(zhang, li, clerk, officer, head, items, submit)
    _demo_company_case()
    return [
        (c.number or "", c.get_state_display(), c.application.applicant_mobile)
        for c in Case.objects.filter(Q(application__applicant__in=[zhang, li])
                                     | Q(application__submitted_by__username__in=["daiban.wuling", "13907360003"]))
        .exclude(state=State.DRAFT).select_related("application").order_by("id")
    ]


def _demo_company_case() -> None:
    """9. The company representative 赵示例 (the first demo company's legal representative) applies
    for an item whose ID card and business licence both come from the registries (免提交)."""
    rep = User.objects.filter(username="13907360003").first()
    if rep is None or Case.objects.filter(application__submitted_by=rep).exists():
        return
    item = (ServiceItem.objects.filter(current__isnull=False, parent__isnull=True, sub_items__isnull=True,
                                       current__materials__registry="company")
            .filter(current__materials__registry="population").distinct().order_by("sort_order").first())
    if item is None:
        return
    application, _created = cases.create_application(actor=rep, item_code=item.code, idempotency_key="demo-7",
                                                     form={"request": "申请办理（演示）"})
    for name in cases.missing_materials(application):
        cases.upload_material(actor=rep, application=application, name=name, stream=io.BytesIO(DEMO_PDF),
                              original_name="demo.pdf")
    cases.submit_application(actor=rep, application=application)


def _demo_fees_and_post(zhang: User, li: User, clerk: User, officer: User, head: User, items: list[ServiceItem],
                        submit: Any) -> None:
    """7. Zhang's mortgage registration, accepted: its registration fee (¥80.00) waits to be paid in
    the sandbox, and Zhang asked for the result by post. 8. Li's result, ready and to be posted:
    it waits in the staff's post queue with its tracking number."""
    from onetrip.delivery import services as delivery

    mortgage = ServiceItem.objects.filter(code="430703-BDCDJZX-003", current__isnull=False).first()
    if mortgage is not None:
        c7 = submit(zhang, mortgage, "demo-7")
        cases.transition(case=c7, action="accept", actor=clerk)
        delivery.choose_delivery(actor=zhang, case=c7, method="post", recipient_name=zhang.real_name,
                                 address="湖南省常德市鼎城区武陵镇玉霞路18号金霞小区3栋2单元501室", phone=zhang.mobile)
    postable = next((i for i in items if i.current is not None and i.current.postable), None)
    if postable is not None:
        c8 = submit(li, postable, "demo-8")
        delivery.choose_delivery(actor=li, case=c8, method="post", recipient_name=li.real_name,
                                 address="湖南省常德市鼎城区郭家铺街道德山路66号", phone=li.mobile)
        cases.transition(case=c8, action="accept", actor=clerk)
        cases.transition(case=c8, action="advance", actor=officer)
        cases.transition(case=c8, action="approve", actor=head)
        cases.transition(case=c8, action="issue_result", actor=officer)


def _load_people(report: LoadReport) -> User:
    hall = Department.objects.filter(code__in=HALL_DEPARTMENTS).first() or Department.objects.first()
    for username, role, real_name, mobile, rid, dept, extra in people.PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            department = hall if dept == "@hall" else (Department.objects.filter(code=dept).first() if dept else None)
            if dept and dept != "@hall" and department is None:
                department = Department.objects.first()
            kwargs: dict[str, Any] = {}
            if "division" in extra:
                kwargs["division"] = Division.objects.get(code=extra["division"])
            if "company" in extra:
                kwargs["company"] = Company.objects.get(uscc=extra["company"])
            user = accounts.create_user(actor=None, username=username, password=people.DEMO_PASSWORD, role=role,
                                        real_name=real_name, mobile=mobile, resident_id=rid, department=department,
                                        check_password=False, **kwargs)
            report.created_anything = True
        report.users.append((username, user.get_role_display(), user.department.name if user.department else ""))
    return User.objects.get(username="admin", role=Role.SYSTEM_ADMIN)


def _demo_proposal() -> None:
    """One batch awaiting review, so the publication workbench has something to show: the
    catalogue admin ``shengaiban`` proposed it; ``admin`` (a second admin) can approve it."""
    proposer = User.objects.get(username="shengaiban")
    item = (ServiceItem.objects.filter(current__isnull=False, current__promised_limit_days__gte=3, parent__isnull=True)
            .exclude(versions__number__gt=1).order_by("-sort_order").first())
    if item is None:
        return
    draft = catalog.start_draft(actor=proposer, item=item)
    catalog.update_draft(actor=proposer, version=draft, guide={"promised_limit_days": draft.promised_limit_days - 2})
    catalog.propose_publication(actor=proposer, versions=[draft], name="第三批“最多跑一次”事项（承诺时限压缩）",
                                note="承诺办结时限再压缩两个工作日，已与实施部门核对。")


def _demo_revision(admin: User) -> None:
    """Show versioning on one item: a later batch shortened its promised time limit."""
    item = ServiceItem.objects.filter(current__isnull=False, current__promised_limit_days__gte=2).order_by("sort_order").first()
    if item is None or item.versions.count() > 1:
        return
    draft = catalog.start_draft(actor=admin, item=item)
    catalog.update_draft(actor=admin, version=draft, guide={"promised_limit_days": draft.promised_limit_days - 1,
                                                            "max_visits": min(draft.max_visits, 1)})
    catalog.publish_for_seeding(actor=admin, versions=[draft], name="流程再造：承诺时限再压缩",
                                published_on=dt.date(2019, 3, 15))
