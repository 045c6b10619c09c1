"""Pages of the 12345 hotline: the operator desk (a new call, the open tickets with their lights),
one ticket's page (the request, the caller as the viewer may see them, the clock, the history and
one small form per action the viewer may take), and the department's own tickets. Every change
is a POST to the one mover; a refusal comes back as an error summary and nothing is written."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from onetrip.accounts.models import Department, User
from onetrip.accounts.permissions import Capability, require
from onetrip.cases.models import Case
from onetrip.catalog.models import ServiceItem
from onetrip.core.ratelimit import client_address
from onetrip.hotline import actions, chat, plug, rules, selectors, services
from onetrip.hotline.models import Channel, Kind, ReturnReason, Ticket, VisitAnswer
from onetrip.knowledge import rules as knowledge_rules
from onetrip.knowledge import selectors as knowledge_selectors

NEW_FIELDS = ("kind", "channel", "caller_name", "caller_mobile", "anonymous", "text", "category", "location",
              "case", "item", "answer", "article")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": list(exc.messages)}


def _desk_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    return {"rows": list(selectors.desk(user)[:300]), "kinds": Kind.choices, "channels": Channel.choices,
            "may_register": rules.is_operator(user), "form": {}, "errors": {}, **extra}


@require_http_methods(["GET", "POST"])
@require(Capability.WORK_HOTLINE, Capability.SUPERVISE)
def desk(request: HttpRequest) -> HttpResponseBase:
    """12345 接听台: register a call (answered at once, or kept for dispatch) and the open tickets,
    soonest deadline first, with their lights."""
    if request.method == "GET":
        return render(request, "hotline/desk.html", _desk_context(request))
    user = _user(request)
    form = {k: request.POST.get(k, "").strip() for k in NEW_FIELDS}
    errors: dict[str, list[str]] = {}
    case = item = None
    if form["case"]:
        case = Case.objects.filter(number=form["case"]).first()
        if case is None:
            errors["case"] = [_("No case has this number.")]
    if form["item"]:
        item = ServiceItem.objects.filter(code=form["item"]).first()
        if item is None:
            errors["item"] = [_("No service item has this code.")]
    article = None
    if form["article"] and form["answer"]:
        article = knowledge_selectors.current_article(form["article"])
        if article is None:
            errors["answer"] = [_("The suggested article is no longer in use; answer in your own words.")]
    if not errors:
        try:
            reg = services.register_ticket(
                actor=user, kind=form["kind"], channel=form["channel"] or Channel.PHONE, text=form["text"],
                caller_name=form["caller_name"], caller_mobile=form["caller_mobile"],
                anonymous=form["anonymous"] == "on", category=form["category"], location=form["location"],
                case=case, item=item, answer=form["answer"], article=article)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            if reg.query_code:
                messages.warning(request, _("Read the query code to the reporter now; it is shown only once: %(c)s")
                                 % {"c": " ".join(reg.query_code[i:i + 4] for i in range(0, 12, 4))})
            messages.success(request, _("Ticket %(n)s registered.") % {"n": reg.ticket.number})
            return redirect("hotline:ticket", reg.ticket.number)
    return render(request, "hotline/desk.html", _desk_context(request, form=form, errors=errors), status=400)


def _ticket_for(request: HttpRequest, number: str) -> Ticket:
    t = Ticket.objects.select_related("department", "case", "item", "main").filter(number=number).first()
    if t is None or not rules.may_view(request.user, t):
        raise Http404(_("No such ticket."))
    return t


def _ticket_context(request: HttpRequest, t: Ticket, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    mine = services.actions_for(t, user)
    return {
        "t": t, "caller": selectors.caller_for(user, t), "history": selectors.history(t),
        "reading": t.clock_reading(today=timezone.localdate(), stopped_on=t.replied_at.date()
                                   if t.replied_at else None),
        "actions": [actions.REGISTRY[a] for a in mine],
        "departments": Department.objects.order_by("code") if "dispatch" in mine else [],
        "duplicates": selectors.duplicates_of(t) if "merge" in mine else [],
        "show_case": rules.sees_linked_case(user, t),
        "may_propose": bool(t.answer) and knowledge_rules.may_edit(user),
        "return_reasons": ReturnReason.choices, "visit_answers": VisitAnswer.choices,
        "max_days": settings.HOTLINE_EXTENSION_MAX_WORKDAYS, "supervision": plug.supervision_panel(t, user),
        "errors": {}, "failed": "", **extra}


@require_http_methods(["GET", "POST"])
@require(Capability.WORK_HOTLINE, Capability.HANDLE_HOTLINE, Capability.SUPERVISE)
def ticket(request: HttpRequest, number: str) -> HttpResponseBase:
    """One ticket: the request, the caller (as this viewer may see them), the clock, the history
    and one form per action this viewer may take now (a POST names it in ``do``)."""
    t = _ticket_for(request, number)
    if request.method == "GET":
        return render(request, "hotline/ticket.html", _ticket_context(request, t))
    action = request.POST.get("do", "")
    a = actions.get(action)
    data: dict[str, Any] = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "do")}
    try:
        if a is None:
            raise ValidationError(_("Choose one of the actions on the page."))
        services.transition(ticket=t, action=action, actor=_user(request), data=data)
    except ValidationError as exc:
        t.refresh_from_db()
        return render(request, "hotline/ticket.html",
                      _ticket_context(request, t, errors=_errors(exc), failed=action or "x"), status=400)
    messages.success(request, _("Done: %(e)s.") % {"e": a.event})
    return redirect("hotline:ticket", t.number)


@require(Capability.HANDLE_HOTLINE)
def department(request: HttpRequest) -> HttpResponse:
    """The department's hotline tickets: to acknowledge (by the time shown), to handle, to finish."""
    return render(request, "hotline/department.html",
                  {"rows": list(selectors.department_inbox(_user(request))[:300]), "now": timezone.now()})


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """网上诉求 (no log-in needed): send a consultation, a request for help, a complaint, a report
    (which may be anonymous) or a suggestion to the 12345 line. The answer page shows the ticket's
    number, when it will be answered and, for an anonymous report, its query code (once)."""
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    form = {k: request.POST.get(k, "").strip() for k in ("kind", "text", "caller_name", "caller_mobile",
                                                         "location", "anonymous")}
    context: dict[str, Any] = {"kinds": Kind.choices, "form": form, "errors": {}, "error": "", "signed_in": user}
    if request.method == "GET":
        return render(request, "hotline/new.html", context)
    try:
        reg = services.submit_online(client=client_address(request), user=user, kind=form["kind"],
                                     text=form["text"], caller_name=form["caller_name"],
                                     caller_mobile=form["caller_mobile"], location=form["location"],
                                     anonymous=form["anonymous"] == "on")
    except services.Throttled:
        context["error"] = _("Too many requests from this address; try again in an hour, or call 12345.")
        return render(request, "hotline/new.html", context, status=429)
    except ValidationError as exc:
        context["errors"] = _errors(exc)
        return render(request, "hotline/new.html", context, status=400)
    code = reg.query_code
    return render(request, "hotline/new_done.html", {
        "t": reg.ticket, "code": " ".join(code[i:i + 4] for i in range(0, len(code), 4)) if code else ""}, status=201)


def follow(request: HttpRequest) -> HttpResponse:
    """办理进度 (no log-in): a ticket by its number and the caller's mobile, or an anonymous report by
    its query code; sent by POST so that neither lands in the address bar. Shows the state, the
    public history (no staff names) and the answer; never who called."""
    context: dict[str, Any] = {"number": "", "error": ""}
    status = 200
    if request.method == "POST":
        number, mobile = request.POST.get("number", "").strip()[:32], request.POST.get("mobile", "").strip()[:20]
        code = request.POST.get("code", "").strip()[:20]
        context["number"] = number
        if not code and not (number and mobile):
            context["error"], status = _("Enter the ticket number and your mobile, or the query code."), 400
        else:
            try:
                t = services.follow(client=client_address(request), number=number, mobile=mobile, code=code)
            except services.Throttled:
                context["error"], status = _("Too many lookups from this address; try again in an hour."), 429
            else:
                if t is None:
                    context["error"], status = _("No ticket with this number and mobile, or this query code."), 404
                else:
                    context.update(t=t, history=selectors.history(t, public_only=True))
    return render(request, "hotline/follow.html", context, status=status)


@csrf_exempt
@require_POST
def chat_webhook(request: HttpRequest, channel: str) -> HttpResponse:
    """A chat channel's inbound messages (``hotline.chat``): the adapter checks the request is the
    channel's own (403 otherwise; 404 for a channel that is not plugged in or not configured),
    reads the message (400 when it cannot) and answers in the channel's format."""
    adapter = chat.adapter(channel)
    if adapter is None:
        raise Http404(_("No such chat channel."))
    if not adapter.verify(request):
        return JsonResponse({"error": _("The message is not signed by the channel.")}, status=403)
    try:
        reply = chat.handle(adapter.parse(request))
    except chat.Throttled:
        return JsonResponse({"error": _("Too many messages; try again in an hour, or call 12345.")}, status=429)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return adapter.respond(reply)
