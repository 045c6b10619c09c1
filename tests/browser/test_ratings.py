"""好差评 in a browser, each page checked with axe-core (no serious or critical violations): the
SMS link's rating page on a phone (360 px, no sideways scroll), the window's rating pad on a
tablet (enrolled by the clerk, a 差评 tapped), the department's workbench and the public page."""

from __future__ import annotations

import io
import re

import pytest

from .conftest import log_in, log_out, serious_violations

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _closed_case_link() -> str:
    from onetrip.accounts.models import User
    from onetrip.cases import services as cases
    from onetrip.catalog.models import ServiceItem
    from onetrip.core.models import Notification
    from onetrip.demo.services import DEMO_PDF

    zhang, clerk = User.objects.get(username="13907360001"), User.objects.get(username="chuangkou")
    officer, head = User.objects.get(username="scjg.officer"), User.objects.get(username="scjg.head")
    item = ServiceItem.objects.filter(current__department__code="SCJGJ", current__promised_limit_days__gt=0,
                                      parent__isnull=True, sub_items__isnull=True).order_by("sort_order").first()
    application, _ = cases.create_application(actor=zhang, item_code=item.code, idempotency_key="browser-rate")
    for name in cases.missing_materials(application):
        cases.upload_material(actor=zhang, application=application, name=name, stream=io.BytesIO(DEMO_PDF),
                              original_name="demo.pdf")
    case = cases.submit_application(actor=zhang, application=application)[0]
    for action, actor in (("accept", clerk), ("advance", officer), ("approve", head), ("issue_result", officer)):
        case = cases.transition(case=case, action=action, actor=actor)
    cases.transition(case=case, action="hand_out", actor=clerk, data={
        "collector": "applicant", "collector_id_number": case.application.applicant_id_number})
    body = Notification.objects.get(event="ratings.invitation", target_id=str(case.pk)).body
    return re.search(r"(/ratings/r/[\w-]+/)", body).group(1)


def test_rating_by_the_sms_link_on_a_phone(phone):
    page = phone
    page.goto(_closed_case_link())
    # (selectors by value, not by text: the lead adds the Chinese of the new strings to the catalogue)
    assert page.locator("h1").inner_text() and page.locator("input[name=level]").count() == 5
    assert serious_violations(page) == []
    assert no_horizontal_scroll(page)
    submit = page.locator("main form button[type=submit]")
    submit.click()  # nothing chosen: the browser asks for a level
    assert "/ratings/r/" in page.url and page.locator("input[name=level]").count() == 5
    page.locator("label[for=o-level-3]").click()
    submit.click()
    page.wait_for_selector(".ok-box")
    assert serious_violations(page) == []
    page.goto("/ratings/")
    assert page.locator("table").count() >= 1
    assert serious_violations(page) == []
    assert no_horizontal_scroll(page)


def test_the_rating_pad_on_the_windows_tablet_and_the_workbench(browser, live_server, demo):
    from onetrip.accounts.models import User
    from onetrip.hall import services as hall
    from onetrip.hall.models import Kiosk, Window
    from onetrip.ratings.models import Rectification

    clerk = User.objects.get(username="chuangkou")
    window = Window.objects.filter(active=True).order_by("area__sort_order", "number").first()
    hall.sign_in_window(actor=clerk, window=window)
    tablet = browser.new_context(viewport={"width": 768, "height": 1024}, base_url=live_server.url, locale="zh-CN")
    page = tablet.new_page()
    log_in(page, "chuangkou")
    page.goto("/ratings/pad/enrol/")
    assert serious_violations(page) == []
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/ratings/pad/")
    log_out(page)
    manager = User.objects.get(username="shengaiban")
    kiosk, _key = hall.enrol_kiosk(actor=manager, hall=window.area.hall, name="测试取号机") \
        if not Kiosk.objects.exists() else (Kiosk.objects.first(), "")
    ticket = hall.take_ticket(actor=None, area=window.area, kiosk=kiosk)
    called = hall.call_next(actor=clerk)
    hall.act(actor=clerk, ticket=called, action="start")
    hall.act(actor=clerk, ticket=called, action="finish")
    page.goto("/ratings/pad/")
    assert called.number in page.locator("main").inner_text() and ticket.pk
    assert serious_violations(page) == []
    page.locator("label[for=pad-level-2]").click()
    page.locator("main form.pad button[type=submit]").click()
    page.wait_for_selector(".messages")
    assert Rectification.objects.filter(rating__ticket=called).exists()
    tablet.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url, locale="zh-CN")
    page = desk.new_page()
    log_in(page, "scjg.officer")
    page.goto("/staff/rectifications/")
    assert page.locator(".light").count() >= 1
    assert serious_violations(page) == []
    page.locator("main table a.button").first.click()
    page.wait_for_selector("#visit-h")
    assert serious_violations(page) == []
    desk.close()
