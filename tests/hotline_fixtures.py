"""People and calls for the hotline tests: the centre's operator, two departments with an officer
and a head each, a supervisor, and a complaint called in by a named citizen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onetrip.accounts.models import Department, Role, User
from onetrip.hotline import services
from onetrip.hotline.models import Channel, Kind, Ticket

from .conftest import make_department, make_user


@dataclass
class Centre:
    operator: User
    department: Department
    officer: User
    head: User
    other: Department
    other_officer: User
    supervisor: User


def build_centre(department: Department) -> Centre:
    other = make_department(department.division, code="ZJJ", name="常德市鼎城区住房和城乡建设局")
    return Centre(operator=make_user(Role.HOTLINE_OPERATOR), department=department,
                  officer=make_user(Role.OFFICER, department, mobile="13907369001"),
                  head=make_user(Role.DEPARTMENT_HEAD, department, mobile="13907369002"),
                  other=other, other_officer=make_user(Role.OFFICER, other),
                  supervisor=make_user(Role.SUPERVISOR))


COMPLAINT = "武陵大道菜市场旁的烧烤摊每天晚上油烟很大，噪音到凌晨两点，多次反映没有人管。"


def complaint(c: Centre, **extra: Any) -> Ticket:
    data: dict[str, Any] = {"kind": Kind.COMPLAINT, "channel": Channel.PHONE, "text": COMPLAINT,
                            "caller_name": "李秀英", "caller_mobile": "13907361234", "category": "市场监管",
                            "location": "武陵镇武陵大道菜市场"}
    data.update(extra)
    return services.register_ticket(actor=c.operator, **data).ticket
