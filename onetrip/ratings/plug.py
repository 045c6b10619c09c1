"""How ratings plug into cases (called from ``RatingsConfig.ready``): the invitation sent when a
case closes (a follower of ``hand_out`` and ``close``), its SMS on the outbox, the rating panel
on the applicant's case page, and the timeline's sentence."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onetrip.cases import actions, hooks
from onetrip.core import outbox

INVITATION_SMS = _("Case %(number)s (%(item)s) is done. How satisfied are you? Rate it here within %(days)s days: "
                   "%(url)s")


def connect() -> None:
    from onetrip.ratings import selectors, services

    outbox.register(services.INVITATION_EVENT, INVITATION_SMS)
    hooks.register_follower("ratings.invitation", {"hand_out", "close"}, services.invite)
    hooks.register_panel(hooks.Panel("ratings.rating", frozenset({"applicant"}), selectors.panel,
                                     template="ratings/_panel.html", position=90))
    actions.register_event("ratings.rated", _("Service rated"))
