"""Pages of e-supervision: the supervisor's desk (open cases with their lights, cards and appeals,
orders, violations, the trail check, the calendar's coverage), the department's own cards and
orders, and the forms that change them (each a POST that redirects back with a message)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onetrip.accounts.models import Department, User
from onetrip.accounts.permissions import Capability, require
from onetrip.cases.models import Case
from onetrip.cases.selectors import near_deadline_until
from onetrip.catalog.models import ServiceItem
from onetrip.supervision import selectors, services, subjects
from onetrip.supervision.models import Card, CardStatus, Order, OrderStatus
from onetrip.workcalendar import workdays

TABS = ("cases", "tickets", "cards", "orders", "violations", "trail")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _back(request: HttpRequest, default: str) -> HttpResponseBase:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect(default)


def _attempt(request: HttpRequest, write: Callable[[], object], success: str) -> None:
    """Run one write of a form; its refusal becomes error messages (nothing was written)."""
    try:
        write()
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, success)


@require(Capability.SUPERVISE)
def dashboard(request: HttpRequest) -> HttpResponse:
    """电子监察 desk: every open case with its light (filterable by department, item, window, light
    and period), the cards and their appeals, the supervision orders, the rule violations, the
    trail check and the calendar's coverage."""
    today = timezone.localdate()
    tab = request.GET.get("tab", "cases")
    tab = tab if tab in TABS else "cases"
    f = selectors.DeskFilter.parse(request.GET)
    ctx: dict[str, object] = {
        "tab": tab, "f": f, "today": today, "counts": selectors.light_counts(f),
        "departments": Department.objects.order_by("code"),
        "subject_kinds": [(k.name, k.label) for k in subjects.KINDS.values()],
        "items": ServiceItem.objects.filter(current__isnull=False).order_by("code").values_list("code", "current__name"),
        "windows": _windows(),
        "near_until": near_deadline_until(today),
        "appeals": selectors.cards(f, status=CardStatus.APPEALED).count(),
        "replied": selectors.orders(f, status=OrderStatus.REPLIED).count(),
        "query": request.GET.urlencode(),
    }
    page_number = request.GET.get("page", "1")
    if tab == "cases":
        ctx["page"] = Paginator(selectors.watched_cases(f), 50).get_page(page_number)
    elif tab == "cards":
        status = request.GET.get("status", "")
        ctx["status"] = status
        ctx["statuses"] = CardStatus.choices
        ctx["page"] = Paginator(selectors.cards(f, status=status), 50).get_page(page_number)
    elif tab == "orders":
        status = request.GET.get("status", "")
        ctx["status"] = status
        ctx["statuses"] = OrderStatus.choices
        ctx["page"] = Paginator(selectors.orders(f, status=status), 50).get_page(page_number)
    elif tab == "tickets":
        ctx["tickets"] = selectors.open_tickets(today)
    elif tab == "violations":
        ctx["page"] = Paginator(selectors.violations(f), 50).get_page(page_number)
    else:
        ctx["check"] = selectors.last_trail_check()
        ctx["coverage"] = workdays.coverage(range(today.year - 1, today.year + 3))
    return render(request, "supervision/dashboard.html", ctx)


def _windows() -> list[tuple[int, str]]:
    from onetrip.hall.models import Window

    return [(w.pk, str(w)) for w in Window.objects.select_related("area").order_by("area__hall_id", "pk")]


@require(Capability.ANSWER_SUPERVISION)
def department(request: HttpRequest) -> HttpResponse:
    """The department's own cards (its head appeals them) and supervision orders (it replies)."""
    view = selectors.department_view(_user(request))
    if view is None:
        raise Http404(_("No department."))
    return render(request, "supervision/department.html", {**view, "user_role": _user(request).role})


@require_POST
@require(Capability.ANSWER_SUPERVISION)
def appeal(request: HttpRequest, pk: int) -> HttpResponseBase:
    card = Card.objects.filter(pk=pk, department_id=_user(request).department_id or 0).first()
    if card is None:
        raise Http404(_("No such card."))
    post = request.POST
    _attempt(request, lambda: services.appeal_card(actor=_user(request), card=card, reasons=post.get("reasons", ""),
                                                   evidence=post.get("evidence", "")),
             _("Appeal sent to the supervisor."))
    return redirect("supervision:department")


@require_POST
@require(Capability.ANSWER_SUPERVISION)
def reply(request: HttpRequest, pk: int) -> HttpResponseBase:
    order = Order.objects.filter(pk=pk, department_id=_user(request).department_id or 0).first()
    if order is None:
        raise Http404(_("No such order."))
    _attempt(request, lambda: services.reply_order(actor=_user(request), order=order,
                                                   reply=request.POST.get("reply", "")),
             _("Reply sent to the supervisor."))
    return _back(request, reverse("supervision:department"))


@require_POST
@require(Capability.SUPERVISE)
def decide(request: HttpRequest, pk: int) -> HttpResponseBase:
    card = Card.objects.filter(pk=pk).first()
    if card is None:
        raise Http404(_("No such card."))
    post = request.POST
    _attempt(request, lambda: services.decide_appeal(actor=_user(request), card=card,
                                                     uphold=post.get("decision") == "uphold", note=post.get("note", "")),
             _("Appeal decided."))
    return _back(request, reverse("supervision:dashboard") + "?tab=cards")


@require_POST
@require(Capability.SUPERVISE)
def order(request: HttpRequest) -> HttpResponseBase:
    """A new supervision order, for a case (from its workbench), a registered subject such as a
    hotline ticket (``about_kind`` and the ``about`` reference people use: its number; from the
    ticket's page or the desk), or a department (from the desk)."""
    number = request.POST.get("case", "").strip()
    case = Case.objects.filter(number=number).select_related("department").first() if number else None
    if number and case is None:
        messages.error(request, _("No case %(n)s.") % {"n": number})
        return _back(request, reverse("supervision:dashboard") + "?tab=orders")
    kind, reference = request.POST.get("about_kind", "").strip(), request.POST.get("about", "").strip()
    about = subjects.find(kind, reference) if reference else None
    if reference and about is None:
        name = subjects.KINDS[kind].label if kind in subjects.KINDS else _("Matter")
        messages.error(request, _("No %(k)s %(n)s.") % {"k": name, "n": reference})
        return _back(request, reverse("supervision:dashboard") + "?tab=orders")
    department = None if about is not None else Department.objects.filter(
        pk=_int(request.POST.get("department")) or 0).first()
    post = request.POST
    _attempt(request, lambda: services.issue_order(
        actor=_user(request), department=department, case=case, about=about, subject=post.get("subject", ""),
        instructions=post.get("instructions", ""), workdays=_int(post.get("workdays")) if post.get("workdays") else None),
             _("Supervision order issued."))
    return _back(request, reverse("supervision:dashboard") + "?tab=orders")


@require_POST
@require(Capability.SUPERVISE)
def close(request: HttpRequest, pk: int) -> HttpResponseBase:
    order = Order.objects.filter(pk=pk).first()
    if order is None:
        raise Http404(_("No such order."))
    post = request.POST
    _attempt(request, lambda: services.close_order(actor=_user(request), order=order,
                                                   accept=post.get("decision") == "close", note=post.get("note", "")),
             _("Order updated."))
    return _back(request, reverse("supervision:dashboard") + "?tab=orders")


@require_POST
@require(Capability.SUPERVISE)
def trail_check(request: HttpRequest) -> HttpResponseBase:
    try:
        check = services.run_trail_check(actor=_user(request))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        (messages.success if check.ok else messages.error)(request, _("Trail check: %(s)s") % {"s": check.summary})
    return redirect(reverse("supervision:dashboard") + "?tab=trail")
