"""Publication review over the API: one catalogue admin proposes a batch of drafts, a second
approves or rejects it. The same services as the workbench page (/manage/catalogue/publications/)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from onetrip.accounts.permissions import Capability, can
from onetrip.api.auth import token_or_session
from onetrip.api.schemas import answers, text
from onetrip.catalog import selectors, services
from onetrip.catalog.models import ItemVersion, PublicationBatch

router = Router(tags=["catalogue admin"], auth=token_or_session)


class ProposedItem(Schema):
    code: str
    name: str
    version: int


class PublicationOut(Schema):
    id: int
    name: str
    status: str
    status_label: str
    note: str
    proposed_by: str | None
    published_by: str | None
    published_on: str | None
    review_note: str
    items: list[ProposedItem]


class ProposeIn(Schema):
    drafts: list[int] = Field(..., min_length=1, description="Ids of draft versions; any that is not a draft is 400.")
    name: str = text(description="The batch's name.")
    note: str = ""


class ApproveIn(Schema):
    comment: str = ""


class PublicationRejectIn(Schema):
    reasons: str = text(description="Why the batch goes back to its proposer.")


def _out(batch: PublicationBatch) -> dict[str, Any]:
    review = selectors.batch_review(batch.pk)
    assert review is not None
    b = review.batch
    return {
        "id": b.pk, "name": b.name, "status": b.status, "status_label": str(b.get_status_display()),
        "note": b.note, "proposed_by": b.proposed_by.username if b.proposed_by else None,
        "published_by": b.published_by.username if b.published_by else None,
        "published_on": b.published_on.isoformat() if b.published_on else None,
        "review_note": b.review_note,
        "items": [{"code": line.version.item.code, "name": line.version.name, "version": line.version.number}
                  for line in review.lines],
    }


def _publisher(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, Capability.PUBLISH_CATALOG):
        raise HttpError(403, "Only catalogue admins review publications.")
    return user


def _batch(pk: int) -> PublicationBatch:
    batch = PublicationBatch.objects.filter(pk=pk).first()
    if batch is None:
        raise HttpError(404, f"No publication batch {pk}.")
    return batch


def _refused(exc: ValidationError) -> Any:
    if getattr(exc, "code", None) == "same_person":
        return Status(403, {"detail": "; ".join(exc.messages), "errors": None})
    errors = exc.message_dict if hasattr(exc, "error_dict") else None
    return Status(400, {"detail": "; ".join(exc.messages), "errors": errors})


@router.get("/publications", response=answers({200: list[PublicationOut]}, 401, 403))
def pending_publications(request: HttpRequest) -> Any:
    """Batches awaiting a second catalogue admin."""
    _publisher(request)
    return [_out(b) for b in selectors.pending_batches()]


@router.post("/publications", response=answers({201: PublicationOut}, 400, 401, 403))
def propose(request: HttpRequest, payload: ProposeIn) -> Any:
    """Propose drafts (version ids) for publication as one batch; nothing is public yet."""
    user = _publisher(request)
    try:
        batch = services.propose_publication(
            actor=user, versions=list(ItemVersion.objects.filter(pk__in=payload.drafts, status="draft")),
            name=payload.name, note=payload.note)
    except ValidationError as exc:
        return _refused(exc)
    return Status(201, _out(batch))


@router.post("/publications/{pk}/approve", response=answers({200: PublicationOut}, 400, 401, 403, 404))
def approve(request: HttpRequest, pk: int, payload: ApproveIn) -> Any:
    """A second catalogue admin (not the proposer) approves: the guides go public now."""
    user = _publisher(request)
    try:
        batch = services.approve_publication(actor=user, batch=_batch(pk), comment=payload.comment)
    except ValidationError as exc:
        return _refused(exc)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return _out(batch)


@router.post("/publications/{pk}/reject", response=answers({200: PublicationOut}, 400, 401, 403, 404))
def reject(request: HttpRequest, pk: int, payload: PublicationRejectIn) -> Any:
    """A second catalogue admin sends the batch back with reasons."""
    user = _publisher(request)
    try:
        batch = services.reject_publication(actor=user, batch=_batch(pk), reasons=payload.reasons)
    except ValidationError as exc:
        return _refused(exc)
    return _out(batch)
