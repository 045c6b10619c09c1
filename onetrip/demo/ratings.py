"""The demo district's 好差评: Li rated her picked-up case 非常不满意, which opened a rectification
the market regulator has not yet worked (the workbench shows it); Zhang's two results, picked up,
rated 非常满意 and 满意. Made through the ordinary services; skipped once any rating exists."""

from __future__ import annotations

import io

from onetrip.accounts.models import User
from onetrip.cases import services as cases
from onetrip.cases.models import Case, State
from onetrip.catalog.models import ServiceItem


def load_ratings() -> int:
    from onetrip.ratings import services as ratings
    from onetrip.ratings.models import Rating

    if Rating.objects.exists():
        return 0
    li = User.objects.filter(username="13907360002").first()
    zhang = User.objects.filter(username="13907360001").first()
    clerk = User.objects.filter(username="chuangkou").first()
    officer = User.objects.filter(username="scjg.officer").first()
    head = User.objects.filter(username="scjg.head").first()
    if not (li and zhang and clerk and officer and head):
        return 0
    made = 0
    poor = Case.objects.filter(application__applicant=li, state=State.CLOSED).order_by("id").first()
    if poor is not None:
        ratings.rate_case(actor=li, case=poor, level=1, aspects={"efficiency": 2, "guide": 1},
                          comment="办事指南写的材料和窗口要求不一致，来回改了两次（演示）")
        made += 1
    item = (ServiceItem.objects.filter(current__department__code="SCJGJ", current__promised_limit_days__gt=0,
                                       parent__isnull=True, sub_items__isnull=True).order_by("sort_order").first())
    if item is None:
        return made
    from onetrip.demo.services import DEMO_PDF

    for n, level in enumerate((5, 4)):
        application, _created = cases.create_application(actor=zhang, item_code=item.code,
                                                         idempotency_key=f"demo-rated-{n}")
        for name in cases.missing_materials(application):
            cases.upload_material(actor=zhang, application=application, name=name, stream=io.BytesIO(DEMO_PDF),
                                  original_name="demo.pdf")
        case = cases.submit_application(actor=zhang, application=application)[0]
        for action, actor in (("accept", clerk), ("advance", officer), ("approve", head), ("issue_result", officer)):
            case = cases.transition(case=case, action=action, actor=actor)
        case = cases.transition(case=case, action="hand_out", actor=clerk, data={
            "collector": "applicant", "collector_id_number": case.application.applicant_id_number})
        ratings.rate_case(actor=zhang, case=case, level=level, aspects={"efficiency": level, "convenience": level},
                          comment="全程网上办，只跑了一次（演示）" if level == 5 else "")
        made += 1
    return made
