"""Pages of the licences app: the public verification page (with the root certificate and the
file check), the holder's licences, the department's licences with their status changes, and
the district's time-stamping service over HTTP."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, require
from onetrip.core.context_processors import LARGE_TEXT_COOKIE
from onetrip.core.identity import mask_name, mask_resident_id
from onetrip.licenses import ca, rules, selectors, services
from onetrip.licenses.models import HolderKind, Licence, LicenceStatus

MAX_CHECK_BYTES = 20 * 1024 * 1024
CHANGE_LABELS: dict[str, Any] = {LicenceStatus.SUSPENDED: gettext_lazy("Suspend"), LicenceStatus.REVOKED: gettext_lazy("Revoke"),
                 LicenceStatus.VALID: gettext_lazy("Reinstate")}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# The verification page a QR code opens, for a visitor without a session, is rendered once per
# content and kept: the key names everything the page shows (the licence's fields and status as
# read by this very request, the language, the text size, the address, the time zone) and this
# process (its templates, catalogues and settings), so a kept page is never stale: a revocation
# or any other change makes another key at once. The file check's form (with its CSRF token) is
# a step of its own (?check=file), never kept.
PAGE_SECONDS = 3600
_PROCESS = secrets.token_hex(8)


def _page_key(request: HttpRequest, view: selectors.PublicView) -> str:
    what = (_PROCESS, view, translation.get_language(), timezone.get_current_timezone_name(),
            request.COOKIES.get(LARGE_TEXT_COOKIE) == "1", request.get_full_path())
    return "licences:verify:" + hashlib.sha256(repr(what).encode()).hexdigest()


def _anonymous(request: HttpRequest) -> bool:
    """No session and no pending message: the page cannot show anything of the visitor's own."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and CookieStorage.cookie_name not in request.COOKIES


@never_cache  # a revoked licence shows as revoked at once: never kept by a browser or a proxy
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, key: str) -> HttpResponse:
    """扫码核验: the licence's key fields (personal data masked) and status; a PDF uploaded here is
    compared with the issued file by its SHA-256."""
    view = selectors.verification_view(key)
    if view is None:
        return render(request, "licenses/verify.html", {"missing": True}, status=404)
    if request.method == "POST":
        upload = request.FILES.get("file")
        check: dict[str, Any]
        if upload is None:
            check = {"error": _("Choose the PDF file to check.")}
        elif upload.size is None or upload.size > MAX_CHECK_BYTES:
            check = {"error": _("The file is too large to be this licence.")}
        else:
            check = {"matches": selectors.file_matches(view.sha256, upload.read()), "name": upload.name}
        return render(request, "licenses/verify.html", {"view": view, "check": check, "form": True})
    if request.GET or not _anonymous(request):
        return render(request, "licenses/verify.html", {"view": view, "form": request.GET.get("check") == "file"})
    page_key = _page_key(request, view)
    page = cache.get(page_key)
    if page is None:
        page = render_to_string("licenses/verify.html", {"view": view}, request)
        cache.set(page_key, page, PAGE_SECONDS)
    return HttpResponse(page)


@require_safe
def root_certificate(request: HttpRequest) -> HttpResponse:
    """The district root certificate (PEM): what a validator trusts to check a licence's seal."""
    response = HttpResponse(ca.root_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="onetrip-root-ca.pem"'
    return response


@csrf_exempt  # an RFC 3161 client posts a binary request, with no session or form
@require_POST
def tsa(request: HttpRequest) -> HttpResponse:
    """The district's time-stamping service: RFC 3161 over HTTP."""
    if request.content_type != "application/timestamp-query":
        return HttpResponse(_("Send an RFC 3161 request as application/timestamp-query."), status=415,
                            content_type="text/plain; charset=utf-8")
    from onetrip.licenses import pades

    try:
        answer = pades.timestamp_response(request.body)
    except (ValueError, TypeError, KeyError):
        return HttpResponse(_("This is not an RFC 3161 time-stamp request."), status=400,
                            content_type="text/plain; charset=utf-8")
    return HttpResponse(answer, content_type="application/timestamp-reply")


def holder_line(licence: Licence) -> str:
    if licence.holder_kind == HolderKind.PERSON:
        return f"{mask_name(licence.holder_name)} · {mask_resident_id(licence.holder_id_number)}"
    return f"{licence.holder_name} · {licence.holder_id_number}"


@require_safe
@require(Capability.VIEW_OWN_PROFILE)
def mine(request: HttpRequest) -> HttpResponse:
    """我的证照: the licences the signed-in person (or their verified company) holds."""
    rows = [(lic, selectors.status_of(lic)) for lic in selectors.licences_of(_user(request))]
    return render(request, "licenses/mine.html", {"rows": rows, "statuses": LicenceStatus})


@require_safe
@require(Capability.VIEW_OWN_PROFILE)
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed PDF, for its holder or the issuing department (staff reads on the trail)."""
    licence = Licence.objects.select_related("licence_type").filter(pk=pk).first()
    if licence is None:
        raise Http404(_("No such licence."))
    try:
        data = services.open_file(actor=_user(request), licence=licence)
    except ValidationError:
        raise Http404(_("No such licence.")) from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, services.filename(licence)) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


@require(Capability.MANAGE_LICENCES)
def department(request: HttpRequest) -> HttpResponse:
    """The issuing department's licences (masked holders), newest first."""
    rows = [(lic, selectors.status_of(lic), holder_line(lic)) for lic in selectors.department_licences(
        _user(request))[:200]]
    return render(request, "licenses/department.html", {"rows": rows, "statuses": LicenceStatus})


@require(Capability.MANAGE_LICENCES)
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """One licence of the department: suspend, reinstate, revoke (with a reason), renew."""
    user = _user(request)
    licence = selectors.department_licences(user).filter(pk=pk).first()
    if licence is None:
        raise Http404(_("No such licence."))
    status = 200
    if request.method == "POST":
        what = request.POST.get("change", "")
        reason = request.POST.get("reason", "")
        try:
            if what == "renew":
                services.renew(actor=user, licence=licence, reason=reason)
                messages.success(request, _("The renewed licence is being issued."))
            elif what in (LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.VALID):
                services.change_status(actor=user, licence=licence, status=what, reason=reason)
                messages.success(request, _("Status changed."))
            else:
                raise ValidationError(_("Unknown change."))
            return redirect("licenses:manage", pk)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            status = 409 if getattr(exc, "code", "") == "wrong_state" else 400
    current = selectors.status_of(licence)
    changes = [(c, CHANGE_LABELS[c]) for c in sorted(rules.STATUS_CHANGES.get(current, frozenset()))]
    renewable = current in (LicenceStatus.VALID, LicenceStatus.EXPIRED, LicenceStatus.SUSPENDED) and not hasattr(
        licence, "next")
    return render(request, "licenses/manage.html", {
        "licence": licence, "status": current, "holder": holder_line(licence), "changes": changes,
        "renewable": renewable, "statuses": LicenceStatus,
        "view": selectors.public_view(licence) if licence.status != LicenceStatus.PENDING else None}, status=status)
