"""Writes to the catalogue. Drafts are edited; publishing freezes a version in a batch.

Every function takes the acting user, runs in one transaction, validates with
``full_clean`` before writing anything, and records itself on the trail.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import User
from onetrip.accounts.permissions import Capability, can
from onetrip.catalog import engine, hooks
from onetrip.catalog.documents import CATALOG
from onetrip.catalog.models import (
    Bundle,
    BundleItem,
    Fee,
    ItemVersion,
    MaterialRequirement,
    ProcessStep,
    PublicationBatch,
    SearchPhrase,
    SearchQuery,
    ServiceItem,
    SpecialProcedure,
)
from onetrip.core import trail

# The guide's own fields, in the order a guide shows them.
GUIDE_FIELDS: tuple[str, ...] = (
    "name",
    "name_en",
    "kind",
    "department",
    "exercise_level",
    "audience",
    "legal_basis",
    "acceptance_conditions",
    "legal_limit_days",
    "promised_limit_days",
    "max_visits",
    "online",
    "postable",
    "location",
    "window",
    "office_hours",
    "consultation_phone",
    "complaint_phone",
    "result_name",
)

# Lists hanging under a version: (relation name, model, fields copied and compared).
CHILDREN: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "materials": (
        MaterialRequirement,
        ("name", "form", "copies", "required", "condition", "source", "registry", "sample", "notes"),
    ),
    "fees": (Fee, ("name", "standard", "basis", "amount_rule", "amount_fen", "unit_field", "unit_label", "due_at",
                   "blocks_result", "refundable")),
    "special_procedures": (SpecialProcedure, ("name", "max_days", "excluded_from_limit")),
    "steps": (ProcessStep, ("name", "actor", "role", "limit_days", "description")),
}

ChildRows = Sequence[Mapping[str, Any]]


def _refuse_unless_draft(version: ItemVersion) -> None:
    if version.status != ItemVersion.Status.DRAFT:
        raise ValidationError(
            _("Version %(n)s of %(code)s is %(status)s and can no longer be changed; start a new draft."),
            code="immutable",
            params={"n": version.number, "code": version.item.code, "status": version.get_status_display()},
        )
    pending = pending_batch_of(version)
    if pending is not None:
        raise ValidationError(
            _("%(code)s v%(n)s is awaiting review in batch “%(b)s” and cannot be changed until it is "
              "rejected or withdrawn."),
            code="under_review",
            params={"n": version.number, "code": version.item.code, "b": pending.name},
        )


def pending_batch_of(version: ItemVersion) -> PublicationBatch | None:
    """The proposed batch a draft is waiting in, if any."""
    return PublicationBatch.objects.filter(proposed_versions=version, status=PublicationBatch.Status.PROPOSED).first()


def _check_guide_keys(guide: Mapping[str, Any]) -> None:
    unknown = set(guide) - set(GUIDE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown guide fields: %(f)s") % {"f": ", ".join(sorted(unknown))})


def _build_children(version: ItemVersion, children: Mapping[str, ChildRows | None]) -> dict[str, list[models.Model]]:
    """Build and validate child rows; raise one ValidationError naming every bad row."""
    built: dict[str, list[models.Model]] = {}
    errors: dict[str, list[str]] = {}
    for relation, rows in children.items():
        if rows is None:
            continue
        if relation not in CHILDREN:
            raise ValidationError(_("Unknown list “%(r)s”.") % {"r": relation})
        model, fields = CHILDREN[relation]
        objs = []
        for index, row in enumerate(rows):
            unknown = set(row) - set(fields)
            if unknown:
                errors[f"{relation}[{index + 1}]"] = [_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}]
                continue
            obj = model(version=version, position=index + 1, **row)
            try:
                obj.full_clean(exclude=["version"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors[f"{relation}[{index + 1}].{field}"] = messages
            objs.append(obj)
        built[relation] = objs
    if errors:
        raise ValidationError(errors)
    return built


def _validate_version(version: ItemVersion) -> None:
    version.full_clean(exclude=["item", "created_by"], validate_constraints=False)
    if version.promised_limit_days > version.legal_limit_days:
        raise ValidationError(
            {"promised_limit_days": [_("The promised time limit cannot be longer than the legal time limit.")]}
        )


def _write_version(version: ItemVersion, children: Mapping[str, ChildRows | None]) -> dict[str, list[models.Model]]:
    """Validate the version and its lists (all errors at once), then save both."""
    _validate_version(version)
    built = _build_children(version, children)
    version.save()
    _save_children(version, built)
    return built


def _save_children(version: ItemVersion, built: Mapping[str, list[models.Model]]) -> None:
    for relation, objs in built.items():
        model, _fields = CHILDREN[relation]
        model._default_manager.filter(version=version).delete()  # type: ignore[attr-defined]
        model._default_manager.bulk_create(objs)  # type: ignore[attr-defined]


@transaction.atomic
def create_item(
    *,
    actor: User,
    code: str,
    guide: Mapping[str, Any],
    parent: ServiceItem | None = None,
    sort_order: int = 0,
    materials: ChildRows = (),
    fees: ChildRows = (),
    special_procedures: ChildRows = (),
    steps: ChildRows = (),
) -> ItemVersion:
    """Create a new item with its first draft version."""
    _check_guide_keys(guide)
    if parent is not None and parent.parent_id is not None:
        raise ValidationError({"parent": [_("A sub-item cannot have sub-items of its own.")]})
    item = ServiceItem(code=code.strip(), parent=parent, sort_order=sort_order)
    item.full_clean()
    item.save()
    version = ItemVersion(item=item, number=1, created_by=actor, **guide)
    _write_version(version, {"materials": materials, "fees": fees, "special_procedures": special_procedures,
                             "steps": steps})
    trail.record(actor=actor, action="catalog.item.create", obj=item, summary={"code": item.code, "name": version.name})
    return version


@transaction.atomic
def update_draft(
    *,
    actor: User,
    version: ItemVersion,
    guide: Mapping[str, Any] | None = None,
    materials: ChildRows | None = None,
    fees: ChildRows | None = None,
    special_procedures: ChildRows | None = None,
    steps: ChildRows | None = None,
) -> ItemVersion:
    """Change a draft. Lists given replace the draft's list; lists left out stay as they are."""
    version = ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)
    _refuse_unless_draft(version)
    guide = guide or {}
    _check_guide_keys(guide)
    changed = sorted(k for k, v in guide.items() if getattr(version, k) != v)
    for key, value in guide.items():
        setattr(version, key, value)
    built = _write_version(version, {"materials": materials, "fees": fees,
                                     "special_procedures": special_procedures, "steps": steps})
    trail.record(
        actor=actor,
        action="catalog.draft.update",
        obj=version,
        summary={"code": version.item.code, "fields": changed, "lists": sorted(built)},
    )
    return version


def _child_rows(version: ItemVersion, relation: str) -> list[dict[str, Any]]:
    _model, fields = CHILDREN[relation]
    return [{f: getattr(obj, f) for f in fields} for obj in getattr(version, relation).all()]


@transaction.atomic
def start_draft(*, actor: User, item: ServiceItem) -> ItemVersion:
    """Open a new draft that starts as a copy of the published version."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    if item.versions.filter(status=ItemVersion.Status.DRAFT).exists():
        raise ValidationError(_("%(code)s already has a draft; edit that one.") % {"code": item.code}, code="draft_exists")
    source = item.current or item.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(_("%(code)s has no version to start from.") % {"code": item.code})
    number = next_version_number(item)
    draft = ItemVersion(item=item, number=number, created_by=actor,
                        **{f: getattr(source, f) for f in GUIDE_FIELDS})
    draft.save()
    built = _build_children(draft, {rel: _child_rows(source, rel) for rel in CHILDREN})
    _save_children(draft, built)
    trail.record(actor=actor, action="catalog.draft.start", obj=draft,
                 summary={"code": item.code, "from_version": source.number, "number": number})
    return draft


@transaction.atomic
def discard_draft(*, actor: User, version: ItemVersion) -> None:
    version = ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)
    _refuse_unless_draft(version)
    item = version.item
    summary = {"code": item.code, "number": version.number}
    for relation in CHILDREN:
        getattr(version, relation).all().delete()
    version.delete()
    trail.record(actor=actor, action="catalog.draft.discard", obj=item, summary=summary)


# --- Publication: two people ---------------------------------------------------------------
# A catalogue admin proposes a batch of drafts; a second catalogue admin approves it (only then
# do the versions go public) or rejects it with reasons. The proposer may withdraw it.


def _lock_drafts(versions: Iterable[ItemVersion]) -> list[ItemVersion]:
    ids = [v.pk for v in versions]
    if not ids:
        raise ValidationError(_("Choose at least one draft to publish."), code="empty")
    return list(ItemVersion.objects.select_for_update().select_related("item").filter(pk__in=ids).order_by("pk"))


def _publishable_errors(locked: Sequence[ItemVersion], *, batch: PublicationBatch | None = None) -> list[str]:
    """Why these drafts cannot be published together (empty when they can)."""
    errors = []
    pending = dict(
        PublicationBatch.proposed_versions.through.objects.filter(
            itemversion_id__in=[v.pk for v in locked], publicationbatch__status=PublicationBatch.Status.PROPOSED
        ).exclude(publicationbatch=batch).values_list("itemversion_id", "publicationbatch__name")
    )
    for version in locked:
        if version.status != ItemVersion.Status.DRAFT:
            errors.append(_("%(code)s v%(n)s is not a draft.") % {"code": version.item.code, "n": version.number})
            continue
        if version.pk in pending:
            errors.append(_("%(code)s v%(n)s is already awaiting review in batch “%(b)s”.") % {
                "code": version.item.code, "n": version.number, "b": pending[version.pk]})
        if not version.materials.exists():
            errors.append(_("%(code)s has an empty materials checklist.") % {"code": version.item.code})
        parent_id = version.item.parent_id
        if parent_id and not ServiceItem.objects.filter(pk=parent_id, current__isnull=False).exists() and not any(
            v.item_id == parent_id for v in locked
        ):
            errors.append(_("%(code)s is a sub-item whose main item is not published.") % {"code": version.item.code})
    return errors


def _make_public(batch: PublicationBatch, locked: Sequence[ItemVersion]) -> None:
    """Each version becomes its item's current version and is frozen; the version it replaces
    is kept as superseded; the search index learns the new guides."""
    now = timezone.now()
    for version in locked:
        item = version.item
        if item.current_id:
            ItemVersion.objects.filter(pk=item.current_id).update(status=ItemVersion.Status.SUPERSEDED)
        ItemVersion.objects.filter(pk=version.pk).update(
            status=ItemVersion.Status.PUBLISHED, batch=batch, published_at=now
        )
        ServiceItem.objects.filter(pk=item.pk).update(current=version)
    engine.touch(CATALOG)
    hooks.published(locked)


def _items_summary(locked: Sequence[ItemVersion]) -> list[str]:
    return sorted(f"{v.item.code} v{v.number}" for v in locked)


def _require_publisher(actor: User) -> None:
    if not can(actor, Capability.PUBLISH_CATALOG):
        raise PermissionDenied(_("Only a catalogue admin may propose, approve or reject a publication."))


@transaction.atomic
def _publishable_batch(name: str, versions: Iterable[ItemVersion]) -> list[ItemVersion]:
    """Lock the drafts of a batch about to be proposed or seeded, refusing a nameless batch and
    drafts that cannot be published, with every reason at once."""
    if not name.strip():
        raise ValidationError({"name": [_("Give the publication batch a name.")]})
    locked = _lock_drafts(versions)
    errors = _publishable_errors(locked)
    if errors:
        raise ValidationError(errors)
    return locked


def propose_publication(
    *,
    actor: User,
    versions: Iterable[ItemVersion],
    name: str,
    note: str = "",
    published_on: dt.date | None = None,
) -> PublicationBatch:
    """Propose drafts for publication as one batch (成熟一批、公布一批). Nothing goes public
    until a second catalogue admin approves it; meanwhile the drafts cannot be edited."""
    _require_publisher(actor)
    locked = _publishable_batch(name, versions)
    batch = PublicationBatch(name=name.strip(), note=note.strip(), published_on=published_on,
                             status=PublicationBatch.Status.PROPOSED, proposed_by=actor, proposed_at=timezone.now())
    batch.full_clean()
    batch.save()
    batch.proposed_versions.set(locked)
    trail.record(actor=actor, action="catalog.publication.propose", obj=batch,
                 summary={"batch": batch.name, "items": _items_summary(locked), "note": batch.note})
    return batch


def _lock_pending(batch: PublicationBatch) -> PublicationBatch:
    batch = PublicationBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != PublicationBatch.Status.PROPOSED:
        raise ValidationError(
            _("Batch “%(b)s” is no longer awaiting review (%(s)s).") % {"b": batch.name, "s": batch.get_status_display()},
            code="not_pending",
        )
    return batch


@transaction.atomic
def approve_publication(*, actor: User, batch: PublicationBatch, comment: str = "") -> PublicationBatch:
    """The second admin's approval: the proposed drafts go public now, as this batch."""
    _require_publisher(actor)
    batch = _lock_pending(batch)
    if batch.proposed_by_id == actor.pk:
        raise ValidationError(
            _("You proposed this batch yourself; a second catalogue admin must approve it."), code="same_person"
        )
    locked = _lock_drafts(batch.proposed_versions.all())
    errors = _publishable_errors(locked, batch=batch)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    batch.status = PublicationBatch.Status.PUBLISHED
    batch.published_by = batch.reviewed_by = actor
    batch.published_on = batch.published_on or timezone.localdate(now)
    batch.reviewed_at = now
    batch.review_note = comment.strip()
    batch.full_clean()
    batch.save()
    _make_public(batch, locked)
    trail.record(actor=actor, action="catalog.publication.approve", obj=batch,
                 summary={"batch": batch.name, "items": _items_summary(locked),
                          "proposed_by": batch.proposed_by.username if batch.proposed_by else None})
    return batch


@transaction.atomic
def reject_publication(*, actor: User, batch: PublicationBatch, reasons: str) -> PublicationBatch:
    """The second admin sends the batch back with reasons; the drafts stay drafts and can be
    edited and proposed again."""
    _require_publisher(actor)
    batch = _lock_pending(batch)
    if batch.proposed_by_id == actor.pk:
        raise ValidationError(
            _("You proposed this batch yourself; withdraw it instead, or let a second admin review it."),
            code="same_person",
        )
    if not reasons.strip():
        raise ValidationError({"reasons": [_("Say why the batch is rejected, so that it can be put right.")]})
    batch.status = PublicationBatch.Status.REJECTED
    batch.reviewed_by, batch.reviewed_at, batch.review_note = actor, timezone.now(), reasons.strip()
    batch.save()
    trail.record(actor=actor, action="catalog.publication.reject", obj=batch,
                 summary={"batch": batch.name, "reasons": batch.review_note})
    return batch


@transaction.atomic
def withdraw_publication(*, actor: User, batch: PublicationBatch) -> PublicationBatch:
    """The proposer takes the batch back before anyone has decided on it."""
    batch = _lock_pending(batch)
    if batch.proposed_by_id != actor.pk:
        raise ValidationError(_("Only the admin who proposed the batch can withdraw it."), code="not_proposer")
    batch.status = PublicationBatch.Status.WITHDRAWN
    batch.reviewed_by, batch.reviewed_at = actor, timezone.now()
    batch.save()
    trail.record(actor=actor, action="catalog.publication.withdraw", obj=batch, summary={"batch": batch.name})
    return batch


@transaction.atomic
def publish_for_seeding(
    *,
    actor: User,
    versions: Iterable[ItemVersion],
    name: str,
    published_on: dt.date | None = None,
    note: str = "",
) -> PublicationBatch:
    """Publish drafts at once, WITHOUT the second admin's review. For loading the demo district
    (``manage.py demo``) and for test fixtures only: never call it from a page, the admin, the
    API or an import. The batch has no proposer and its trail entry says it was seeded."""
    locked = _publishable_batch(name, versions)
    batch = PublicationBatch(name=name.strip(), note=note, status=PublicationBatch.Status.PUBLISHED,
                             published_on=published_on or timezone.localdate(), published_by=actor)
    batch.full_clean()
    batch.save()
    _make_public(batch, locked)
    trail.record(actor=actor, action="catalog.publish.seed", obj=batch,
                 summary={"batch": batch.name, "items": _items_summary(locked), "review": "none (seeding)"})
    return batch


@transaction.atomic
def save_bundle(
    *,
    actor: User,
    code: str,
    name: str,
    items: Sequence[ServiceItem],
    name_en: str = "",
    description: str = "",
    audience: str = "both",
    is_published: bool = True,
    sort_order: int = 0,
) -> Bundle:
    """Create or replace a life-event bundle with its ordered items."""
    if not items:
        raise ValidationError({"items": [_("A bundle needs at least one item.")]})
    if len({i.pk for i in items}) != len(items):
        raise ValidationError({"items": [_("An item appears twice in the bundle.")]})
    unpublished = [i.code for i in items if i.current_id is None]
    if is_published and unpublished:
        raise ValidationError({"items": [_("Not published yet: %(c)s") % {"c": ", ".join(unpublished)}]})
    bundle = Bundle.objects.select_for_update().filter(code=code).first() or Bundle(code=code)
    created = bundle.pk is None
    bundle.name, bundle.name_en, bundle.description = name, name_en, description
    bundle.audience, bundle.is_published, bundle.sort_order = audience, is_published, sort_order
    bundle.full_clean()
    bundle.save()
    BundleItem.objects.filter(bundle=bundle).delete()
    BundleItem.objects.bulk_create(
        [BundleItem(bundle=bundle, item=item, position=n + 1) for n, item in enumerate(items)]
    )
    engine.touch(CATALOG)
    trail.record(
        actor=actor,
        action="catalog.bundle.create" if created else "catalog.bundle.update",
        obj=bundle,
        summary={"code": code, "items": [i.code for i in items]},
    )
    return bundle


@transaction.atomic
def record_admin_edit(*, actor: User, version: ItemVersion, created: bool) -> ItemVersion:
    """The admin pages save drafts with Django's forms; this checks the saved draft against
    the same rules as ``update_draft`` and puts the edit on the trail."""
    version = ItemVersion.objects.select_related("item").get(pk=version.pk)
    _refuse_unless_draft(version)
    _validate_version(version)
    trail.record(
        actor=actor,
        action="catalog.draft.create" if created else "catalog.draft.update",
        obj=version,
        summary={"code": version.item.code, "number": version.number, "via": "admin"},
    )
    return version


def next_version_number(item: ServiceItem) -> int:
    return (item.versions.aggregate(n=models.Max("number"))["n"] or 0) + 1


@transaction.atomic
def record_bundle_admin_edit(*, actor: User, bundle: Bundle, created: bool) -> Bundle:
    """The admin pages save bundles with Django's forms; this puts the edit on the trail and
    tells the search engine that bundles changed."""
    engine.touch(CATALOG)
    trail.record(
        actor=actor,
        action="catalog.bundle.create" if created else "catalog.bundle.update",
        obj=bundle,
        summary={"code": bundle.code, "items": list(bundle.entries.values_list("item__code", flat=True)),
                 "via": "admin"},
    )
    return bundle


# --- The search dictionary and the search log ------------------------------------------------------

def _require_editor(actor: User) -> None:
    if not can(actor, Capability.EDIT_CATALOG):
        raise PermissionDenied(_("Only a catalogue admin may change the search dictionary."))


@transaction.atomic
def save_phrase(*, actor: User, phrase: str, targets: str, kind: str = SearchPhrase.Kind.SYNONYM,
                note: str = "", entry: SearchPhrase | None = None) -> SearchPhrase:
    """Add or change a line of the search dictionary; every process's search learns it at its
    next query."""
    _require_editor(actor)
    entry = entry or SearchPhrase.objects.filter(phrase=engine.normalize(phrase)).first() or SearchPhrase()
    created = entry.pk is None
    entry.phrase, entry.targets, entry.kind, entry.note = engine.normalize(phrase), targets.strip(), kind, note
    entry.full_clean()
    if not entry.target_list:
        raise ValidationError({"targets": [_("Give at least one catalogue word.")]})
    entry.save()
    engine.touch(engine.DICTIONARY)
    trail.record(actor=actor, action="catalog.search_phrase.create" if created else "catalog.search_phrase.update",
                 obj=entry, summary={"phrase": entry.phrase, "kind": entry.kind, "targets": entry.target_list})
    return entry


@transaction.atomic
def delete_phrase(*, actor: User, entry: SearchPhrase) -> None:
    _require_editor(actor)
    trail.record(actor=actor, action="catalog.search_phrase.delete", obj=entry,
                 summary={"phrase": entry.phrase, "targets": entry.target_list})
    entry.delete()
    engine.touch(engine.DICTIONARY)


_LONG_NUMBER = re.compile(r"[0-9](?:[ \-]?[0-9]){5,}[xX]?")
_EMAIL = re.compile(r"\S+@\S+")


def loggable_query(raw: str) -> str:
    """The query as the search log keeps it: normalized (full-width to half-width, lower case,
    single spaces), and with no personal data: every run of six or more digits (an ID number,
    a mobile, a case number, a bank card) and every e-mail address becomes ``#``."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = _LONG_NUMBER.sub("#", _EMAIL.sub("#", text))
    return engine.normalize(text)


def record_search(*, query: str, results: int) -> SearchQuery | None:
    """Count one public search of ``query`` and whether it found anything. Nothing about who
    searched is kept. Returns the log row (its id goes into the result links, to count the
    click), or None for an empty query."""
    text = loggable_query(query)
    if not text:
        return None
    now = timezone.now()
    zero = 1 if results == 0 else 0
    changes = {"searches": models.F("searches") + 1, "zero_results": models.F("zero_results") + zero,
               "last_results": results, "last_seen": now}
    if not SearchQuery.objects.filter(query=text).update(**changes):
        try:
            with transaction.atomic():
                return SearchQuery.objects.create(query=text, searches=1, zero_results=zero, last_results=results,
                                                  last_seen=now)
        except IntegrityError:  # logged meanwhile by another request
            SearchQuery.objects.filter(query=text).update(**changes)
    return SearchQuery.objects.filter(query=text).only("id").first()


def record_click(*, query_id: int) -> None:
    """Count one result opened from a search (the result links pass through this)."""
    SearchQuery.objects.filter(pk=query_id).update(clicks=models.F("clicks") + 1)


@transaction.atomic
def dismiss_query(*, actor: User, query: SearchQuery) -> SearchQuery:
    """A catalogue admin has dealt with a query (added a dictionary word, or judged it out of
    scope): it leaves the work list until it fails again after this moment."""
    _require_editor(actor)
    query.dismissed_at = timezone.now()
    query.save(update_fields=["dismissed_at"])
    trail.record(actor=actor, action="catalog.search_query.dismiss", obj=query, summary={"query": query.query})
    return query
