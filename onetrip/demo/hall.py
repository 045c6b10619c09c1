"""The demo district's service hall: 鼎城区政务服务中心 with four areas and twelve windows.
Idempotent: nothing is changed when the hall exists."""

from __future__ import annotations

from onetrip.accounts.models import User
from onetrip.catalog.models import ServiceItem
from onetrip.hall import services
from onetrip.hall.models import Area, Hall, Window

# (code, name, English name, prefix, departments whose items it takes, extra item codes, windows, priority)
AREAS = [
    ("investment", "投资建设", "Investment and construction", "A", ("ZJJ", "ZRZYJ", "BDCDJZX", "SLJ", "JTJ", "LYJ"),
     (), (1, 2, 3), True),
    ("business", "企业开办", "Business start-up", "B", ("SCJGJ", "SWJ"), (), (4, 5, 6), True),
    ("general", "综合管理", "General affairs", "C", ("RSJ", "YBJ", "MZJ", "WJJ", "GAFJ", "NYNCJ", "JYJ"), (),
     (7, 8, 9, 10), True),
    ("dedicated", "专属服务", "Dedicated services", "D", ("CL",),
     ("430703-MZJ-005", "430703-MZJ-007"), (11, 12), True),
]


def load_hall(admin: User) -> Hall:
    hall = Hall.objects.order_by("id").first()
    if hall is not None:
        return hall
    hall = Hall(name="鼎城区政务服务中心", name_en="Dingcheng District Government Service Centre",
                address="常德市鼎城区武陵镇玉霞大道政务服务中心一楼", phone="0736-7383000",
                # The demo is run at any hour: its kiosk gives tickets outside opening hours too
                # (switch it off in the admin to see the opening hours enforced).
                open_all_hours=True)
    services.save_config(actor=admin, obj=hall)
    for n, (code, name, name_en, prefix, departments, extra, windows, priority) in enumerate(AREAS):
        area = Area(hall=hall, code=code, name=name, name_en=name_en, prefix=prefix, priority_allowed=priority,
                    sort_order=n + 1)
        services.save_config(actor=admin, obj=area)
        items = ServiceItem.objects.filter(current__isnull=False, parent__isnull=True).filter(
            current__department__code__in=departments) | ServiceItem.objects.filter(code__in=extra)
        area.items.set(items.distinct())
        for number in windows:
            services.save_config(actor=admin, obj=Window(area=area, number=number))
    return hall
