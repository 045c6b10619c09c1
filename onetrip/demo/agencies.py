"""The demo district's 中介服务超市 (issue 12), made through the ordinary services of
``onetrip.agencies``; skipped once any of the demo agencies exists.

- Five intermediary service types, each linked to the construction and land items that need it.
- Four agencies (made-up names, USCCs in the demo company registry, ``people.AGENCIES``), each with
  one account (a company representative of its own company, password ``OneTrip-demo-2026``).
  Three are published; the fourth, 湖南善卷工程技术咨询有限公司（演示）, is submitted and waits for
  the marketplace admin (log in as ``shengaiban`` or ``admin``: /staff/agencies/).
- The company representative 赵示例 (13907360003) posts three purchases:
  1. 环境影响评价 by random draw: three agencies signed up, the draw made — its seed revealed, the
     draw recomputable from its public page (/agencies/p/<number>/); in its objection period.
  2. 工程勘察 by sealed price bids, the deadline three days ahead: three bids in, sealed.
  3. 房产测绘 by random draw, drawn earlier: the winner delivered its report on time, 赵示例
     confirmed it, attached it to his draft application for 不动产首次登记 (the material
     不动产权籍调查成果（房屋测绘报告）) and rated the agency — its credit shows the rating.

Dated back (the services take times from the clock, so time is made to pass as
``demo.hotline`` does for its late ticket): purchase 1's sign-up deadline is moved to an hour ago
before its draw; purchase 3's deadline to 20 working days ago, its selection and objection period
to 18 and 15 working days ago, and its contract (the start of the service clock) to 12 working days
ago — so the report delivered today is within the 15 working days agreed. The trail keeps the
real times of the writes."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Company, Role, User
from onetrip.agencies import services as market
from onetrip.agencies.models import Agency, Method, Purchase, ServiceType
from onetrip.catalog.models import ServiceItem
from onetrip.demo import people
from onetrip.workcalendar import workdays

# (code, name, description, the approval items that need it)
SERVICE_TYPES = [
    ("HPBG", "环境影响评价", "编制建设项目环境影响报告书（表），供规划、施工许可等审批使用。",
     ["430703-ZRZYJ-001", "430703-ZJJ-001", "430703-ZJJ-002"]),
    ("GCKC", "工程勘察", "岩土工程勘察、勘测定界，出具勘察报告或勘测定界图。",
     ["430703-ZRZYJ-001", "430703-ZRZYJ-002", "430703-ZJJ-001"]),
    ("SGTSC", "施工图审查", "施工图设计文件审查，出具审查合格书。", ["430703-ZJJ-001"]),
    ("FCCH", "房产测绘", "房屋面积测算、不动产权籍调查，出具房屋测绘报告。",
     ["430703-BDCDJZX-001", "430703-ZJJ-003", "430703-ZJJ-004"]),
    ("AQPJ", "安全评价", "建设项目安全预评价、验收评价，出具安全评价报告。",
     ["430703-ZJJ-004", "430703-ZJJ-001"]),
]
# The certificates each service type's qualification names (name, level, issuing authority).
QUALIFICATIONS = {
    "HPBG": ("环境影响评价资质", "甲级", "湖南省生态环境厅"),
    "GCKC": ("工程勘察专业资质", "乙级", "湖南省住房和城乡建设厅"),
    "SGTSC": ("施工图审查机构认定", "一类", "湖南省住房和城乡建设厅"),
    "FCCH": ("测绘资质（不动产测绘）", "乙级", "湖南省自然资源厅"),
    "AQPJ": ("安全评价机构资质", "乙级", "湖南省应急管理厅"),
}
FEES = {
    "HPBG": "按报告书（表）类别及投资额计费，在国家指导价基础上下浮20%",
    "GCKC": "按勘察工作量计费，钻孔每延米120元起",
    "SGTSC": "按建筑面积每平方米1.2元",
    "FCCH": "按测绘面积每平方米0.8元，最低3000元",
    "AQPJ": "按项目规模协商，最高不超过指导价",
}
RATING = {"quality": 5, "timeliness": 5, "attitude": 4, "price": 4}
CASE_ITEM, CASE_MATERIAL = "430703-BDCDJZX-001", "不动产权籍调查成果（房屋测绘报告）"


def _workdays_ago(n: int, today: dt.date) -> dt.date:
    day = today
    for _ in range(n):
        day -= dt.timedelta(days=1)
        while not workdays.is_workday(day):
            day -= dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _account(spec: dict[str, str]) -> User:
    company = Company.objects.filter(uscc=spec["uscc"]).first() or accounts.register_company(
        actor=None, uscc=spec["uscc"], name=spec["name"], legal_representative=spec["legal_representative"],
        address=spec["address"])
    user = User.objects.filter(username=spec["mobile"]).first()
    if user is None:
        user = accounts.create_user(actor=None, username=spec["mobile"], password=people.DEMO_PASSWORD,
                                    role=Role.COMPANY_REP, real_name=spec["contact"], mobile=spec["mobile"],
                                    company=company, check_password=False)
    return user


def _agency(spec: dict[str, str], types: dict[str, ServiceType], admin: User) -> Agency:
    user = _account(spec)
    agency = market.register_agency(actor=user, name=spec["name"], uscc=spec["uscc"], contact_name=spec["contact"],
                                    contact_phone=spec["mobile"], address=spec["address"],
                                    introduction=spec["introduction"], staff_count=int(spec["staff"]))
    today = timezone.localdate()
    for n, code in enumerate(spec["offers"].split(",")):
        name, level, issued_by = QUALIFICATIONS[code]
        market.add_qualification(actor=user, agency=agency, service_type=types[code], name=name, level=level,
                                 certificate_no=f"{code}-{spec['uscc'][-6:]}-{n + 1}", issued_by=issued_by,
                                 valid_from=today - dt.timedelta(days=400), valid_to=today + dt.timedelta(days=900),
                                 stream=io.BytesIO(_pdf()), original_name=f"{name}.pdf")
        market.set_offer(actor=user, agency=agency, service_type=types[code], fee_standard=FEES[code])
    market.sign_commitment(actor=user, agency=agency)
    agency = market.submit_agency(actor=user, agency=agency)
    if spec["publish"] == "yes":
        agency = market.review_agency(actor=admin, agency=agency, publish=True)
    return agency


def _pdf() -> bytes:
    from onetrip.demo.services import DEMO_PDF

    return DEMO_PDF


def _post(rep: User, st: ServiceType, *, project: str, ceiling: str, method: str, workdays_limit: int,
          deadline: dt.datetime) -> Purchase:
    p = market.create_purchase(actor=rep, owner_name=rep.company.name if rep.company else rep.real_name,
                               project=project, service_type=st, price_ceiling=ceiling,
                               service_workdays=workdays_limit, method=method, signup_deadline=deadline,
                               contact_name=rep.real_name, contact_phone=rep.mobile)
    return market.publish_purchase(actor=rep, purchase=p)


def _sign_up_all(p: Purchase, agencies: list[tuple[Agency, User]]) -> None:
    for agency, user in agencies:
        market.sign_up(actor=user, purchase=p, agency=agency)


def load_agencies() -> int:
    """Load the demo marketplace; returns the number of purchases made (0 when it is there)."""
    codes = [a["uscc"] for a in people.AGENCIES]
    if Agency.objects.filter(uscc__in=codes).exists():
        return 0
    admin = User.objects.filter(username="shengaiban").first()
    rep = User.objects.filter(username="13907360003").first()
    if admin is None or rep is None:
        return 0
    types = {}
    for code, name, description, item_codes in SERVICE_TYPES:
        types[code] = market.save_service_type(actor=admin, code=code, name=name, description=description,
                                               items=ServiceItem.objects.filter(code__in=item_codes))
    published: list[tuple[Agency, User]] = []
    for spec in people.AGENCIES:
        agency = _agency(spec, types, admin)
        if spec["publish"] == "yes":
            published.append((agency, agency.owners.get()))
    now = timezone.now()
    today = timezone.localdate()

    # 1. By random draw: three sign-ups, the deadline passed (dated back an hour), the draw made.
    drawn = _post(rep, types["HPBG"], project="示例餐饮中央厨房建设项目环境影响报告表编制", ceiling="80000",
                  method=Method.RANDOM, workdays_limit=20, deadline=now + dt.timedelta(hours=1))
    _sign_up_all(drawn, published)
    Purchase.objects.filter(pk=drawn.pk).update(signup_deadline=now - dt.timedelta(hours=1))
    market.select(actor=rep, purchase=drawn)

    # 2. By sealed bids, the deadline three days ahead: three bids in, unreadable until then.
    sealed = _post(rep, types["GCKC"], project="示例餐饮中央厨房建设项目岩土工程勘察", ceiling="120000",
                   method=Method.PRICE, workdays_limit=15, deadline=now + dt.timedelta(days=3))
    _sign_up_all(sealed, published)
    for (agency, user), price in zip(published, ("98000", "105500", "91800"), strict=True):
        market.submit_bid(actor=user, purchase=sealed, agency=agency, price=price)

    # 3. Drawn earlier (dated back, see the docstring), the report delivered, confirmed, attached
    # to 赵示例's application for 不动产首次登记 and rated.
    done = _post(rep, types["FCCH"], project="示例餐饮综合楼房产测绘（不动产首次登记用）", ceiling="60000",
                 method=Method.RANDOM, workdays_limit=15, deadline=now + dt.timedelta(hours=1))
    _sign_up_all(done, published)
    Purchase.objects.filter(pk=done.pk).update(signup_deadline=_at(_workdays_ago(20, today), 17),
                                               published_at=_at(_workdays_ago(27, today), 9))
    done = market.select(actor=rep, purchase=done)
    Purchase.objects.filter(pk=done.pk).update(selected_at=_at(_workdays_ago(18, today), 10),
                                               objection_until=_workdays_ago(15, today))
    done = market.sign_contract(actor=rep, purchase=done, contract_no="DCCH-2026-0315")
    started = _workdays_ago(12, today)
    done.clock_start(on=started, limit_workdays=done.service_workdays, warning_workdays=2, today=today)
    done.contracted_at = _at(started, 15)
    done.save()
    winner = done.winner
    assert winner is not None
    done = market.deliver_report(actor=winner.owners.get(), purchase=done, stream=io.BytesIO(_pdf()),
                                 original_name="房产测绘报告（演示）.pdf")
    done = market.confirm_report(actor=rep, purchase=done)
    from onetrip.cases import services as cases

    application, _created = cases.create_application(actor=rep, item_code=CASE_ITEM, idempotency_key="demo-agency")
    case = application.cases.order_by("id").first()
    if case is not None:
        market.attach_to_case(actor=rep, purchase=done, case=case, material=CASE_MATERIAL)
    market.rate_agency(actor=rep, purchase=done, comment="测绘及时、数据准确，报告一次通过（演示）", **RATING)
    return Purchase.objects.filter(owner=rep).count()
