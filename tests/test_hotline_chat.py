"""Chat channels (docs/hotline.md): a question is answered at once from the knowledge base; 1
says it solved it, 0 reaches a person — the question becomes a consultation ticket once a
mobile is given; the local webhook takes only messages signed with the channel's secret; bad
input is refused with nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from onetrip.hotline import chat
from onetrip.hotline.models import Channel, ChatSession, Kind, Ticket
from onetrip.knowledge.models import Article, Feedback, Topic

from .conftest import make_item

pytestmark = pytest.mark.django_db
SECRET = "chat-test-secret"


@pytest.fixture
def item(catalog_admin: Any, department: Any, settings: Any) -> Any:
    settings.HOTLINE_CHAT_SECRET = SECRET
    return make_item(catalog_admin, department, "430703-SCJGJ-001")


def say(text: str, sender: str = "wx-openid-1", mobile: str = "") -> chat.Reply:
    return chat.handle(chat.Inbound(channel="local", sender=sender, text=text, mobile=mobile))


def post(client: Client, body: Any, *, secret: str = SECRET) -> Any:
    raw = json.dumps(body, ensure_ascii=False).encode() if not isinstance(body, bytes) else body
    return client.post("/hotline/chat/local/", raw, content_type="application/json",
                       headers={"X-OneTrip-Signature": chat.sign(raw, secret)})


def test_a_question_is_answered_from_the_knowledge_base_and_1_counts_it_helped(item):
    materials = Article.objects.get(from_item=item.item, topic=Topic.MATERIALS)
    reply = say("个体工商户设立登记要带什么材料")
    assert reply.article == materials.pk and "个体工商户登记（备案）申请书" in reply.text and not reply.ticket
    reply = say("1")
    materials.refresh_from_db()
    assert materials.helped == 1 and Feedback.objects.get().where == Feedback.Where.CHAT
    assert not Ticket.objects.exists()


def test_0_turns_the_question_into_a_ticket_once_a_mobile_is_given(item):
    say("个体工商户设立登记多久")
    reply = say("转人工")
    assert "mobile" in reply.text.lower() or "手机" in reply.text
    assert not Ticket.objects.exists()
    assert "11" in say("12345").text and not Ticket.objects.exists()
    reply = say("139 0736 0088")
    t = Ticket.objects.get()
    assert reply.ticket == t.number and t.number in reply.text
    assert (t.kind, t.channel, t.text, t.caller_mobile) == (Kind.CONSULTATION, Channel.CHAT, "个体工商户设立登记多久",
                                                            "13907360088")
    time = Article.objects.get(from_item=item.item, topic=Topic.TIME)
    assert time.not_helped == 1  # the answer given did not solve it


def test_a_channel_that_knows_the_mobile_registers_at_once(item):
    say("楼下夜市太吵了怎么办", sender="mini-2", mobile="13907360099")
    reply = say("0", sender="mini-2", mobile="13907360099")
    assert Ticket.objects.get().caller_mobile == "13907360099" and reply.ticket


def test_0_without_a_question_asks_for_one_and_cancel_stops_waiting(item):
    assert not say("0", sender="s3").ticket
    say("想咨询一下低保政策", sender="s3")
    say("0", sender="s3")
    assert ChatSession.objects.get().awaiting_mobile
    say("取消", sender="s3")
    assert not ChatSession.objects.get().awaiting_mobile and not Ticket.objects.exists()


def test_the_person_is_known_only_by_a_hash(item):
    say("个体工商户设立登记", sender="wx-openid-secret")
    assert "wx-openid-secret" not in ChatSession.objects.get().sender_hash


def test_messages_are_limited_per_person(item, settings):
    settings.HOTLINE_CHAT_MESSAGES_PER_HOUR = 2
    say("你好", sender="busy")
    say("你好", sender="busy")
    with pytest.raises(chat.Throttled):
        say("你好", sender="busy")
    say("你好", sender="someone else")


def test_the_webhook_takes_only_signed_messages(item, client):
    r = post(client, {"sender": "gw-1", "text": "个体工商户设立登记收费吗"})
    assert r.status_code == 200
    body = r.json()
    assert body["article"] == Article.objects.get(from_item=item.item, topic=Topic.FEES).pk and body["ticket"] == ""
    assert post(client, {"sender": "gw-1", "text": "0"}, secret="wrong").status_code == 403
    assert client.post("/hotline/chat/local/", b"{}", content_type="application/json").status_code == 403
    assert post(client, {"sender": "gw-1", "text": 5}).status_code == 400
    assert post(client, b"not json").status_code == 400
    assert post(client, {"sender": "", "text": "hi"}).status_code == 400
    assert post(client, {"sender": "gw-1", "text": "0", "mobile": "123"}).status_code == 400
    assert client.post("/hotline/chat/wechat/", b"{}", content_type="application/json").status_code == 404
    assert not Ticket.objects.exists()
    r = post(client, {"sender": "gw-1", "text": "0", "mobile": "13907360077"})
    assert r.status_code == 200 and r.json()["ticket"] == Ticket.objects.get().number


def test_the_channel_is_off_without_a_secret(item, client, settings):
    settings.HOTLINE_CHAT_SECRET = ""
    assert post(client, {"sender": "gw-1", "text": "你好"}, secret="").status_code == 403


def test_the_words(item):
    assert chat.wants_a_person("0") and chat.wants_a_person("转人工。") and not chat.wants_a_person("人工智能")
    assert chat.says_solved("1") and chat.says_solved("解决了！") and not chat.says_solved("10")


def test_the_terminal_command(item, capsys):
    call_command("hotline_chat", "个体工商户设立登记在哪里办", "--sender", "t1")
    assert "个体工商户设立登记" in capsys.readouterr().out
