"""The rules of the 12345 hotline, one named function each.

Sources: the closed loop of every request (受理、派单、办理、答复、督办、办结、回访、评价) and the
merging of repeated requests (重复诉求并单处理) with a return and re-dispatch procedure (退单、改派)
are national practice (国务院办公厅《关于进一步优化地方政务服务便民热线的指导意见》,
国办发〔2020〕53号, and the State Council's later guidance on 12345 handling). The national texts
leave the time limits to local rules; the figures here are settings whose defaults are the
district's choice, after the Guangdong rules (咨询 2, 求助/建议 10, 投诉/举报 15 working days),
with 咨询 shortened to 1 (answered at once where the knowledge base can). See docs/hotline.md.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from django.conf import settings

from onetrip.accounts.permissions import Capability, can
from onetrip.hotline.models import OPEN_STATES, Kind, TicketState

if TYPE_CHECKING:
    from onetrip.hotline.models import Ticket

LIMIT_SETTINGS = {
    Kind.CONSULTATION: "HOTLINE_LIMIT_CONSULTATION",
    Kind.HELP: "HOTLINE_LIMIT_HELP",
    Kind.COMPLAINT: "HOTLINE_LIMIT_COMPLAINT",
    Kind.REPORT: "HOTLINE_LIMIT_REPORT",
    Kind.SUGGESTION: "HOTLINE_LIMIT_SUGGESTION",
}
LIMIT_DEFAULTS = {Kind.CONSULTATION: 1, Kind.HELP: 10, Kind.COMPLAINT: 15, Kind.REPORT: 15, Kind.SUGGESTION: 10}
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
QUERY_CODE_LENGTH = 12  # 60 random bits


# --- time limits -------------------------------------------------------------------------------


def limit_workdays(kind: str) -> int:
    """办理时限: the working days a ticket of this type has, counted after the day it was received
    (the start day does not count; weekends and public holidays off, make-up days on). Settings
    ``HOTLINE_LIMIT_<TYPE>``; defaults 咨询 1, 求助 10, 投诉 15, 举报 15, 建议 10."""
    key = Kind(kind)
    return int(getattr(settings, LIMIT_SETTINGS[key], LIMIT_DEFAULTS[key]))


def acknowledge_by(dispatched_at: dt.datetime) -> dt.datetime:
    """签收时限: a department acknowledges a dispatched ticket within ``HOTLINE_ACK_HOURS`` hours
    (default 2) of the dispatch, in clock hours."""
    return dispatched_at + dt.timedelta(hours=int(getattr(settings, "HOTLINE_ACK_HOURS", 2)))


def acknowledged_late(acknowledge_by: dt.datetime | None, at: dt.datetime) -> bool:
    """An acknowledgement after the time to acknowledge is late (kept on the history)."""
    return acknowledge_by is not None and at > acknowledge_by


def extension_allowed(days: int) -> bool:
    """延期: a department asks for 1 to ``HOTLINE_EXTENSION_MAX_WORKDAYS`` (default 10) more working
    days at a time, with reasons; the centre approves or refuses. An approved extension adds them
    to the limit, so the deadline moves by that many working days."""
    return 1 <= days <= int(getattr(settings, "HOTLINE_EXTENSION_MAX_WORKDAYS", 10))


def reopens(answer: str) -> bool:
    """回访不满意则重办: a citizen not satisfied at the return visit sends the ticket back to the
    department, with the clock started again (the full limit from the day of the visit)."""
    return answer == "not_satisfied"


def may_answer_at_once(kind: str) -> bool:
    """即时办结: any request the operator can answer on the call (from the knowledge base) is
    closed at first contact, whatever its type; the rest is dispatched."""
    return kind in Kind.values


def may_be_anonymous(kind: str) -> bool:
    """匿名举报: only a report of wrongdoing may be made without a name; the reporter follows it with
    a query code."""
    return kind == Kind.REPORT


def new_query_code() -> str:
    """查询码: 12 characters from an alphabet without look-alikes (60 random bits), shown once."""
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


# --- who may do what --------------------------------------------------------------------------


def is_operator(user: Any) -> bool:
    """The centre's operators (话务员) register, dispatch, decide extensions, merge and make the
    return visits."""
    return can(user, Capability.WORK_HOTLINE)


def works_ticket(user: Any, ticket: Ticket) -> bool:
    """The department's officers and head work the tickets dispatched to their department."""
    return bool(can(user, Capability.HANDLE_HOTLINE) and ticket.department_id is not None
                and user.department_id == ticket.department_id)


def can_handle_tickets(user: Any) -> bool:
    """Department officers and heads handle hotline tickets (their own department's only)."""
    return can(user, Capability.HANDLE_HOTLINE)


def reads_all(user: Any) -> bool:
    """The supervisor (and system admin) reads every ticket, without changing any."""
    return can(user, Capability.SUPERVISE)


def may_view(user: Any, ticket: Ticket) -> bool:
    """Operators and supervisors see every ticket; a department only those dispatched to it."""
    return is_operator(user) or reads_all(user) or works_ticket(user, ticket)


def caller_visibility(user: Any, ticket: Ticket) -> str:
    """What a viewer sees of the caller: ``full`` for operators (they call back); ``hidden`` of an
    anonymous reporter for everyone else (the department concerned never learns who reported);
    ``masked`` (surname and the mobile's first three and last four digits) for departments and
    supervisors otherwise: they reply through the centre and do not need the number."""
    if is_operator(user):
        return "full"
    if ticket.anonymous:
        return "hidden"
    return "masked"


def sees_linked_case(user: Any, ticket: Ticket) -> bool:
    """The case a ticket is about is shown (with a link) to those who may open the case: the
    supervisor, and the staff of the case's own department; operators and other departments see
    that a case is linked, not its number (they handle no case files)."""
    case = ticket.case
    return reads_all(user) or bool(can_handle_tickets(user) and case is not None
                                   and case.department_id == user.department_id)


# --- duplicates ---------------------------------------------------------------------------------


def bigrams(text: str) -> set[str]:
    """The character bigrams of a text, spaces and punctuation dropped (Chinese has no word gaps)."""
    chars = [c for c in text if c.isalnum()]
    if len(chars) < 2:
        return set(chars)
    return {chars[i] + chars[i + 1] for i in range(len(chars) - 1)}


def similarity(a: str, b: str) -> float:
    """How alike two requests read, 0..1: the larger of the character-bigram Jaccard index
    (word order free) and difflib's ratio (order kept). Both are cheap and need no dictionary."""
    x, y = bigrams(a), bigrams(b)
    jaccard = len(x & y) / len(x | y) if x | y else 0.0
    return max(jaccard, SequenceMatcher(None, a, b).ratio())


def is_duplicate(ticket: Ticket, other: Ticket) -> bool:
    """重复诉求: the same caller (same mobile, or the same account), within
    ``HOTLINE_DUPLICATE_DAYS`` days (default 30), a text at least ``HOTLINE_DUPLICATE_SIMILARITY``
    percent alike (default 50, see ``similarity``), and a place that does not differ (either left
    blank, or both the same)."""
    if other.pk == ticket.pk or other.state == TicketState.MERGED:
        return False
    same_caller = bool(ticket.caller_mobile and ticket.caller_mobile == other.caller_mobile) or bool(
        ticket.caller_id and ticket.caller_id == other.caller_id)
    if not same_caller:
        return False
    days = int(getattr(settings, "HOTLINE_DUPLICATE_DAYS", 30))
    if abs(ticket.created_at - other.created_at) > dt.timedelta(days=days):
        return False
    if ticket.location and other.location and ticket.location.strip() != other.location.strip():
        return False
    return similarity(ticket.text, other.text) * 100 >= int(getattr(settings, "HOTLINE_DUPLICATE_SIMILARITY", 50))


def likely_duplicates(ticket: Ticket, candidates: Iterable[Ticket]) -> list[Ticket]:
    """The tickets among ``candidates`` that repeat ``ticket`` (``is_duplicate``), most alike first:
    suggested to the operator for merging (并单), never merged without them."""
    found = [c for c in candidates if is_duplicate(ticket, c)]
    return sorted(found, key=lambda c: (-similarity(ticket.text, c.text), c.created_at))


def may_merge_into(ticket: Ticket, main: Ticket) -> bool:
    """A ticket merges into another open ticket that is not itself merged, never into itself;
    a ticket others are merged into stays the main one."""
    return (main.pk != ticket.pk and main.state in OPEN_STATES and main.main_id is None
            and ticket.state in OPEN_STATES and not ticket.merged.exists())


def open311_status(ticket: Ticket) -> str:
    """Open311 GeoReport's two states: ``closed`` once the ticket is closed (or merged into another,
    which answers for it), ``open`` before."""
    return "closed" if ticket.state in (TicketState.CLOSED, TicketState.MERGED) else "open"


def published_on_open311(ticket: Ticket) -> bool:
    """What an Open311 list without an api_key may show at all (政务公开): never a report of
    wrongdoing (举报) or an anonymous request; of the others only the kind, the state, the
    department and the dates — never the caller, the words or the place."""
    return ticket.kind != Kind.REPORT and not ticket.anonymous
