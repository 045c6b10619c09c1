"""Pages of the knowledge base: the citizens' self-service page (search, an answer, "did it
help?"), the staff's workbench (flagged for review, proposals, all articles, a new article,
one article with its actions) and the suggestions the operator desk shows while the operator
types (an HTML fragment)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onetrip.accounts.models import Department, User
from onetrip.accounts.permissions import Capability, require
from onetrip.catalog.models import ServiceItem
from onetrip.core.ratelimit import client_address
from onetrip.knowledge import rules, selectors, services
from onetrip.knowledge.models import Article, ArticleState, Feedback

FIELDS = ("question", "answer", "tags", "item_codes", "owner", "valid_from", "valid_to")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": list(exc.messages)}


# --- Citizens ------------------------------------------------------------------------------------

@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """问答自助 (no log-in): search the answers the 12345 line gives before calling."""
    q = request.GET.get("q", "").strip()[:100]
    found = selectors.suggest(q, limit=10) if q else []
    return render(request, "knowledge/public.html",
                  {"q": q, "found": found, "popular": [] if q else selectors.most_helpful()})


@require_GET
def article(request: HttpRequest, pk: int) -> HttpResponse:
    a = selectors.current_article(pk)
    if a is None:
        raise Http404(_("No such answer."))
    items = [i for i in a.items.select_related("current") if i.current_id]
    return render(request, "knowledge/article.html", {"a": a, "items": items,
                                                       "thanks": request.GET.get("thanks") == "1"})


@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """"Did this answer help?" — yes or no, nothing else asked or kept."""
    a = selectors.current_article(pk)
    if a is None:
        raise Http404(_("No such answer."))
    answer = request.POST.get("helped", "")
    if answer not in ("yes", "no"):
        messages.error(request, _("Choose yes or no."))
        return redirect("knowledge:article", a.pk)
    try:
        services.record_feedback(article=a, helped=answer == "yes", where=Feedback.Where.WEB,
                                 client=client_address(request))
    except services.Throttled:
        messages.error(request, _("Too many answers from this address; try again in an hour."))
        return redirect("knowledge:article", a.pk)
    return redirect(reverse("knowledge:article", args=[a.pk]) + "?thanks=1#helped")


# --- Staff ---------------------------------------------------------------------------------------

@require_GET
@require(Capability.WORK_HOTLINE, Capability.EDIT_KNOWLEDGE)
def suggest(request: HttpRequest) -> HttpResponse:
    """The articles for what the operator is typing (the desk fetches this while they type)."""
    q = request.GET.get("q", "").strip()[:200]
    return render(request, "knowledge/_suggestions.html", {"found": selectors.suggest(q) if q else [], "q": q})


@require_GET
@require(Capability.EDIT_KNOWLEDGE, Capability.APPROVE_KNOWLEDGE)
def workbench(request: HttpRequest) -> HttpResponse:
    """知识库: articles to review after a guide changed, proposals waiting for their department,
    and every article, searchable."""
    user = _user(request)
    q = request.GET.get("q", "").strip()[:100]
    editor = rules.may_edit(user)
    return render(request, "knowledge/workbench.html", {
        "q": q, "editor": editor, "review": list(selectors.review_queue()[:100]) if editor else [],
        "proposals": list(selectors.proposals(user)[:100]),
        "articles": selectors.browse(q) if editor else []})


def _form_from_post(request: HttpRequest) -> tuple[dict[str, str], dict[str, Any], dict[str, list[str]]]:
    form = {k: request.POST.get(k, "").strip() for k in FIELDS}
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    codes = [c for c in form["item_codes"].replace("，", ",").replace(" ", ",").split(",") if c]
    items = list(ServiceItem.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {i.code for i in items})
    if unknown:
        errors["item_codes"] = [_("No service item has the code %(codes)s.") % {"codes": "、".join(unknown)}]
    values["items"] = items
    owner = None
    if form["owner"]:
        owner = Department.objects.filter(pk=form["owner"]).first() if form["owner"].isdigit() else None
        if owner is None:
            errors["owner"] = [_("Choose a department from the list.")]
    values["owner"] = owner
    for name in ("valid_from", "valid_to"):
        values[name] = None
        if form[name]:
            try:
                values[name] = dt.date.fromisoformat(form[name])
            except ValueError:
                errors[name] = [_("Enter a date like 2026-12-31.")]
    if errors:  # name every wrong field at once, the words' too
        try:
            services.clean_text(question=form["question"], answer=form["answer"], tags=form["tags"],
                                valid_from=values["valid_from"], valid_to=values["valid_to"])
        except ValidationError as exc:
            errors = {**exc.message_dict, **errors}
    return form, values, errors


def _form_context(**extra: Any) -> dict[str, Any]:
    return {"departments": Department.objects.order_by("code"), "errors": {}, "form": {}, **extra}


@require_http_methods(["GET", "POST"])
@require(Capability.EDIT_KNOWLEDGE)
def new(request: HttpRequest) -> HttpResponseBase:
    """A new article; with ``?ticket=`` a proposal from that ticket's answer, for its department
    to approve."""
    from onetrip.hotline.models import Ticket

    user = _user(request)
    number = (request.GET.get("ticket") or request.POST.get("ticket") or "").strip()[:32]
    ticket = Ticket.objects.select_related("department", "item").filter(number=number).first() if number else None
    if number and (ticket is None or not ticket.answer):
        raise Http404(_("No answered ticket has this number."))
    if request.method == "GET":
        form = {}
        if ticket is not None:
            form = {"question": ticket.text[:200], "answer": ticket.answer, "owner": str(ticket.department_id or ""),
                    "item_codes": ticket.item.code if ticket.item else ""}
        return render(request, "knowledge/edit.html", _form_context(form=form, ticket=ticket))
    form, values, errors = _form_from_post(request)
    if not errors:
        try:
            if ticket is not None:
                a = services.propose_from_ticket(actor=user, ticket_number=ticket.number, question=form["question"],
                                                 answer=form["answer"], owner=values["owner"], tags=form["tags"],
                                                 items=values["items"])
                messages.success(request, _("Proposed: the owner department approves it before it is used."))
            else:
                a = services.create_article(actor=user, question=form["question"], answer=form["answer"],
                                            tags=form["tags"], items=values["items"],
                                            departments=[values["owner"]] if values["owner"] else [],
                                            owner=values["owner"], valid_from=values["valid_from"],
                                            valid_to=values["valid_to"])
                messages.success(request, _("Article published."))
            return redirect("knowledge:staff-article", a.pk)
        except ValidationError as exc:
            errors = _errors(exc)
    return render(request, "knowledge/edit.html", _form_context(form=form, ticket=ticket, errors=errors), status=400)


def _article_context(user: User, a: Article, **extra: Any) -> dict[str, Any]:
    editor = rules.may_edit(user)
    return _form_context(
        a=a, items=list(a.items.select_related("current")), editor=editor,
        may_change=editor and rules.may_change(a) and a.state != ArticleState.RETIRED,
        may_approve=rules.may_approve(user, a), today=dt.date.today(),
        form=extra.pop("form", None) or {
            "question": a.question, "answer": a.answer, "tags": a.tags, "owner": str(a.owner_id or ""),
            "item_codes": ", ".join(i.code for i in a.items.all()),
            "valid_from": a.valid_from.isoformat() if a.valid_from else "",
            "valid_to": a.valid_to.isoformat() if a.valid_to else ""}, **extra)


@require_http_methods(["GET", "POST"])
@require(Capability.EDIT_KNOWLEDGE, Capability.APPROVE_KNOWLEDGE)
def staff_article(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One article: edit it, confirm it after a review flag, retire it; or, for its owner
    department, approve or reject its proposal. A POST names its action in ``do``."""
    user = _user(request)
    a = Article.objects.select_related("owner", "created_by", "decided_by").filter(pk=pk).first()
    if a is None or not (rules.may_edit(user) or a.owner_id == user.department_id):
        raise Http404(_("No such article."))
    if request.method == "GET":
        return render(request, "knowledge/staff_article.html", _article_context(user, a))
    do = request.POST.get("do", "")
    form: dict[str, str] = {}
    try:
        if do == "save":
            form, values, errors = _form_from_post(request)
            if errors:
                raise ValidationError(errors)
            services.update_article(actor=user, article=a, question=form["question"], answer=form["answer"],
                                    tags=form["tags"], items=values["items"],
                                    departments=[values["owner"]] if values["owner"] else [], owner=values["owner"],
                                    valid_from=values["valid_from"], valid_to=values["valid_to"])
            messages.success(request, _("Article saved."))
        elif do == "reviewed":
            services.mark_reviewed(actor=user, article=a)
            messages.success(request, _("Marked as still correct."))
        elif do == "retire":
            services.retire(actor=user, article=a, reason=request.POST.get("reason", ""))
            messages.success(request, _("Article retired."))
        elif do in ("approve", "reject"):
            services.decide(actor=user, article=a, approve=do == "approve", note=request.POST.get("note", ""))
            messages.success(request, _("Approved and published.") if do == "approve" else _("Not approved."))
        else:
            raise ValidationError(_("Choose one of the actions on the page."))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        a.refresh_from_db()
        return render(request, "knowledge/staff_article.html",
                      _article_context(user, a, errors=_errors(exc), failed=do, form=form or None), status=400)
    return redirect("knowledge:staff-article", a.pk)
