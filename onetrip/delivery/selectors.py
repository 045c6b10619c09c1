"""Reads of 快递送达: the delivery panel of a case and the staff's "to be posted" queue."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onetrip.cases.models import Case, State
from onetrip.cases.rules import is_applicant
from onetrip.cases.selectors import is_staff_viewer, visible_cases
from onetrip.core.identity import mask_mobile, mask_name
from onetrip.delivery import rules
from onetrip.delivery.models import DeliveryChoice, Method, Shipment, ShipmentState

QUEUE_STATES = (ShipmentState.CREATED, ShipmentState.POSTED, ShipmentState.IN_TRANSIT)


def choice_of(case: Case) -> DeliveryChoice | None:
    return DeliveryChoice.objects.filter(case=case).first()


def shipment_of(case: Case) -> Shipment | None:
    return case.shipments.exclude(state=ShipmentState.CANCELLED).prefetch_related("events").first()


def panel(case: Case, user: Any, audience: str) -> dict[str, Any] | None:
    if case.state in (State.DRAFT, State.NOT_ACCEPTED, State.DENIED, State.WITHDRAWN):
        return None
    choice, shipment = choice_of(case), shipment_of(case)
    if choice is None and case.state in (State.DELIVERED, State.CLOSED):
        return None  # handed out at the window: nothing to say here
    if audience == "public":
        if choice is None or choice.method != Method.POST:
            return None
        rows = [(_("Result"), _("Sent by post")), (_("To"), rules.mask_address(choice.address))]
        if shipment is not None:
            rows += [(_("Tracking number"), shipment.tracking_number), (_("Post"), shipment.get_state_display())]
        return {"title": _("Delivery of the result"), "rows": rows}
    staff = is_staff_viewer(user, case)
    applicant = is_applicant(case, user)
    may_choose = applicant and rules.may_choose(case, shipment.state if shipment else None)
    if not (staff or applicant):
        return None
    return {
        "choice": choice, "shipment": shipment, "staff": staff, "may_choose": may_choose,
        "postable": rules.post_offered(case), "methods": Method.choices,
        "address": (choice.address if applicant else rules.mask_address(choice.address)) if choice else "",
        "phone": (choice.phone if applicant else mask_mobile(choice.phone)) if choice else "",
        "recipient": (choice.recipient_name if applicant else mask_name(choice.recipient_name)) if choice else "",
        "events": list(shipment.events.all()) if shipment else [],
        "default_name": case.application.applicant_name if applicant else "",
        "default_phone": case.application.applicant_mobile if applicant else "",
        "default_address": case.application.form_data.get("address", "") if applicant else "",
    }


def apply_panel(application: Any, user: Any, audience: str) -> dict[str, Any] | None:
    """The choice on the application form (draft, the applicant's own, an item whose result may
    be posted): the current choice of its first postable case, or the applicant's details."""
    if not is_applicant(application, user):
        return None
    drafts = [c for c in Case.objects.filter(application=application, state=State.DRAFT).select_related("version")
              .order_by("id") if rules.post_offered(c)]
    if not drafts:
        return None
    choice = choice_of(drafts[0])
    return {"choice": choice, "may_choose": True, "postable": True, "staff": False, "apply": True,
            "default_name": application.applicant_name, "default_phone": application.applicant_mobile,
            "default_address": application.form_data.get("address", ""),
            "recipient": choice.recipient_name if choice else "", "address": choice.address if choice else "",
            "phone": choice.phone if choice else ""}


def post_queue(user: Any, state: str = "created") -> QuerySet[Shipment]:
    """The shipments of the cases this member of staff may see, waiting to be posted (or on their way)."""
    states = [state] if state in ShipmentState.values else list(QUEUE_STATES)
    return (Shipment.objects.filter(case__in=visible_cases(user), state__in=states)
            .select_related("case__version", "case__department").order_by("created_at", "id"))


def shipment_for(user: Any, pk: int) -> Shipment | None:
    return Shipment.objects.filter(pk=pk, case__in=visible_cases(user)).select_related(
        "case__version", "case__department", "case__application").first()


def shipment_by_tracking(user: Any, number: str) -> Shipment | None:
    return Shipment.objects.filter(tracking_number=number, case__in=visible_cases(user)).select_related(
        "case__version").first()
