"""How payments plugs into cases (called from ``PaymentsConfig.ready``): bills raised on the
fee's step, the result waiting for payment, refunds on withdrawal, the bills panel."""

from __future__ import annotations

from onetrip.cases import hooks


def connect() -> None:
    from onetrip.payments import selectors, services

    hooks.register_follower("payments.raise_bills", set(services.RAISED_ON), services.raise_bills)
    hooks.register_follower("payments.settle_on_withdrawal", {"withdraw"}, services.settle_on_withdrawal)
    hooks.register_blocker("payments.unpaid", {"issue_result", "hand_out", "deliver", "post_delivered"},
                           services.unpaid_blocker)
    hooks.register_panel(hooks.Panel("payments.bills", frozenset({"applicant", "staff", "public"}),
                                     selectors.panel, template="payments/_bills.html", position=10))
