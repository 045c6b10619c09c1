"""Intake: start an application (online, by a proxy agent or at the window), attach material
files, submit; claiming applications made for a person before they had an account."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.accounts.models import Role, User
from onetrip.cases import hooks
from onetrip.cases.models import Application, Case, CaseMaterial, Channel, State, Visit
from onetrip.cases.rules import Refused, applicant_identity, check_form_text, is_applicant
from onetrip.cases.services.mover import transition
from onetrip.cases.services.visits import add_visit
from onetrip.cases.uploads import check, save_with_file
from onetrip.catalog.models import Bundle, ItemVersion, ServiceItem
from onetrip.catalog.selectors import BundleMaterial, merged_checklist_of
from onetrip.core import trail


def create_application(
    *,
    actor: User,
    item_code: str = "",
    bundle_code: str = "",
    form: Mapping[str, Any] | None = None,
    idempotency_key: str = "",
    channel: str = Channel.ONLINE,
) -> tuple[Application, bool]:
    """Start an application (a draft case per item) for one item or one life-event bundle.

    Who it is for follows :func:`onetrip.cases.rules.applicant_identity`. With an
    ``idempotency_key`` the same request made twice returns the first application; the second
    value says whether this call created it."""
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    idempotency_key = idempotency_key.strip()
    if len(idempotency_key) > 100:
        raise ValidationError({"idempotency_key": [_("At most %(limit)s characters (you entered %(n)s).") % {
            "limit": 100, "n": len(idempotency_key)}]})
    try:
        person, extra, item, bundle, items = _intake(actor=actor, item_code=item_code, bundle_code=bundle_code,
                                                     form=dict(form or {}), channel=channel)
    except ValidationError:
        # A repeated request answers the first application even if its item has gone since
        # (looked up only here: a new key is the common case, and the unique constraint below
        # catches a repeat that gets this far).
        existing = _existing(actor, idempotency_key)
        if existing is None:
            raise
        return existing, False
    try:
        with transaction.atomic():
            application = Application(
                applicant=person.account, submitted_by=actor, company=person.company, item=item, bundle=bundle,
                channel=channel, idempotency_key=idempotency_key, form_data=extra, proxy_consent=person.consent,
                applicant_name=person.name, applicant_id_number=person.id_number, applicant_mobile=person.mobile,
            )
            application.full_clean(exclude=["applicant", "submitted_by", "company", "item", "bundle"])
            application.save()
            cases = []
            for it in items:
                version: ItemVersion = it.current  # type: ignore[assignment]
                cases.append(Case(application=application, item=it, version=version, department=version.department))
            Case.objects.bulk_create(cases)
            trail.record(actor=actor, action="application.create", obj=application,
                         summary={"item": item_code, "bundle": bundle_code, "cases": len(items), "channel": channel,
                                  "for_someone_else": person.account != actor})
    except IntegrityError:
        # The same key again (a repeated request, or one that raced in from another request):
        # return the first application.
        existing = _existing(actor, idempotency_key)
        if existing is None:
            raise
        return existing, False
    # The API shows the new cases at once: it finds them here (with their version, item and
    # department) instead of reading them back; a new application has no files yet.
    _remember(application, cases=cases, have=set())
    return application, True


def _remember(application: Application, **known: Any) -> None:
    application._known = known  # type: ignore[attr-defined]


def known(application: Application) -> dict[str, Any]:
    """What ``create_application`` or ``submit_application`` has just read or written for this
    very object (``cases`` with version, item and department; ``have``, the names of the
    materials with a current file; ``lines``, the checklist), so that the answer shown next
    need not read it again; {} otherwise."""
    return dict(getattr(application, "_known", {}))


def _existing(actor: User, idempotency_key: str) -> Application | None:
    if not idempotency_key:
        return None
    return Application.objects.filter(submitted_by=actor, idempotency_key=idempotency_key).first()


def _intake(*, actor: User, item_code: str, bundle_code: str, form: dict[str, Any], channel: str) -> tuple[
        Any, dict[str, Any], ServiceItem | None, Bundle | None, list[ServiceItem]]:
    """Who the application is for, its form fields and its items; raises ValidationError."""
    if bool(item_code) == bool(bundle_code):
        raise ValidationError(_("Name either one item or one life-event bundle."), code="item_or_bundle")
    person = applicant_identity(actor=actor, form=form, channel=channel)
    extra = check_form_text(form)
    if form.get("language") in {code for code, _name in settings.LANGUAGES}:
        extra["language"] = str(form["language"])
    if bundle_code:
        bundle = Bundle.objects.filter(code=bundle_code, is_published=True).first()
        if bundle is None:
            raise ValidationError(_("No published bundle with code “%(c)s”.") % {"c": bundle_code}, code="not_found")
        items = [e.item for e in bundle.entries.select_related("item__current__department").order_by("position")
                 if e.item.current_id]
        return person, extra, None, bundle, items
    item = ServiceItem.objects.select_related("current__department").filter(
        code=item_code, current__isnull=False).first()
    if item is None:
        raise ValidationError(_("No published item with code “%(c)s”.") % {"c": item_code}, code="not_found")
    return person, extra, item, None, [item]


def checklist(application: Application, *, versions: Sequence[int] | None = None) -> list[BundleMaterial]:
    """The application's checklist: each material of its cases' versions named once, by the
    catalogue's one merge rule (``catalog.selectors.merged_checklist``), in the items' order."""
    version_ids = list(versions) if versions is not None else list(
        application.cases.order_by("id").values_list("version_id", flat=True))
    return merged_checklist_of(version_ids)


def may_edit_materials(application: Application, actor: User, *, states: set[str] | None = None) -> None:
    """The applicant (or their proxy agent, or a window clerk) adds files to a draft or when a
    one-time notice asks for them; raises Refused otherwise. ``states``: the application's
    cases' states, if the caller has read them already."""
    if not is_applicant(application, actor) and actor.role != Role.WINDOW_CLERK:
        raise Refused(_("This is not your application."), code="not_yours")
    if states is None:
        states = set(application.cases.values_list("state", flat=True))
    if not states <= {State.DRAFT, State.AWAITING_SUPPLEMENT}:
        raise Refused(_("Materials can be added only to a draft or when a one-time notice asks for them."),
                      code="wrong_state")


def upload_material(*, actor: User, application: Application, name: str, stream: IO[bytes],
                    original_name: str) -> CaseMaterial:
    """Add one file to a checklist material (a material may have several files, up to
    ``FILES_PER_MATERIAL``). Refused, and nothing stored, if the material is not on the checklist,
    the material has its files already, or the file is too big or not really a PDF/JPEG/PNG/OFD."""
    may_edit_materials(application, actor, states=set())  # whose it is, before the file is read
    checked = check(stream)
    with transaction.atomic():
        # The application's cases, locked: a submission (which locks them too) waits for this
        # upload, or this upload sees the cases submitted and is refused.
        cases = list(Case.objects.select_for_update().filter(application_id=application.pk)
                     .order_by("id").values_list("state", "version_id"))
        may_edit_materials(application, actor, states={state for state, _version in cases})
        names = {r.name for r in checklist(application, versions=[version for _state, version in cases])}
        if name not in names:
            raise Refused(_("“%(n)s” is not on this item's checklist.") % {"n": name}, code="off_checklist")
        count = CaseMaterial.objects.filter(application=application, name=name, current=True).count()
        if count >= settings.FILES_PER_MATERIAL:
            raise Refused(_("“%(n)s” has %(c)s files already, the most allowed; remove one first.") % {
                "n": name, "c": count}, code="too_many_files")
        material = CaseMaterial(
            application=application, name=name, sha256=checked.sha256, size=checked.size,
            content_type=checked.content_type, original_name=(original_name or "")[-255:], uploaded_by=actor,
        )
        save_with_file(material, checked)
        trail.record(actor=actor, action="material.upload", obj=application,
                     summary={"material": name, "sha256": checked.sha256, "size": checked.size})
    return material


@transaction.atomic
def remove_material_file(*, actor: User, application: Application, material_id: int) -> None:
    """Take a file back out of a draft or a supplement (it stays stored, no longer current)."""
    may_edit_materials(application, actor)
    if not CaseMaterial.objects.filter(pk=material_id, application=application, current=True).update(current=False):
        raise Refused(_("No such file on this application."), code="not_found")
    trail.record(actor=actor, action="material.remove", obj=application, summary={"material_id": material_id})


def missing_materials(application: Application, *, lines: Sequence[BundleMaterial] | None = None,
                      have: set[str] | None = None) -> list[str]:
    """Required materials without a file yet. Those a government registry holds are never asked
    for (once-only)."""
    if have is None:
        have = set(application.materials.filter(current=True).values_list("name", flat=True))
    if lines is None:
        lines = checklist(application)
    return [r.name for r in lines if r.required and not r.registry and r.name not in have]


def submit_application(*, actor: User, application: Application, excused: Collection[str] = ()) -> list[Case]:
    """Submit every draft case of the application at once; each gets its case number. Submitting
    again (a double tap) changes nothing and returns the same cases. A submission at the window
    records the applicant's trip. ``excused``: required materials that may be missing because the
    window names them in a one-time notice in the same transaction (``window.take_in``)."""
    given = application
    with transaction.atomic():
        # The cases, locked (each is moved below) and read with what the mover needs, and the
        # application with them, in one query; a second submission waits here, then finds
        # them submitted.
        cases = list(Case.objects.select_for_update(of=("self",))
                     .select_related("application__applicant", "version", "item", "department")
                     .filter(application_id=application.pk).order_by("id"))
        application = cases[0].application if cases else Application.objects.get(pk=application.pk)
        if not is_applicant(application, actor) and not (
                application.channel == Channel.WINDOW and actor.role == Role.WINDOW_CLERK):
            raise Refused(_("This is not your application."), code="not_yours")
        if all(c.state != State.DRAFT for c in cases):
            return cases  # already submitted: submitting twice changes nothing
        lines = checklist(application, versions=[c.version_id for c in cases])
        have = set(application.materials.filter(current=True).values_list("name", flat=True))
        missing = [m for m in missing_materials(application, lines=lines, have=have) if m not in excused]
        if missing:
            raise Refused(_("Still missing: %(m)s") % {"m": "、".join(missing)}, code="missing_materials")
        application.submitted_at = timezone.now()
        Application.objects.filter(pk=application.pk).update(submitted_at=application.submitted_at)
        drafts = {c.pk for c in cases if c.state == State.DRAFT}
        out = [transition(case=c, action="submit", actor=actor, locked=True) if c.state == State.DRAFT else c
               for c in cases]
        if application.channel == Channel.WINDOW:
            for case in out:
                add_visit(case, Visit.Reason.SUBMIT, actor)
                case.save(update_fields=["visit_count", "updated_at"])
        # Once-only and the like: apps above cases act on the submission in its transaction.
        hooks.run("submitted", actor=actor, application=application, cases=[c for c in out if c.pk in drafts])
    _remember(given, cases=out, have=have, lines=lines)
    return out


@transaction.atomic
def claim_applications(*, actor: User) -> int:
    """Applications made for this person before they had an account (at a window, or by a proxy
    agent) become theirs: matched by the account's own resident ID number."""
    if actor.role != Role.CITIZEN or not actor.resident_id:
        return 0
    claimed = Application.objects.filter(applicant__isnull=True, applicant_id_number=actor.resident_id).update(
        applicant=actor)
    if claimed:
        trail.record(actor=actor, action="application.claim", obj=actor, summary={"applications": claimed})
    return claimed


@transaction.atomic
def supplement_application(*, actor: User, application: Application, explanations: Mapping[str, Any]) -> list[Case]:
    """Send the supplements of every case of the application awaiting them, all or none (a bundle's
    cases share one material set)."""
    cases = [transition(case=case, action="supplement", actor=actor, data={"explanations": dict(explanations)})
             for case in application.cases.filter(state=State.AWAITING_SUPPLEMENT).order_by("id")]
    if not cases:
        raise Refused(_("No one-time notice is waiting for supplements."), code="wrong_state")
    return cases
