"""How delivery plugs into cases (called from ``DeliveryConfig.ready``): the ``post_delivered``
action (through the mover: the case is delivered with no trip, then closed), the shipment made
when a posted result is ready, the manual ``deliver`` kept off shipments of the post queue, and
the delivery panels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onetrip.cases import actions, hooks
from onetrip.cases.actions import CLERK, OFFICER, SYSTEM, Action
from onetrip.cases.models import State
from onetrip.core import outbox

POST_DELIVERED_SMS = _("Case %(number)s (%(item)s): the result was delivered to you by post. The case is closed.")


def connect() -> None:
    from onetrip.delivery import selectors, services

    actions.register(Action(
        "post_delivered", frozenset({State.RESULT_READY}), State.DELIVERED, frozenset({CLERK, OFFICER, SYSTEM}),
        label=_("Record delivery by post"), event=_("Result delivered by post"), effect=services._post_delivered,
        available=lambda case: False,  # moved by the shipment's tracking (delivery.services.update_shipment)
        sms=POST_DELIVERED_SMS,
        doc="快递送达: recorded when the carrier reports the shipment delivered; the case is then closed."))
    outbox.register("case.post_delivered", POST_DELIVERED_SMS)
    hooks.register_follower("delivery.shipment", {"issue_result"}, services.on_result_ready)
    hooks.register_blocker("delivery.post_queue", {"deliver", "hand_out"}, services.posted_elsewhere)
    hooks.register_panel(hooks.Panel("delivery.choice", frozenset({"applicant", "staff", "public"}),
                                     selectors.panel, template="delivery/_panel.html", position=20))
    hooks.register_panel(hooks.Panel("delivery.apply", frozenset({"apply"}), selectors.apply_panel,
                                     template="delivery/_panel.html", position=20))
