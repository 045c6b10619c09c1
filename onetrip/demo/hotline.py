"""The demo district's 12345 line: a consultation the operator answered on the call; a complaint the
market regulator answered and finished, waiting for the centre's return visit; a complaint and an
anonymous report waiting for the regulator to acknowledge them; and a request for help the real
estate registration centre let run past its time limit (its light is red and the card job gives
the centre a yellow card). Made through the ordinary services (the late one is dated back, as the
demo history is); skipped once any ticket exists. The knowledge base (``load_knowledge``): the
articles written from the guides are there already (publishing wrote them); two written by the
centre, and one answer proposed from a ticket for the market regulator to approve."""

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
    from onetrip.knowledge.models import Article, Topic

    # Answered from the knowledge base: the article written from the guide of 个体工商户设立登记.
    article = Article.objects.filter(from_item__code="430703-SCJGJ-001-01", topic=Topic.MATERIALS).first()
    hotline.register_ticket(
        actor=operator, kind="consultation", channel="phone", caller_name="刘演示", caller_mobile="13907360021",
        text="个体户营业执照可以网上办吗？要带什么？", category="市场主体登记",
        answer=article.answer if article else "可以网上申办，需要身份证和经营场所证明，材料齐全当场办结。",
        article=article)
    replied = hotline.register_ticket(
        actor=operator, kind="complaint", channel="phone", caller_name="李秀英（演示）", caller_mobile="13907360022",
        text="武陵大道菜市场旁的烧烤摊每天晚上油烟很大，噪音到凌晨两点，多次反映没有人管。", category="市场监管",
        location="武陵镇武陵大道菜市场").ticket
    replied = hotline.acknowledge(actor=officer, ticket=hotline.dispatch(actor=operator, ticket=replied,
                                                                          department=scjg))
    replied = hotline.reply(actor=officer, ticket=replied,
                            answer="已到现场检查，责令摊主安装油烟净化设备，晚上十点后停止经营，并将持续跟踪。")
    replied = hotline.finish(actor=officer, ticket=replied)
    from onetrip.knowledge import services as knowledge

    # The centre proposes the regulator's answer for the knowledge base; the regulator approves it
    # (log in as scjg.officer: 知识库).
    knowledge.propose_from_ticket(actor=operator, ticket_number=replied.number, question="夜间烧烤摊油烟、噪音扰民找谁？",
                                  answer="拨打12345或在网上反映，由市场监管局和城管部门依职责到现场检查处理，"
                                         "一般在15个工作日内答复。", owner=scjg)
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


def load_knowledge() -> int:
    """Two articles the 12345 centre wrote (skipped once any written article exists)."""
    from onetrip.catalog.models import ServiceItem
    from onetrip.knowledge import services as knowledge
    from onetrip.knowledge.models import Article, Source

    operator = User.objects.filter(username="rexian").first()
    if operator is None or Article.objects.filter(source=Source.WRITTEN).exists():
        return 0
    centre = Department.objects.filter(code="ZWFWZX").first()
    knowledge.create_article(
        actor=operator, question="政务服务大厅几点上班？周末能办事吗？",
        answer="工作日上午 8:30—12:00、下午 14:30—17:30 办理；周末和法定节假日休息，调休上班的日子照常办公。"
               "能网上办的事项随时可以在本网站申请，不用跑。",
        tags="上班时间,办公时间,周末,双休,几点开门", owner=centre, departments=[centre] if centre else [])
    business = list(ServiceItem.objects.filter(code__in=["430703-SCJGJ-001-01"]))
    knowledge.create_article(
        actor=operator, question="营业执照丢了怎么补办？",
        answer="个体工商户、企业的营业执照遗失，可在国家企业信用信息公示系统免费发布遗失公告，"
               "再到市场监管局窗口或网上申请补领，带经营者身份证即可，当场补发。",
        tags="执照丢了,执照遗失,补领,补发", items=business,
        owner=Department.objects.filter(code="SCJGJ").first(),
        departments=list(Department.objects.filter(code="SCJGJ")))
    return Article.objects.filter(source=Source.WRITTEN).count()
