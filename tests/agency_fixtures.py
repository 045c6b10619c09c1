"""A small marketplace for the agencies tests: the admin, a service type, published agencies (in the
company registry, qualified, offering the service), an owner company's representative and purchases."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from onetrip.accounts.models import Role, User
from onetrip.agencies import services
from onetrip.agencies.models import Agency, Purchase, ServiceType
from onetrip.demo.people import resident_id, uscc
from onetrip.registries import services as registries

from .conftest import PDF, make_user

_n = itertools.count(1)


def agency_uscc(n: int) -> str:
    return uscc(f"91430703MA4L{n:05d}")


def in_registry(code: str, name: str, status: str = "active") -> None:
    registries.import_records(actor=None, companies=[{
        "uscc": code, "name": name, "kind": "limited", "legal_representative": "周法人",
        "legal_representative_id_number": resident_id("43070319900202345"), "legal_representative_mobile": "13907360099", "address": "湖南省常德市鼎城区",
        "status": status, "established_on": dt.date(2015, 5, 1)}])


def make_agency(admin: User, st: ServiceType, *, publish: bool = True, level: str = "甲级",
                valid_to: dt.date | None = None, name: str = "") -> tuple[Agency, User]:
    n = next(_n)
    owner = make_user(Role.COMPANY_REP)
    code = agency_uscc(n)
    name = name or f"鼎城测试评估咨询有限公司{n}（演示）"
    in_registry(code, name)
    a = services.register_agency(actor=owner, name=name, uscc=code, contact_name="周联系",
                                 contact_phone=f"139073{n:05d}", staff_count=12)
    today = timezone.localdate()
    services.add_qualification(actor=owner, agency=a, service_type=st, name="环境影响评价资质", level=level,
                               certificate_no=f"HP-{n:05d}", issued_by="湖南省生态环境厅",
                               valid_from=today - dt.timedelta(days=365),
                               valid_to=valid_to or today + dt.timedelta(days=3 * 365),
                               stream=io.BytesIO(PDF), original_name="资质证书.pdf")
    services.set_offer(actor=owner, agency=a, service_type=st, fee_standard="按国家计价格〔2002〕125号文下浮20%")
    services.sign_commitment(actor=owner, agency=a)
    if publish:
        services.submit_agency(actor=owner, agency=a)
        a = services.review_agency(actor=admin, agency=a, publish=True)
    return a, owner


@dataclass
class Market:
    admin: User
    st: ServiceType
    owner: User
    agencies: list[tuple[Agency, User]] = field(default_factory=list)


def build_market(catalog_admin: User, n: int = 3, item: Any = None) -> Market:
    st = services.save_service_type(actor=catalog_admin, code="HPBG", name="环境影响评价报告编制",
                                    items=[item.item] if item is not None else [])
    m = Market(admin=catalog_admin, st=st, owner=make_user(Role.COMPANY_REP))
    m.agencies = [make_agency(catalog_admin, st) for _ in range(n)]
    return m


def post(m: Market, *, method: str = "random", ceiling: str = "200000", hours: float = 2, publish: bool = True,
         **extra: Any) -> Purchase:
    data: dict[str, Any] = {
        "owner_name": "鼎城区示例建设有限公司", "project": "鼎城区桥南农贸市场改造项目", "service_type": m.st,
        "price_ceiling": ceiling, "service_workdays": 10, "method": method,
        "signup_deadline": timezone.now() + dt.timedelta(hours=hours), "contact_name": "吴业主",
        "contact_phone": "13907365555"}
    data.update(extra)
    p = services.create_purchase(actor=m.owner, **data)
    if publish:
        p = services.publish_purchase(actor=m.owner, purchase=p)
    return p
