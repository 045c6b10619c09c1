"""The knowledge base's pages and API: a citizen finds an answer on the self-service page and says
it helped; the operator gets suggestions while typing and answers a call with one (the ticket is
closed at first contact and the article's use counted); an operator proposes a ticket's answer
and the owner department approves it on its workbench; bad input comes back with nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from onetrip.hotline.models import Ticket, TicketEvent, TicketState
from onetrip.knowledge import services
from onetrip.knowledge.models import Article, ArticleState, Feedback, Source, Topic

from .conftest import make_item
from .hotline_fixtures import build_centre

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(department: Any) -> Any:
    return build_centre(department)


@pytest.fixture
def item(catalog_admin: Any, department: Any) -> Any:
    return make_item(catalog_admin, department, "430703-SCJGJ-001")


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _article(item: Any, topic: str) -> Article:
    return Article.objects.get(from_item=item.item, topic=topic)


def test_a_citizen_finds_the_answer_and_says_it_helped(item):
    client = Client()
    page = client.get("/knowledge/", {"q": "个体工商户设立登记要带什么材料"}).content.decode()
    materials = _article(item, Topic.MATERIALS)
    first = page.index(f'href="/knowledge/{materials.pk}/"')
    assert all(first < page.index(f'href="/knowledge/{_article(item, t).pk}/"')
               for t in (Topic.TIME, Topic.FEES) if f'href="/knowledge/{_article(item, t).pk}/"' in page)
    answer = client.get(f"/knowledge/{materials.pk}/").content.decode()
    assert "个体工商户登记（备案）申请书" in answer and 'name="helped"' in answer
    assert "/items/430703-SCJGJ-001/" in answer  # the guide it comes from
    r = client.post(f"/knowledge/{materials.pk}/feedback/", {"helped": "yes"})
    assert r.status_code == 302 and r["Location"].endswith("?thanks=1#helped")
    assert 'name="helped"' not in client.get(r["Location"]).content.decode()
    materials.refresh_from_db()
    assert materials.helped == 1 and Feedback.objects.get().where == Feedback.Where.WEB


def test_a_feedback_without_yes_or_no_writes_nothing(item):
    a = _article(item, Topic.FEES)
    r = Client().post(f"/knowledge/{a.pk}/feedback/", {"helped": "maybe"})
    assert r.status_code == 302 and not Feedback.objects.exists()


def test_an_answer_not_in_use_is_not_found(c):
    a = services.create_article(actor=c.operator, question="去年的补贴？", answer="已结束",
                                valid_to=dt.date.today() - dt.timedelta(days=1))
    assert Client().get(f"/knowledge/{a.pk}/").status_code == 404
    assert Client().post(f"/knowledge/{a.pk}/feedback/", {"helped": "yes"}).status_code == 404


def test_the_operator_answers_a_call_with_a_suggested_article(c, item):
    op = logged_in(c.operator)
    desk = op.get("/hotline/").content.decode()
    assert 'id="suggestions"' in desk and "knowledge/suggest.js" in desk
    fragment = op.get("/staff/knowledge/suggest/", {"q": "个体工商户设立登记多久能办好"}).content.decode()
    time = _article(item, Topic.TIME)
    assert f'data-article="{time.pk}"' in fragment.split("</li>")[0]
    r = op.post("/hotline/", {"kind": "consultation", "channel": "phone", "caller_name": "王五",
                              "caller_mobile": "13907365555", "text": "个体户登记要几天", "answer": time.answer,
                              "article": str(time.pk)})
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert t.state == TicketState.CLOSED and t.answer == time.answer
    assert TicketEvent.objects.get(ticket=t, action="answer_at_once").data == {"article": time.pk}
    time.refresh_from_db()
    assert time.used_on_calls == 1
    assert "/knowledge/" in op.get(f"/hotline/t/{t.number}/").content.decode()


def test_an_answer_from_an_article_no_longer_in_use_is_refused_with_nothing_written(c, item):
    a = services.create_article(actor=c.operator, question="问？", answer="答。")
    services.retire(actor=c.operator, article=a, reason="过时")
    r = logged_in(c.operator).post("/hotline/", {"kind": "consultation", "channel": "phone", "text": "问",
                                                 "caller_mobile": "13907365555", "answer": "答。",
                                                 "article": str(a.pk)})
    assert r.status_code == 400 and 'href="#n-answer"' in r.content.decode()
    assert not Ticket.objects.exists()


def test_only_the_centre_gets_suggestions(c, citizen, item):
    assert logged_in(c.officer).get("/staff/knowledge/suggest/", {"q": "个体"}).status_code == 403
    assert logged_in(citizen).get("/staff/knowledge/suggest/", {"q": "个体"}).status_code == 403


def test_a_ticket_answer_is_proposed_and_approved_by_its_department(c):
    from .hotline_fixtures import complaint

    t = complaint(c)
    from onetrip.hotline import services as hotline

    t = hotline.dispatch(actor=c.operator, ticket=t, department=c.department)
    t = hotline.transition(ticket=t, action="acknowledge", actor=c.officer, data={})
    t = hotline.transition(ticket=t, action="reply", actor=c.officer, data={"answer": "已联系城管中队，每晚巡查。"})
    op = logged_in(c.operator)
    assert f"/staff/knowledge/new/?ticket={t.number}" in op.get(f"/hotline/t/{t.number}/").content.decode()
    form = op.get(f"/staff/knowledge/new/?ticket={t.number}").content.decode()
    assert "已联系城管中队" in form
    r = op.post("/staff/knowledge/new/", {"ticket": t.number, "question": "夜间烧烤油烟扰民向谁反映？",
                                          "answer": "拨打12345，由所在地城管中队巡查处理。", "owner": c.department.pk})
    assert r.status_code == 302
    a = Article.objects.get(source=Source.TICKET)
    assert a.state == ArticleState.PROPOSED and a.from_ticket == t.number
    officer = logged_in(c.officer)
    bench = officer.get("/staff/knowledge/").content.decode()
    assert "夜间烧烤油烟扰民向谁反映？" in bench
    assert logged_in(c.other_officer).get(f"/staff/knowledge/{a.pk}/").status_code == 404
    r = officer.post(f"/staff/knowledge/{a.pk}/", {"do": "reject", "note": ""})
    assert r.status_code == 400 and Article.objects.get(pk=a.pk).state == ArticleState.PROPOSED
    assert officer.post(f"/staff/knowledge/{a.pk}/", {"do": "approve"}).status_code == 302
    assert Article.objects.get(pk=a.pk).state == ArticleState.PUBLISHED
    assert f"/knowledge/{a.pk}/" in Client().get("/knowledge/", {"q": "烧烤油烟"}).content.decode()


def test_the_workbench_form_refuses_bad_input_with_nothing_written(c, item):
    op = logged_in(c.operator)
    r = op.post("/staff/knowledge/new/", {"question": "", "answer": "答", "item_codes": "NO-SUCH-CODE",
                                          "valid_from": "2026-13-01"})
    body = r.content.decode()
    assert r.status_code == 400 and 'href="#k-question"' in body and 'href="#k-item_codes"' in body
    assert 'href="#k-valid_from"' in body
    assert not Article.objects.filter(source=Source.WRITTEN).exists()
    r = op.post("/staff/knowledge/new/", {"question": "营业执照遗失怎么补办？", "answer": "登报后到窗口申请补领。",
                                          "item_codes": "430703-SCJGJ-001", "owner": c.department.pk})
    a = Article.objects.get(source=Source.WRITTEN)
    assert r.status_code == 302 and list(a.items.all()) == [item.item]
    generated = _article(item, Topic.WHERE)
    r = op.post(f"/staff/knowledge/{generated.pk}/", {"do": "save", "question": "改", "answer": "改"})
    assert r.status_code == 400 and Article.objects.get(pk=generated.pk).question == generated.question


def test_the_api_search_one_answer_and_feedback(item, c, client):
    r = client.get("/api/v1/knowledge/articles", {"q": "个体工商户设立登记收费吗"})
    assert r.status_code == 200
    body = r.json()
    assert body[0]["id"] == _article(item, Topic.FEES).pk and body[0]["topic"] == "fees"
    one = client.get(f"/api/v1/knowledge/articles/{body[0]['id']}").json()
    assert one["items"] == [{"code": "430703-SCJGJ-001", "name": "个体工商户设立登记"}]
    r = client.post(f"/api/v1/knowledge/articles/{one['id']}/feedback", {"helped": False},
                    content_type="application/json")
    assert r.status_code == 201 and r.json() == {"helped": 0, "not_helped": 1}
    r = client.post(f"/api/v1/knowledge/articles/{one['id']}/feedback", {"helped": "no"},
                    content_type="application/json")
    assert r.status_code in (400, 422) and Feedback.objects.count() == 1
    assert client.get("/api/v1/knowledge/articles/999999").status_code == 404
    assert client.get("/api/v1/knowledge/suggestions", {"q": "个体"}).status_code == 401
    op = logged_in(c.operator)
    assert op.get("/api/v1/knowledge/suggestions", {"q": "个体工商户设立登记收费吗"}).json()[0]["topic"] == "fees"
