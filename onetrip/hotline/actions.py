"""Every action on a hotline ticket, defined once: the states it starts from, where it leads, who
may do it, its button, the sentence the history shows, whether the caller sees it and the SMS they
get, and the effect that performs it. The one mover (``services.transition``) looks actions up here;
pages render from here; Open311 and the knowledge base (later) call the same mover.

The flow (国办发〔2020〕53号's closed loop)::

    registered ──answer_at_once──▶ closed                       (即时办结: answered on the call)
    registered/returned ──dispatch──▶ dispatched                 (派单)
    dispatched ──acknowledge──▶ in_progress                      (签收)
    dispatched/in_progress ──return_ticket──▶ returned           (退单, with reasons)
    in_progress ──request_extension / approve / refuse──▶ in_progress   (延期)
    in_progress ──reply──▶ replied ──finish──▶ finished           (答复, 办结)
    finished ──return_visit──▶ closed, or in_progress when not satisfied (回访, 重办)
    any open state ──merge──▶ merged                             (并单)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onetrip.hotline.models import TicketState as S

if TYPE_CHECKING:
    from onetrip.accounts.models import User
    from onetrip.hotline.models import Ticket

OPERATOR = "operator"  # the centre (话务员)
DEPARTMENT = "department"  # officers and head of the department the ticket is dispatched to
SYSTEM = "system"  # the background worker

# effect(ticket, actor, data, now, event) -> the target state when the effect decides it
Effect = Callable[["Ticket", "User | None", dict[str, Any], dt.datetime, dict[str, Any]], "str | None"]


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str | None
    actors: frozenset[str]
    label: Promise | str  # the button
    event: Promise | str  # the history's sentence, in the past
    public: bool = True  # the caller sees it when following the ticket
    sms: Promise | str | None = None  # the caller's SMS: %(number)s, %(department)s, %(deadline)s, %(answer)s
    effect: Effect | None = None
    available: Callable[[Ticket], bool] | None = None  # beyond state and actor: ready for it now
    confirm: Promise | str | None = None


REGISTRY: dict[str, Action] = {}


def register(action: Action) -> Action:
    if action.name in REGISTRY:
        raise ValueError(f"hotline action {action.name!r} is registered twice")
    REGISTRY[action.name] = action
    return action


def get(name: str) -> Action | None:
    return REGISTRY.get(name)


def allowed_in(state: str) -> list[str]:
    return [name for name, a in REGISTRY.items() if state in a.sources]


# Events that are not actions (recorded by services and the worker).
EVENTS: dict[str, Promise] = {
    "register": _("Request registered"),
    "overdue": _("Past its time limit: recorded for e-supervision"),
    "answered_with_main": _("Answered together with the ticket it was merged into"),
}


def event_label(action: str) -> str:
    a = REGISTRY.get(action)
    return str(a.event) if a is not None else str(EVENTS.get(action, _("Other event")))


def _connect() -> None:
    from onetrip.hotline import effects as e

    open_ = frozenset({S.REGISTERED, S.DISPATCHED, S.RETURNED, S.IN_PROGRESS})
    register(Action("dispatch", frozenset({S.REGISTERED, S.RETURNED}), S.DISPATCHED, frozenset({OPERATOR}),
                    _("Dispatch to a department"), _("Dispatched to a department"), effect=e.dispatch,
                    sms=_("12345: your request %(number)s has been passed to %(department)s, to be answered by "
                          "%(deadline)s.")))
    register(Action("answer_at_once", frozenset({S.REGISTERED}), S.CLOSED, frozenset({OPERATOR}),
                    _("Answer now and close"), _("Answered on the call and closed"), effect=e.answer_at_once,
                    sms=_("12345: your request %(number)s was answered: %(answer)s")))
    register(Action("acknowledge", frozenset({S.DISPATCHED}), S.IN_PROGRESS, frozenset({DEPARTMENT}),
                    _("Acknowledge"), _("Acknowledged by the department"), effect=e.acknowledge))
    register(Action("return_ticket", frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.RETURNED,
                    frozenset({DEPARTMENT}), _("Return to the centre"),
                    _("Returned to the centre by the department"), effect=e.return_ticket,
                    confirm=_("Return this ticket to the hotline centre? It will be dispatched again.")))
    register(Action("request_extension", frozenset({S.IN_PROGRESS}), None, frozenset({DEPARTMENT}),
                    _("Ask for more time"), _("More time asked for"), effect=e.request_extension, public=False,
                    available=lambda t: t.extension_requested == 0))
    register(Action("approve_extension", frozenset({S.IN_PROGRESS}), None, frozenset({OPERATOR}),
                    _("Approve the extension"), _("Extension approved"), effect=e.approve_extension,
                    available=lambda t: t.extension_requested > 0,
                    sms=_("12345: more time was granted to answer your request %(number)s; it will be answered "
                          "by %(deadline)s.")))
    register(Action("refuse_extension", frozenset({S.IN_PROGRESS}), None, frozenset({OPERATOR}),
                    _("Refuse the extension"), _("Extension refused"), effect=e.refuse_extension, public=False,
                    available=lambda t: t.extension_requested > 0))
    register(Action("reply", frozenset({S.IN_PROGRESS}), S.REPLIED, frozenset({DEPARTMENT}),
                    _("Reply to the citizen"), _("Replied to the citizen"), effect=e.reply,
                    sms=_("12345: the answer to your request %(number)s: %(answer)s")))
    register(Action("finish", frozenset({S.REPLIED}), S.FINISHED, frozenset({DEPARTMENT}),
                    _("Mark as finished"), _("Finished by the department"), effect=e.finish))
    register(Action("return_visit", frozenset({S.FINISHED}), None, frozenset({OPERATOR}),
                    _("Record the return visit"), _("Return visit made"), effect=e.return_visit,
                    sms=_("12345: your request %(number)s is being handled again; it will be answered by "
                          "%(deadline)s.")))
    register(Action("merge", open_, S.MERGED, frozenset({OPERATOR}), _("Merge into another ticket"),
                    _("Merged into another ticket"), effect=e.merge,
                    confirm=_("Merge this ticket into the other one? It will be answered together with it.")))


_connect()
