"""Open311 GeoReport v2 (``/open311/``), so that existing 311 clients and apps reach the 12345
line: discovery, the services (the five kinds of request, each with its attributes), creating a
request with an ``api_key`` (an API token of the account it is made for), listing requests and one
request, and ``tokens/{token}``. Every answer in JSON or XML (the path's ``.json`` / ``.xml``);
errors in the specification's format (``[{"code": 400, "description": "…"}]``, or
``<errors><error>…``).

States map to ``open`` / ``closed`` (``hotline.rules.open311_status``). Without an ``api_key`` the lists
are public and show only what may be published (政务公开): no caller, no description, no place,
and no report of wrongdoing (举报) at all (``hotline.rules.published_on_open311``); with a key, the key's account sees its own requests in
full, and hotline staff the tickets they may see."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, register_converter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from onetrip.accounts.models import ApiToken, Role, User
from onetrip.cases.models import Case
from onetrip.hotline import rules as hotline_rules
from onetrip.hotline import selectors as hotline_selectors
from onetrip.hotline import services as hotline
from onetrip.hotline.models import Channel, Kind, Ticket, TicketState

SPEC = "http://wiki.open311.org/GeoReport_v2"
SIGNING_SALT = "onetrip.open311.request"
MAX_RESULTS = 1000
DEFAULT_DAYS = 90


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


# --- rendering ----------------------------------------------------------------------------------

def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, list):
        item = key[:-1] if key.endswith("s") else key
        for v in value:
            _xml_fill(ET.SubElement(child, item), v) if isinstance(v, dict) else _xml_text(ET.SubElement(child, item), v)
    elif isinstance(value, dict):
        _xml_fill(child, value)
    else:
        _xml_text(child, value)


def _xml_text(element: ET.Element, value: Any) -> None:
    element.text = "" if value is None else ("true" if value is True else "false" if value is False else str(value))


def _xml_fill(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        _xml_value(element, key, value)


def render(fmt: str, data: Any, *, root: str = "", item: str = "", status: int = 200) -> HttpResponse:
    """JSON as it is; XML under ``root`` with one ``item`` element per list entry."""
    if fmt == "json":
        return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    top = ET.Element(root)
    for entry in data if isinstance(data, list) else [data]:
        _xml_fill(ET.SubElement(top, item) if item else top, entry)
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="utf-8", xml_declaration=False)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def _errors(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, [{"code": status, "description": description}], root="errors", item="error", status=status)


def endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An Open311 view: its errors (and any refused input) answered in the specification's format."""
    def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            with override(settings.LANGUAGE_CODE):
                return view(request, fmt, **kwargs)
        except Open311Error as exc:
            return _errors(fmt, exc.status, exc.description)
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            return _errors(fmt, 400, "; ".join(f"{k}: {' '.join(v)}" if k else " ".join(v)
                                              for k, v in messages.items()))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(wrapped)


# --- the services -----------------------------------------------------------------------------

def _attributes(kind: str) -> list[dict[str, Any]]:
    attributes = [
        {"variable": True, "code": "category", "datatype": "string", "required": False, "order": 1,
         "datatype_description": _("A few words, e.g. food safety"), "description": _("Category")},
        {"variable": True, "code": "case_number", "datatype": "string", "required": False, "order": 2,
         "datatype_description": _("The case number, 430703-YYYYMMDD-NNNNNN"), "description": _("The case this is about, if any")},
    ]
    if hotline_rules.may_be_anonymous(kind):
        attributes.append({
            "variable": True, "code": "anonymous", "datatype": "singlevaluelist", "required": False, "order": 3,
            "datatype_description": "", "description": _("Report anonymously (you follow it with a query code)"),
            "values": [{"key": "false", "name": _("No")}, {"key": "true", "name": _("Yes")}]})
    return attributes


def _service(kind: str) -> dict[str, Any]:
    return {"service_code": kind, "service_name": str(Kind(kind).label), "description": str(Kind(kind).label),
            "metadata": True, "type": "realtime", "keywords": "12345", "group": _("12345 hotline")}


@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the GeoReport v2 endpoint is and what it speaks."""
    base = request.build_absolute_uri("/open311/v2/")
    data: dict[str, Any] = {"changeset": "2026-11-29T00:00:00+08:00", "contact": str(_("12345 hotline")), "key_service": base,
            "endpoints": [{"specification": SPEC, "url": base.rstrip("/"), "changeset": "2026-11-29T00:00:00+08:00",
                           "type": "production", "formats": ["application/json", "text/xml"]}]}
    if fmt == "xml":
        top = ET.Element("discovery")
        for key in ("changeset", "contact", "key_service"):
            _xml_text(ET.SubElement(top, key), data[key])
        endpoints = ET.SubElement(top, "endpoints")
        for e in data["endpoints"]:
            node = ET.SubElement(endpoints, "endpoint")
            for key in ("specification", "url", "changeset", "type"):
                _xml_text(ET.SubElement(node, key), e[key])
            formats = ET.SubElement(node, "formats")
            for f in e["formats"]:
                _xml_text(ET.SubElement(formats, "format"), f)
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    return render(fmt, data)


@endpoint
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """The service list: the five kinds of request of the 12345 line."""
    return render(fmt, [_service(k) for k in Kind.values], root="services", item="service")


@endpoint
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """A service's definition: its attributes."""
    if code not in Kind.values:
        raise Open311Error(404, "No service with this service_code.")
    return render(fmt, {"service_code": code, "attributes": _attributes(code)}, root="service_definition")


# --- requests ---------------------------------------------------------------------------------

def _account(request: HttpRequest, *, required: bool) -> User | None:
    """The account whose API token is the ``api_key`` (403 for an unknown key)."""
    key = (request.POST.get("api_key") if request.method == "POST" else None) or request.GET.get("api_key") or ""
    if not key:
        if required:
            raise Open311Error(403, "An api_key is required: an API token of your account (/api/v1/tokens).")
        return None
    row = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key), user__is_active=True).first()
    if row is None:
        raise Open311Error(403, "The api_key is not valid.")
    return row.user


def _own(user: User) -> QuerySet[Ticket]:
    """The tickets the key's account may read in full: hotline staff those they may see, anyone
    else the requests made by them."""
    if hotline_rules.is_operator(user) or hotline_rules.reads_all(user) or hotline_rules.can_handle_tickets(user):
        return hotline_selectors.visible_to(user)
    return Ticket.objects.select_related("department").filter(caller=user)


def _public() -> QuerySet[Ticket]:
    """The tickets ``hotline.rules.published_on_open311`` lets a list without a key show."""
    return Ticket.objects.select_related("department").exclude(kind=Kind.REPORT).exclude(anonymous=True)


def _with_updated(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The tickets with the time of their last event (``last_event_at``), in the same query."""
    return qs.annotate(last_event_at=Max("events__at"))


def _request_out(ticket: Any, *, full: bool) -> dict[str, Any]:
    updated = ticket.last_event_at or ticket.created_at
    closed = hotline_rules.open311_status(ticket) == "closed"
    expected = (dt.datetime.combine(ticket.deadline, dt.time(17, 30), tzinfo=timezone.get_current_timezone())
                if ticket.deadline else None)
    return {
        "service_request_id": ticket.number, "status": hotline_rules.open311_status(ticket),
        "status_notes": str(ticket.get_state_display()), "service_name": str(ticket.get_kind_display()),
        "service_code": ticket.kind, "description": ticket.text if full else "",
        "agency_responsible": ticket.department.name if ticket.department else "",
        "service_notice": (ticket.answer if full else "") if closed or ticket.answer else "",
        "requested_datetime": timezone.localtime(ticket.created_at).isoformat(),
        "updated_datetime": timezone.localtime(updated).isoformat(),
        "expected_datetime": expected.isoformat() if expected else "",
        "address": ticket.location if full else "", "address_id": "", "zipcode": "", "lat": "", "long": "",
        "media_url": "",
    }


def _moment(raw: str, name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Open311Error(400, f"{name} must be a date and time in ISO 8601 (e.g. 2026-11-29T08:00:00+08:00).") \
            from None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _account(request, required=False)
    full = user is not None
    qs = _own(user) if user is not None else _public()
    ids = [i.strip() for i in (request.GET.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(number__in=ids[:MAX_RESULTS])
    else:
        code = (request.GET.get("service_code") or "").strip()
        if code:
            codes = [c.strip() for c in code.split(",")]
            if any(c not in Kind.values for c in codes):
                raise Open311Error(400, "Unknown service_code.")
            qs = qs.filter(kind__in=codes)
        status = (request.GET.get("status") or "").strip()
        if status:
            wanted = {s.strip() for s in status.split(",")}
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status is open or closed.")
            done = Q(state__in=[TicketState.CLOSED, TicketState.MERGED])
            if wanted == {"open"}:
                qs = qs.exclude(done)
            elif wanted == {"closed"}:
                qs = qs.filter(done)
        end = _moment(request.GET["end_date"], "end_date") if request.GET.get("end_date") else timezone.now()
        start = (_moment(request.GET["start_date"], "start_date") if request.GET.get("start_date")
                 else end - dt.timedelta(days=DEFAULT_DAYS))
        if start > end:
            raise Open311Error(400, "start_date is after end_date.")
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
    tickets = list(_with_updated(qs).order_by("-created_at", "-id")[:MAX_RESULTS])
    return render(fmt, [_request_out(t, full=full) for t in tickets], root="service_requests", item="request")


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _account(request, required=True)
    assert user is not None
    post = request.POST
    code = (post.get("service_code") or "").strip()
    if code not in Kind.values:
        raise Open311Error(400, "service_code is missing or unknown (GET services for the list).")
    description = (post.get("description") or "").strip()
    if not description:
        raise Open311Error(400, "description is required: say what you ask or report.")
    anonymous = (post.get("attribute[anonymous]") or "").strip().lower() == "true"
    number = (post.get("attribute[case_number]") or "").strip()
    case = Case.objects.filter(number=number).first() if number else None
    if number and case is None:
        raise Open311Error(400, "attribute[case_number]: no case with this number.")
    place = (post.get("address_string") or "").strip()
    if not place and post.get("lat") and post.get("long"):
        place = f"{post['lat'].strip()[:12]},{post['long'].strip()[:12]}"
    name = " ".join(p for p in ((post.get("last_name") or "").strip(), (post.get("first_name") or "").strip()) if p)
    citizen = user.role in (Role.CITIZEN, Role.COMPANY_REP)
    registered = hotline.register_ticket(
        actor=None, kind=code, channel=Channel.API, text=description, anonymous=anonymous,
        caller_name="" if anonymous else (user.real_name if citizen and user.real_name else name),
        caller_mobile="" if anonymous else (user.mobile if citizen and user.mobile else (post.get("phone") or "")),
        caller=user if citizen and not anonymous else None, category=(post.get("attribute[category]") or "").strip(),
        location=place, case=case)
    out: dict[str, Any] = {"service_request_id": registered.ticket.number,
                           "token": signing.dumps(registered.ticket.number, salt=SIGNING_SALT),
                           "service_notice": str(_("Registered by the 12345 hotline; to be answered by %(d)s.")
                                                 % {"d": registered.ticket.deadline}),
                           "account_id": ""}
    if registered.query_code:
        out["query_code"] = registered.query_code  # shown once: the anonymous reporter follows it with this
    return render(fmt, [out], root="service_requests", item="request", status=201)


@endpoint
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: requests (public, or in full with an ``api_key``); POST: create one (``api_key`` required)."""
    return _create(request, fmt) if request.method == "POST" else _list(request, fmt)


@endpoint
def one_request(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    """One request, by its service_request_id."""
    user = _account(request, required=False)
    qs = _own(user) if user is not None else _public()
    ticket = _with_updated(qs.filter(number=number)).first()
    if ticket is None:
        raise Open311Error(404, "No request with this service_request_id that you may see.")
    return render(fmt, [_request_out(ticket, full=user is not None)], root="service_requests", item="request")


@endpoint
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """The service_request_id behind the token a creation returned."""
    try:
        number = signing.loads(token, salt=SIGNING_SALT)
    except signing.BadSignature:
        raise Open311Error(404, "No request has this token.") from None
    return render(fmt, [{"service_request_id": number, "token": token}], root="service_requests", item="request")


urlpatterns = [
    path("discovery.<fmt:fmt>", discovery, name="open311-discovery"),
    path("v2/services.<fmt:fmt>", services, name="open311-services"),
    path("v2/services/<str:code>.<fmt:fmt>", service_definition, name="open311-service"),
    path("v2/requests.<fmt:fmt>", requests, name="open311-requests"),
    path("v2/requests/<str:number>.<fmt:fmt>", one_request, name="open311-request"),
    path("v2/tokens/<str:token>.<fmt:fmt>", token, name="open311-token"),
]

