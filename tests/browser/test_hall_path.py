"""The hall's whole path in a real browser (issue C, "Done when"): a walk-in takes a ticket at
an enrolled kiosk (phone-sized), a clerk calls it, serves it and takes the application at the
window, scans and marks the materials on the workbench and accepts in one step, prints the
acceptance notice; the back office approves; the result window hands it over, the ID checked;
the case counts one trip (handing in and collecting on one day). The kiosk and the workbench are
checked with axe-core."""

from __future__ import annotations

import re

import pytest

from onetrip.demo.people import resident_id

from ..conftest import pdf as make_pdf
from .conftest import enrol_kiosk, log_in, serious_violations
from .test_case_flow import act, confirm

pytestmark = pytest.mark.browser

ITEM = "430703-SCJGJ-005"  # 特种设备使用登记, in the 企业开办 area; promises at most one trip
PERSON = {"name": "柳窗口（演示）", "id": resident_id("43070319900505123"), "mobile": "13907369999"}


def test_kiosk_to_window_intake_to_result_window_in_one_trip(phone, browser, live_server, tmp_path):
    kiosk = phone
    enrol_kiosk(kiosk)
    kiosk.goto("/hall/kiosk/")
    assert serious_violations(kiosk) == []
    kiosk.get_by_role("button", name=re.compile("企业开办")).click()
    kiosk.wait_for_url("**/hall/tickets/**")
    number = kiosk.locator(".ticket-number").inner_text().strip()[-4:]

    desk = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url,
                               locale="zh-CN").new_page()
    log_in(desk, "chuangkou")
    desk.goto("/hall/desk/")
    desk.select_option("#window", label="5号窗口 · 企业开办")
    desk.get_by_role("button", name="登录此窗口").click()
    desk.get_by_role("button", name="叫下一号").click()
    assert desk.locator(".desk-number").inner_text() == number
    desk.get_by_role("button", name="开始办理").click()

    # 一窗受理: a walk-in without an account; the clerk types the person's details from the ID card.
    desk.locator("summary", has_text="在本窗口受理新申请").click()
    desk.select_option("#new-item", value=ITEM)
    desk.fill("#new-name", PERSON["name"])
    desk.fill("#new-id", PERSON["id"])
    desk.fill("#new-mobile", PERSON["mobile"])
    desk.get_by_role("button", name="开始受理", exact=True).click()
    desk.wait_for_url("**/applications/**")

    # The workbench: scan each material asked for (marked present once scanned), then accept.
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make_pdf("扫描件"))
    cards = desk.locator("li.card:has(fieldset.window-mark)")
    required = [i for i in range(cards.count()) if "必需" in cards.nth(i).inner_text()]
    assert required
    for i in required:
        card = desk.locator("li.card:has(fieldset.window-mark)").nth(i)
        card.locator("input[type=file]").set_input_files(str(scan))
        card.locator("button[name=upload]").click()
        desk.wait_for_load_state()
        assert desk.locator("li.card:has(fieldset.window-mark)").nth(i).locator(
            "input[value=present]").is_checked()
    assert serious_violations(desk) == []
    desk.get_by_role("button", name="提交并受理").click()
    desk.wait_for_url("**/cases/**")
    case_number = desk.url.rstrip("/").rsplit("/", 1)[-1]
    assert "已受理" in desk.locator(".wb-head").inner_text()

    # The acceptance notice is printable at once.
    href = desk.get_by_role("link", name=re.compile("受理通知书")).first.get_attribute("href")
    printed = desk.request.get(href)
    assert printed.ok and printed.body().startswith(b"%PDF")
    desk.goto("/hall/desk/")
    desk.get_by_role("button", name="办结").click()

    # The back office decides; the result comes back to the result window.
    log_in(desk, "scjg.officer")
    act(desk, case_number, "advance")
    log_in(desk, "scjg.head")
    act(desk, case_number, "approve")
    confirm(desk)
    act(desk, case_number, "issue_result")

    # 综合窗口出件 the same day: the collector's ID is checked, the case closes.
    log_in(desk, "chuangkou")
    desk.goto(f"/staff/results/?q={case_number}")
    desk.fill("#collector_id_number", PERSON["id"])
    desk.locator("main form:has(input[name=collector_id_number]) button[type=submit]").click()
    desk.wait_for_load_state()
    desk.goto(f"/cases/{case_number}/")
    text = desk.locator("main").inner_text()
    assert "已在综合窗口出件" in text
    assert re.search(r"跑动次数\s*1 / 承诺最多1次", text), text  # handing in and collecting: one trip
