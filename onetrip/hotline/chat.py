"""聊天渠道 (chat channels): how WeChat-, QQ- or web-chat-style channels reach the 12345 line.

A channel plugs in as an adapter (``register_adapter``): it checks that an inbound HTTP request
really comes from the channel, turns it into an ``Inbound`` message, and turns the line's
``Reply`` into the HTTP answer the channel expects. What the line says does not depend on the
channel (``handle``):

- a question is answered at once from the knowledge base when an article fits (the best one,
  by the same search as the operator's suggestions); the person replies 1 if it solved it (the
  article's "it helped" is counted) or 0 to reach a person;
- 0 (or 人工, 转人工, 登记…) turns the last question into a consultation ticket on the chat
  channel, once the person has given a mobile number for the answer (asked for when the
  channel does not supply one);
- each person is limited to ``HOTLINE_CHAT_MESSAGES_PER_HOUR`` messages an hour, and a
  conversation left for ``HOTLINE_CHAT_SESSION_MINUTES`` starts afresh.

One adapter ships: ``local`` (``LocalAdapter``), a JSON webhook signed with HMAC-SHA256 and the
secret ``HOTLINE_CHAT_SECRET`` (off while the secret is empty), for a district's own web chat or
a gateway in front of a messaging platform; ``manage.py hotline_chat`` talks to the line from a
terminal."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onetrip.core import identity
from onetrip.hotline.models import Channel, ChatSession, Kind


@dataclass(frozen=True)
class Inbound:
    channel: str
    sender: str  # the channel's opaque id for the person (never shown, stored only hashed)
    text: str
    mobile: str = ""  # when the channel knows it (a verified mini-program user)


@dataclass(frozen=True)
class Reply:
    text: str
    article: int | None = None
    ticket: str = ""


class Throttled(Exception):
    """Too many messages from one person this hour."""


class ChatAdapter(Protocol):
    name: str

    def verify(self, request: HttpRequest) -> bool: ...

    def parse(self, request: HttpRequest) -> Inbound: ...

    def respond(self, reply: Reply) -> HttpResponse: ...


_ADAPTERS: dict[str, ChatAdapter] = {}


def register_adapter(adapter: ChatAdapter) -> None:
    _ADAPTERS[adapter.name] = adapter


def adapter(name: str) -> ChatAdapter | None:
    return _ADAPTERS.get(name)


# --- the words a person uses --------------------------------------------------------------------

_PERSON = re.compile(r"^(0|０|人工|转人工|人工服务|找人工|登记|立案|我要投诉|投诉)$")
_SOLVED = re.compile(r"^(1|１|解决了|已解决|有帮助|有用|好的谢谢|谢谢)$")
_CANCEL = re.compile(r"^(取消|算了|不用了)$")
_SPACES = re.compile(r"[\s。.!！?？~～]+")


def _words(text: str) -> str:
    return _SPACES.sub("", text or "")


def wants_a_person(text: str) -> bool:
    """转人工: the person asks for a person (0, 人工, 转人工, 登记…)."""
    return bool(_PERSON.match(_words(text)))


def says_solved(text: str) -> bool:
    """The person says the answer solved it (1, 解决了, 有帮助…)."""
    return bool(_SOLVED.match(_words(text)))


def cancels(text: str) -> bool:
    return bool(_CANCEL.match(_words(text)))


# --- the conversation ---------------------------------------------------------------------------

def _hash(channel: str, sender: str) -> str:
    return hashlib.sha256(f"{channel}\x00{sender}".encode()).hexdigest()


def _session(message: Inbound, now: dt.datetime) -> ChatSession:
    session, _created = ChatSession.objects.select_for_update().get_or_create(
        channel=message.channel, sender_hash=_hash(message.channel, message.sender),
        defaults={"updated_at": now})
    if now - session.updated_at > dt.timedelta(minutes=settings.HOTLINE_CHAT_SESSION_MINUTES):
        session.question, session.article_id, session.awaiting_mobile = "", None, False
    return session


def _register(session: ChatSession, mobile: str) -> Reply:
    from onetrip.hotline import services

    reg = services.register_ticket(actor=None, kind=Kind.CONSULTATION, channel=Channel.CHAT,
                                   text=session.question, caller_mobile=mobile)
    session.question, session.article_id, session.awaiting_mobile = "", None, False
    session.last_ticket = reg.ticket.number
    return Reply(text=_("Your question is registered as ticket %(n)s. The department concerned answers you by "
                        "%(d)s; follow it at the 12345 page with the ticket number and your mobile.") % {
        "n": reg.ticket.number, "d": reg.ticket.deadline}, ticket=reg.ticket.number)


def _converse(session: ChatSession, message: Inbound) -> Reply:
    from onetrip.knowledge import selectors as knowledge
    from onetrip.knowledge import services as knowledge_services
    from onetrip.knowledge.models import Feedback

    text = (message.text or "").strip()[:500]
    if session.awaiting_mobile:
        if cancels(text):
            session.awaiting_mobile = False
            return Reply(text=_("Cancelled. Ask another question whenever you like."))
        try:
            mobile = identity.normalize_mobile(text)
        except ValidationError:
            return Reply(text=_("Reply with your 11-digit mobile number for the answer, or 取消 to cancel."))
        return _register(session, mobile)
    if wants_a_person(text):
        if session.article_id:  # the answer given did not solve it
            article = knowledge.current_article(session.article_id)
            if article is not None:
                knowledge_services.record_feedback(article=article, helped=False, where=Feedback.Where.CHAT)
            session.article_id = None
        if not session.question:
            return Reply(text=_("Tell us first what you want to do or what happened, in a sentence."))
        if message.mobile:
            return _register(session, message.mobile)
        session.awaiting_mobile = True
        return Reply(text=_("We will register your question for the department concerned. Reply with your "
                            "mobile number for the answer."))
    if says_solved(text) and session.article_id:
        article = knowledge.current_article(session.article_id)
        if article is not None:
            knowledge_services.record_feedback(article=article, helped=True, where=Feedback.Where.CHAT)
        session.question, session.article_id = "", None
        return Reply(text=_("Glad it helped. Ask again whenever you need."))
    if not text:
        return Reply(text=_("Ask your question in a sentence, e.g. 个体户营业执照要带什么."))
    session.question = text
    found = knowledge.suggest(text, limit=1)
    if not found:
        session.article_id = None
        return Reply(text=_("We have no ready answer to this. Reply 0 and we register it for the department "
                            "concerned, which answers you within the time limit."))
    article = found[0].article
    session.article_id = article.pk
    return Reply(text=f"{article.question}\n{article.answer}\n\n" + _("Reply 1 if this solved it, 0 to reach a "
                                                                         "person."), article=article.pk)


def handle(message: Inbound) -> Reply:
    """What the line answers to one message (in the district's language), the conversation's
    state kept in one row locked for the message."""
    from onetrip.core import ratelimit

    if not message.sender or len(message.sender) > 200:
        raise ValidationError(_("A message needs its sender."))
    if not ratelimit.hit(f"hotline-chat:{_hash(message.channel, message.sender)}",
                         limit=settings.HOTLINE_CHAT_MESSAGES_PER_HOUR, window=dt.timedelta(hours=1)):
        raise Throttled
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        now = timezone.now()
        session = _session(message, now)
        reply = _converse(session, message)
        session.updated_at = now
        session.save()
    return reply


# --- the local adapter ----------------------------------------------------------------------------

class LocalAdapter:
    """A JSON webhook: ``{"sender": "...", "text": "...", "mobile": "..."}`` POSTed with the header
    ``X-OneTrip-Signature: sha256=<hex HMAC-SHA256 of the body with HOTLINE_CHAT_SECRET>``;
    answers ``{"reply": "...", "article": id or null, "ticket": "number or empty"}``."""

    name = "local"

    def verify(self, request: HttpRequest) -> bool:
        secret = settings.HOTLINE_CHAT_SECRET
        if not secret:
            return False
        given = request.headers.get("X-OneTrip-Signature", "")
        expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(given, expected)

    def parse(self, request: HttpRequest) -> Inbound:
        try:
            body: Any = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ValidationError(_("The body is not JSON.")) from None
        if not isinstance(body, dict) or not all(isinstance(body.get(k, ""), str) for k in ("sender", "text", "mobile")):
            raise ValidationError(_("Send sender, text and (optionally) mobile as strings."))
        mobile = body.get("mobile", "")
        if mobile:
            mobile = identity.normalize_mobile(mobile)
        return Inbound(channel=self.name, sender=body.get("sender", ""), text=body.get("text", ""), mobile=mobile)

    def respond(self, reply: Reply) -> HttpResponse:
        return JsonResponse({"reply": reply.text, "article": reply.article, "ticket": reply.ticket},
                            json_dumps_params={"ensure_ascii": False})


def sign(body: bytes, secret: str | None = None) -> str:
    """The signature header value a sender puts on ``body`` (for gateways and tests)."""
    key = (secret if secret is not None else settings.HOTLINE_CHAT_SECRET).encode()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


register_adapter(LocalAdapter())
