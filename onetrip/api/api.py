"""The JSON API (``/api/v1/``), the mobile terminal's way in. Schema: ``/api/openapi.json``;
interactive page: ``/api/docs`` (Swagger UI served from local static files)."""

from __future__ import annotations

import math
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from onetrip.accounts import services as account_services
from onetrip.accounts.models import User
from onetrip.api import schemas as s
from onetrip.api.auth import token_or_session
from onetrip.catalog import selectors
from onetrip.catalog.models import Bundle, ItemKind, ItemVersion, ServiceItem


class OneTripAPI(NinjaAPI):
    """The API, with its OpenAPI document built once per process and language: the routes are
    fixed at import, and building the document costs most of a second of CPU per request."""

    _schemas: dict[tuple[str, str], Any] = {}

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        from django.utils.translation import get_language

        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, get_language() or "")
        if key not in self._schemas:
            self._schemas[key] = super().get_openapi_schema(path_prefix=path_prefix)
        return self._schemas[key]


api = OneTripAPI(
    title="OneTrip (一次办) API",
    version="1",
    description="Service item catalogue and cases of the district's 'at most one trip' platform.",
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else None
    status = 404 if getattr(exc, "code", None) == "not_found" else 400
    return api.create_response(request, {"detail": "; ".join(exc.messages), "errors": errors}, status=status)


# The handlers' names for a schema of parameters or the body, left out of an error's field name:
# "name", not "payload.name", as the services name fields.
_WRAPPERS = {"payload", "filters", "params"}


@api.exception_handler(NinjaValidationError)
def on_input_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        parts = [str(p) for p in err.get("loc", [])[1:]]
        if parts and parts[0] in _WRAPPERS:
            parts = parts[1:]
        loc = ".".join(parts) or "request"
        errors.setdefault(loc, []).append(str(err.get("msg", "invalid")))
    detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items())
    return api.create_response(request, {"detail": f"Invalid input: {detail}", "errors": errors}, status=400)


@api.exception_handler(OperationalError)
def on_database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """SQLite queues writers (BEGIN IMMEDIATE, busy timeout); if the write lock is still not free
    when the timeout runs out, say "busy, try again" instead of failing with a 500. Any other
    database error is a real fault and stays a 500."""
    if "database is locked" not in str(exc) and "database table is locked" not in str(exc):
        raise exc
    response = api.create_response(
        request, {"detail": "The service is busy: nothing was changed, try again in a moment.", "code": "busy"},
        status=503)
    response["Retry-After"] = "2"
    return response


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "Authentication required: send a bearer token or log in."}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


def _summary(item: ServiceItem) -> dict[str, Any]:
    v: ItemVersion = item.current  # type: ignore[assignment]
    return {
        "code": item.code,
        "name": v.name,
        "name_en": v.name_en,
        "kind": v.kind,
        "kind_label": str(ItemKind(v.kind).label),
        "department": v.department.name,
        "department_code": v.department.code,
        "legal_limit_days": v.legal_limit_days,
        "promised_limit_days": v.promised_limit_days,
        "max_visits": v.max_visits,
        "online": v.online,
        "parent": item.parent.code if item.parent_id else None,  # type: ignore[union-attr]
        "version": v.number,
    }


# An empty value of a filter means "any", as a search form sends it.
Kind = Literal["", *ItemKind.values]  # type: ignore[valid-type]


class ItemFilters(Schema):
    q: str = Field("", description="Chinese words, pinyin or pinyin initials, or a code.")
    department: str = Field("", description="A department code.")
    kind: Kind = Field("", description="The kind of administrative power (empty: any).")  # type: ignore[valid-type]
    bundle: str = Field("", description="A bundle code: the items of that life-event bundle.")
    audience: Literal["", "people", "companies"] = Field(
        "", description="people or companies: items for them (and for both).")
    page: int = Field(1, ge=1, description="From 1; a page after the last one is 404.")


@api.get("/v1/items", response=s.answers({200: s.ItemPage}, 400, 404), tags=["catalogue"])
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> Any:
    """Published items, filtered and (with ``q``) ranked by the Chinese/pinyin search."""
    result = selectors.find_items(
        selectors.Filters(q=filters.q, department=filters.department, kind=filters.kind,
                          bundle=filters.bundle, audience=filters.audience),
        page=filters.page,
        per_page=settings.PAGE_SIZE,
    )
    page = result.page
    count = page.paginator.count
    pages = max(1, math.ceil(count / settings.PAGE_SIZE))
    if filters.page > pages:
        raise HttpError(404, f"Page {filters.page} does not exist; there are {pages}.")
    return {
        "count": count,
        "page": page.number,
        "pages": pages,
        "next": page.next_page_number() if page.has_next() else None,
        "previous": page.previous_page_number() if page.has_previous() else None,
        "results": [_summary(r.item) for r in result.results],
    }


@api.get("/v1/items/{code}", response=s.answers({200: s.ItemGuide}, 404), tags=["catalogue"])
def get_item(request: HttpRequest, code: str) -> Any:
    """The full published guide of one item, materials included."""
    v = selectors.guide(code)
    if v is None:
        raise HttpError(404, f"No published item with code '{code}'.")
    data = _summary(v.item) | {"name": v.name}
    data["version"] = v.number
    data.update(
        exercise_level=v.exercise_level,
        audience=v.audience,
        legal_basis=v.legal_basis,
        acceptance_conditions=v.acceptance_conditions,
        on_the_spot=v.is_on_the_spot,
        postable=v.postable,
        free=not v.fees.all(),
        location=v.location,
        window=v.window,
        office_hours=v.office_hours,
        consultation_phone=v.consultation_phone,
        complaint_phone=v.complaint_phone,
        result_name=v.result_name,
        published_at=v.published_at.isoformat() if v.published_at else None,
        batch=str(v.batch) if v.batch else None,
        materials=[
            {
                "name": m.name,
                "form": m.form,
                "copies": m.copies,
                "required": m.required,
                "condition": m.condition,
                "source": m.source,
                "registry": m.registry,
                "sample_url": request.build_absolute_uri(m.sample.url) if m.sample else None,
                "notes": m.notes,
            }
            for m in v.materials.all()
        ],
        fees=[{"name": f.name, "standard": f.standard, "basis": f.basis} for f in v.fees.all()],
        special_procedures=[
            {"name": p.name, "max_days": p.max_days, "excluded_from_limit": p.excluded_from_limit}
            for p in v.special_procedures.all()
        ],
        steps=[
            {"name": st.name, "actor": st.actor, "limit_days": st.limit_days, "description": st.description}
            for st in v.steps.all()
        ],
        sub_items=[{"code": i.code, "name": i.current.name} for i in selectors.sub_items_of(v.item)],  # type: ignore[union-attr]
    )
    return data


class SearchFilters(Schema):
    q: str = Field(..., min_length=1, max_length=100,
                   description="What a person would type: people's words, typos, pinyin (blank finds nothing).")
    kind: str = Field("", max_length=32, description="Only this kind of document (item, bundle…); empty: all.")


@api.get("/v1/search", response=s.answers({200: s.SearchOut}, 400), tags=["catalogue"])
def search_everything(request: HttpRequest, filters: Query[SearchFilters]) -> Any:
    """One search over items, life-event bundles and every other registered kind of document
    (the search dictionary, pinyin and typo tolerance, intent words and life-event hints
    applied), best first: the first 20."""
    found = selectors.search_documents(filters.q, kind=filters.kind, limit=20)
    return {"count": found.total, "all_matched": found.all_matched, "results": [
        {"kind": h.doc.kind, "kind_label": str(selectors.kind_label(h.doc.kind)), "code": h.doc.key.split(":", 1)[-1],
         "title": h.doc.title, "url": request.build_absolute_uri(h.doc.url)} for h in found.hits]}


@api.get("/v1/departments", response=s.answers({200: list[s.DepartmentOut]}), tags=["catalogue"])
def list_departments(request: HttpRequest) -> Any:
    return [
        {
            "code": d.code,
            "name": d.name,
            "name_en": d.name_en,
            "short_name": d.short_name,
            "uscc": d.uscc,
            "phone": d.phone,
            "address": d.address,
            "item_count": d.item_count,  # type: ignore[attr-defined]
        }
        for d in selectors.departments_with_counts()
    ]


def _bundle_summary(b: Bundle, item_count: int) -> dict[str, Any]:
    return {"code": b.code, "name": b.name, "name_en": b.name_en, "audience": b.audience, "item_count": item_count}


@api.get("/v1/bundles", response=s.answers({200: list[s.BundleSummary]}), tags=["catalogue"])
def list_bundles(request: HttpRequest) -> Any:
    return [_bundle_summary(b, b.item_count) for b in selectors.published_bundles()]  # type: ignore[attr-defined]


@api.get("/v1/bundles/{code}", response=s.answers({200: s.BundleGuideOut}, 404), tags=["catalogue"])
def get_bundle(request: HttpRequest, code: str) -> Any:
    """A life-event bundle with the union of its items' materials, each named once."""
    g = selectors.bundle_guide(code)
    if g is None:
        raise HttpError(404, f"No published bundle with code '{code}'.")
    return _bundle_summary(g.bundle, len(g.versions)) | {
        "description": g.bundle.description,
        "items": [_summary(v.item) for v in g.versions],
        "materials": [m.__dict__ for m in g.materials],
        "max_promised_limit_days": g.total_promised_days,
        "max_visits": g.max_visits,
    }


@api.post("/v1/auth/token", response=s.answers({201: s.TokenOut}, 400, 401, 429), tags=["accounts"])
def create_token(request: HttpRequest, payload: s.TokenIn) -> Any:
    """Exchange a username and password for a bearer token (shown once). Repeated failures
    lock the account out like the log-in page does: 429 with ``retry_after`` seconds."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise HttpError(401, "Too many failed attempts: this account is locked for a while.")
        raise HttpError(401, "Wrong username or password.")
    return Status(201, {"token": account_services.issue_api_token(user=user, name=payload.name)})  # type: ignore[arg-type]


@api.get("/v1/me", response=s.answers({200: s.MeOut}, 401), auth=token_or_session, tags=["accounts"])
def me(request: HttpRequest) -> Any:
    """Who the token or session belongs to. Own data is shown masked here too."""
    user: User = request.auth  # type: ignore[attr-defined]
    return {
        "username": user.username,
        "role": user.role,
        "real_name": user.real_name,
        "mobile": user.mobile_masked,
        "resident_id": user.resident_id_masked,
        "department": user.department.name if user.department_id else None,  # type: ignore[union-attr]
    }


from onetrip.api.accounts import router as accounts_router  # noqa: E402

api.add_router("/v1", accounts_router)


from onetrip.api.calendar import router as calendar_router  # noqa: E402

api.add_router("/v1", calendar_router)


from onetrip.api.publications import router as publications_router  # noqa: E402

api.add_router("/v1", publications_router)


from onetrip.api.cases import router as cases_router  # noqa: E402
from onetrip.cases.services import Refused  # noqa: E402

api.add_router("/v1", cases_router)

from onetrip.api.hall import router as hall_router  # noqa: E402

api.add_router("/v1", hall_router)

from onetrip.api.registries import router as registries_router  # noqa: E402

api.add_router("/v1", registries_router)
from onetrip.api.delivery import router as delivery_router  # noqa: E402
from onetrip.api.payments import router as payments_router  # noqa: E402

api.add_router("/v1", payments_router)
api.add_router("/v1", delivery_router)
from onetrip.api.licenses import router as licenses_router  # noqa: E402

api.add_router("/v1", licenses_router)
from onetrip.api.supervision import router as supervision_router  # noqa: E402

api.add_router("/v1", supervision_router)
from onetrip.api.reports import router as reports_router  # noqa: E402

api.add_router("/v1", reports_router)
from onetrip.api.ratings import router as ratings_router  # noqa: E402

api.add_router("/v1", ratings_router)
from onetrip.api.hotline import router as hotline_router  # noqa: E402

api.add_router("/v1", hotline_router)
from onetrip.api.knowledge import router as knowledge_router  # noqa: E402

api.add_router("/v1", knowledge_router)

# A lost race or a stale page (the case moved on, another officer claimed it) is a 409: the
# client reloads the case and sees where it stands. Not the actor's business: 403; absent: 404.
_REFUSAL_STATUS = {
    "forbidden": 403,
    "not_yours": 403,
    "not_your_department": 403,
    "not_yourself": 403,
    "unverified_representative": 403,
    "not_found": 404,
    "wrong_state": 409,
    "claimed": 409,
    "missing_materials": 409,
    "throttled": 429,
    "blocked": 409,
    "not_postable": 409,
    "not_delivered": 409,  # the case waits for something (an unpaid fee: onetrip.cases.hooks blockers)
    # the hall's refusals (onetrip.hall.services)
    "full": 409,
    "duplicate": 409,
    "suspended": 403,
    "not_a_kiosk": 403,
    "sign_in": 401,
    # the registries' refusals (onetrip.registries.rules and services)
    "no_purpose": 400,
    "not_this_case": 403,
    "company_not_active": 403,
    # the ratings' refusals (onetrip.ratings.services)
    "expired": 409,
    # the hotline's (onetrip.hotline.services)
    "cannot_merge": 409,
}


@api.exception_handler(Refused)
def on_refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    code = getattr(exc, "code", None) or "refused"
    return api.create_response(request, {"detail": "; ".join(exc.messages), "code": code},
                               status=_REFUSAL_STATUS.get(code, 400))
