"""Writes for cases, one module per concern:

- ``intake``: start an application (online, proxy agent, window), add material files, submit,
  claim applications made before the person had an account;
- ``mover``: ``transition``, the one function that moves a case, ``can_act`` and ``actions_for``;
- ``effects``: the lifecycle's actions, one record each, with their effects;
- ``visits``: trips to an office;
- ``window``: 一窗受理, the window's check of the materials and its decision in one step;
- ``privacy``: unmasking, opening materials, the public progress lookup;
- ``sweep``: the worker's pass over cases (deemed acceptance, lights, overdue).

The reform's rules are named functions in ``onetrip.cases.rules``; the clock's in
``onetrip.cases.clock``; the action records in ``onetrip.cases.actions``.
"""

from onetrip.cases.models import ProxyConsent
from onetrip.cases.rules import Refused
from onetrip.cases.services import effects  # noqa: F401  (registers the lifecycle's actions)
from onetrip.cases.services.consent import confirm_consent_code, record_consent_form, send_consent_code
from onetrip.cases.services.effects import issue_notice
from onetrip.cases.services.intake import (
    checklist,
    claim_applications,
    create_application,
    known,
    missing_materials,
    remove_material_file,
    submit_application,
    supplement_application,
    upload_material,
)
from onetrip.cases.services.mover import actions_for, can_act, check_actor, transition
from onetrip.cases.services.numbers import next_case_number
from onetrip.cases.services.printing import print_document
from onetrip.cases.services.privacy import (
    Throttled,
    lookup_progress,
    open_material,
    reveal_applicant,
    show_previews,
)
from onetrip.cases.services.sweep import tick
from onetrip.cases.services.visits import record_visit
from onetrip.cases.services.window import take_in

__all__ = [
    "ProxyConsent", "Refused", "Throttled", "confirm_consent_code", "record_consent_form", "send_consent_code", "actions_for", "can_act", "check_actor", "checklist", "claim_applications",
    "create_application", "known", "issue_notice", "lookup_progress", "missing_materials", "next_case_number", "open_material", "print_document",
    "record_visit", "remove_material_file", "reveal_applicant", "show_previews", "submit_application", "supplement_application", "take_in", "tick", "transition",
    "upload_material",
]
