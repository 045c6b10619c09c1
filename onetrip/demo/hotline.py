"""The demo district's 12345 line: a consultation the operator answered on the call; a complaint the
market regulator answered and finished, waiting for the centre's return visit; a complaint and an
anonymous report waiting for the regulator to acknowledge them; and a request for help the real
estate registration centre let run past its time limit (its light is red and the card job gives
the centre a yellow card). Made through the ordinary services (the late one is dated back, as the
demo history is); skipped once any ticket exists."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onetrip.accounts.models import Department, User
from onetrip.workcalendar import workdays


def load_hotline() -> int:
    from onetrip.hotline import jobs as hotline_jobs
    from onetrip.hotline import services as hotline
    from onetrip.hotline.effects import warning_workdays
    from onetrip.hotline.models import Ticket, TicketEvent

    if Ticket.objects.exists():
        return 0
    operator = User.objects.filter(username="rexian").first()
    officer = User.objects.filter(username="scjg.officer").first()
    bdc = User.objects.filter(username="bdc.officer").first()
    scjg = Department.objects.filter(code="SCJGJ").first()
    bdc_dept = Department.objects.filter(code="BDCDJZX").first()
    if not (operator and officer and bdc and scjg and bdc_dept):
        return 0
    hotline.register_ticket(
        actor=operator, kind="consultation", channel="phone", caller_name="刘演示", caller_mobile="13907360021",
        text="个体户营业执照可以网上办吗？要带什么？", category="市场主体登记",
        answer="可以在鼎城区政务服务网“个体工商户设立登记”网上申办，需要身份证和经营场所证明，材料齐全当场办结。")
    replied = hotline.register_ticket(
        actor=operator, kind="complaint", channel="phone", caller_name="李秀英（演示）", caller_mobile="13907360022",
        text="武陵大道菜市场旁的烧烤摊每天晚上油烟很大，噪音到凌晨两点，多次反映没有人管。", category="市场监管",
        location="武陵镇武陵大道菜市场").ticket
    replied = hotline.acknowledge(actor=officer, ticket=hotline.dispatch(actor=operator, ticket=replied,
                                                                          department=scjg))
    replied = hotline.reply(actor=officer, ticket=replied,
                            answer="已到现场检查，责令摊主安装油烟净化设备，晚上十点后停止经营，并将持续跟踪。")
    hotline.finish(actor=officer, ticket=replied)
    waiting = hotline.register_ticket(
        actor=operator, kind="complaint", channel="phone", caller_name="王芳（演示）", caller_mobile="13907360023",
        text="在某超市买到过期牛奶，要求退一赔十，商家不同意。", category="消费维权", location="善卿路某超市").ticket
    hotline.dispatch(actor=operator, ticket=waiting, department=scjg)
    report = hotline.register_ticket(actor=operator, kind="report", channel="phone", anonymous=True,
                                     text="某餐馆后厨卫生很差，老鼠出没，举报人不愿透露身份。", location="桥南市场").ticket
    hotline.dispatch(actor=operator, ticket=report, department=scjg)
    late = hotline.register_ticket(
        actor=operator, kind="help", channel="phone", caller_name="陈演示", caller_mobile="13907360024",
        text="房产证上的名字写错了一个字，去了两次都说要等，想知道什么时候能更正。", category="不动产登记").ticket
    late = hotline.acknowledge(actor=bdc, ticket=hotline.dispatch(actor=operator, ticket=late, department=bdc_dept))
    # Dated back: received 14 working days ago, so its 10 working days ran out.
    today = timezone.localdate()
    start = today
    for _ in range(14):
        start -= dt.timedelta(days=1)
        while not workdays.is_workday(start):
            start -= dt.timedelta(days=1)
    moved = timezone.localtime() - (today - start)
    late.created_at, late.received_on = moved, start
    late.clock_start(on=start, limit_workdays=late.limit_workdays, warning_workdays=warning_workdays(), today=today)
    late.save()
    TicketEvent.objects.filter(ticket=late).update(at=moved)
    hotline_jobs.update_lights(day=today)  # the red light, and the overdue record the card job reads
    return Ticket.objects.count()
