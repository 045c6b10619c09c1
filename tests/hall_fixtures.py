"""A small hall for the hall's tests: two areas with an item each, windows, two clerks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from onetrip.accounts.models import Role, User
from onetrip.catalog.models import ServiceItem
from onetrip.hall import services
from onetrip.hall.models import Appointment, Area, Hall, Kiosk, Slot, Ticket, Window

from .conftest import make_department, make_item, make_user

TUESDAY = dt.date(2025, 6, 10)  # a working day
HOLIDAY = dt.date(2025, 6, 2)  # 端午节 (a Monday)


def moment(day: dt.date, hh: int = 10, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


@dataclass
class HallWorld:
    hall: Hall
    a: Area
    b: Area
    windows: list[Window]
    clerk: User
    clerk2: User
    item: ServiceItem
    item_b: ServiceItem
    kiosk: Kiosk
    kiosk_key: str


def build_hall(district: Any, **hall_fields: Any) -> HallWorld:
    from onetrip.accounts.models import Department

    department = Department.objects.first() or make_department(district)
    admin = make_user(Role.CATALOG_ADMIN)
    item = make_item(admin, department).item
    item_b = make_item(admin, department).item
    hall = Hall(name="测试政务服务中心", **hall_fields)
    services.save_config(actor=admin, obj=hall)
    a = Area(hall=hall, code="business", name="企业开办", prefix="A", slot_capacity=2)
    services.save_config(actor=admin, obj=a)
    b = Area(hall=hall, code="general", name="综合管理", prefix="B", priority_allowed=False)
    services.save_config(actor=admin, obj=b)
    a.items.add(item)
    b.items.add(item_b)
    windows = []
    for number, area in ((1, a), (2, a), (3, b)):
        w = Window(area=area, number=number)
        services.save_config(actor=admin, obj=w)
        windows.append(w)
    kiosk, key = make_kiosk(hall)
    return HallWorld(hall=hall, a=a, b=b, windows=windows, clerk=make_user(Role.WINDOW_CLERK, department),
                     clerk2=make_user(Role.WINDOW_CLERK, department), item=item, item_b=item_b,
                     kiosk=kiosk, kiosk_key=key)


def make_kiosk(hall: Hall, name: str = "入口左侧") -> tuple[Kiosk, str]:
    """A kiosk enrolled by a hall manager (through the service), with its key."""
    manager = User.objects.filter(role=Role.CATALOG_ADMIN).first() or make_user(Role.CATALOG_ADMIN)
    return services.enrol_kiosk(actor=manager, hall=hall, name=name)


@dataclass
class ApiHall:
    """A hall ready for one valid call of each hall operation: ``clerk`` sits at window 1 with a
    ticket waiting, ``clerk2`` at window 3 has called one; ``citizen`` has an appointment on the
    first bookable day, and someone has one for today (to check in)."""

    world: HallWorld
    waiting: Ticket
    called: Ticket
    appointment: Appointment
    today_code: str
    days: list[dt.date]


def build_api_hall(district: Any, clerk: User, citizen: User) -> ApiHall:
    from onetrip.hall import rules

    w = build_hall(district, open_all_hours=True)
    w.clerk = clerk
    services.sign_in_window(actor=clerk, window=w.windows[0])
    waiting = services.take_ticket(actor=None, area=w.a, kiosk=w.kiosk)
    services.sign_in_window(actor=w.clerk2, window=w.windows[2])
    services.take_ticket(actor=None, area=w.b, kiosk=w.kiosk)
    called = services.call_next(actor=w.clerk2)
    assert called is not None
    days = rules.bookable_days(w.hall, timezone.now())
    appointment = services.book(actor=citizen, area=w.a, item=w.item, day=days[0], start=dt.time(9))
    today = timezone.localdate()
    other = make_user(Role.CITIZEN, mobile="13907369977")
    slot = Slot.objects.create(area=w.a, day=today, start=dt.time(9), end=dt.time(9, 30), capacity=2, booked=1)
    Appointment.objects.create(code="TODAY234", citizen=other, slot=slot, day=today, item=w.item,
                               created_at=timezone.now())
    return ApiHall(world=w, waiting=waiting, called=called, appointment=appointment, today_code="TODAY234",
                   days=days)
