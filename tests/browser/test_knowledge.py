"""The knowledge base in a browser, each page checked with axe-core (no serious or critical
violations): the operator types a caller's question at the desk (1280 px), the suggestions appear
as they type, "answer with this" fills the answer and the call is closed at first contact; a
citizen on a phone (360 px, no sideways scroll) searches the self-service page, opens an answer
and says it helped; the market regulator approves a proposed answer on its workbench.
Screenshots go to var/screenshots/knowledge-*.png for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import log_in, serious_violations

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"knowledge-{name}.png"), full_page=True)


def test_the_operator_answers_a_call_from_a_suggested_article(browser, live_server, demo):
    from onetrip.hotline.models import Ticket, TicketEvent
    from onetrip.knowledge.models import Article

    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, "rexian")
    page.goto("/hotline/")
    page.locator("#n-kind").select_option("consultation")
    page.fill("#n-caller_mobile", "13907361888")
    page.locator("#n-text").press_sequentially("结婚登记要带什么", delay=30)  # as an operator types
    first = page.locator("#suggestions li").first
    first.wait_for()
    assert "结婚登记" in first.inner_text() and "材料" in first.inner_text()
    assert serious_violations(page) == []
    shot(page, "desk-suggestions-1280")
    first.locator("button.use-article").click()
    article = Article.objects.get(pk=int(first.get_attribute("data-article")))
    assert page.input_value("#n-answer") == article.answer
    assert page.locator("#n-article-used").is_visible()
    page.locator("form:has(#n-kind) button[type=submit]").click()
    page.wait_for_url("**/hotline/t/**")
    t = Ticket.objects.get(caller_mobile="13907361888")
    assert t.state == "closed" and t.answer == article.answer
    assert TicketEvent.objects.get(ticket=t, action="answer_at_once").data == {"article": article.pk}
    assert page.locator("main a[href^='/knowledge/']").count() >= 1  # the history names the article
    assert errors == []
    context.close()


def test_a_citizen_finds_an_answer_on_a_phone(phone):
    from onetrip.knowledge.models import Article

    page = phone
    page.goto("/knowledge/")
    assert serious_violations(page) == []
    shot(page, "public-360")
    page.fill("#kq", "个体户营业执照要带什么")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/knowledge/?q=*")
    results = page.locator("ol.results li")
    assert results.count() >= 1 and "个体工商户" in results.first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert serious_violations(page) == []
    shot(page, "results-360")
    results.first.locator("a").click()
    page.wait_for_selector("#helped")
    pk = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert serious_violations(page) == []
    shot(page, "article-360")
    page.locator("#helped button[value=yes]").click()
    page.wait_for_url("**thanks=1*")
    assert page.locator("#helped [role=status]").count() == 1
    assert Article.objects.get(pk=pk).helped == 1


def test_the_regulator_approves_a_proposed_answer(browser, live_server, demo):
    from onetrip.knowledge.models import Article

    proposal = Article.objects.get(source="ticket", state="proposed")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    log_in(page, "scjg.officer")
    page.goto("/staff/knowledge/")
    assert proposal.question in page.locator("main").inner_text()
    assert serious_violations(page) == []
    shot(page, "workbench-officer-1280")
    page.locator(f"main a[href='/staff/knowledge/{proposal.pk}/']").click()
    page.wait_for_selector("button[value=approve]")
    assert serious_violations(page) == []
    shot(page, "approve-1280")
    page.locator("button[value=approve]").click()
    page.wait_for_selector(".messages")
    assert Article.objects.get(pk=proposal.pk).state == "published"
    context.close()
