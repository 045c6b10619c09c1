"""How the registries plug into cases (``onetrip.cases.hooks``), connected in ``apps.ready``:

- ``company_applicant``: a company the registry shows as no longer active cannot apply;
- ``submitted``: once-only — the registry-held materials are supplied and recorded;
- ``case_view``: the sentences of those materials, and for staff the records beside them;
- ``apply_initial``: the applicant's address from their own record."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onetrip.cases import actions, hooks
from onetrip.registries import selectors, services


def case_view(*, case: Any, user: Any, view: dict[str, Any]) -> None:
    lines = [line for line in view.get("materials", []) if line["req"].registry]
    if not lines or case.state == "draft":
        return
    records = services.case_records(actor=user, case=case) if view.get("staff") else [
        {"material": w.name, "found": w.found, "registry": w.registry} for w in selectors.waived_for_case(case)]
    by_name = {r["material"]: r for r in records}
    provided = [line["req"].name for line in lines if by_name.get(line["req"].name, {}).get("found")]
    if provided and not view.get("staff"):
        view["panels"].append({"template": "registries/_waived.html", "provided": provided})
    for line in lines:
        record = by_name.get(line["req"].name)
        if record is None:
            continue
        registry = line["req"].get_registry_display()
        if record["found"]:
            line["status_label"] = _("Provided by the government (%(r)s): nothing to upload") % {"r": registry}
        else:
            line["status_label"] = _("Not found in the %(r)s: the window may ask for it") % {"r": registry}
        if view.get("staff"):
            line["extra_template"] = "registries/_record.html"
            line["extra"] = record


def timeline_details(*, action: str, summary: dict[str, Any], for_staff: bool) -> list[str]:
    """The registries' trail entries on a case, in words (staff only see them)."""
    if not for_staff:
        return []
    names = {"population": _("population registry"), "company": _("company registry"),
             "licence": _("electronic licence registry"), "archive": _("electronic archive")}
    if action == "registry.read":
        out = [_("%(r)s: record %(k)s") % {"r": names.get(summary.get("registry", ""), ""), "k": summary.get("record", "")}]
        if not summary.get("found"):
            out.append(_("No such record"))
        if summary.get("purpose"):
            out.append(_("Purpose: %(p)s") % {"p": summary["purpose"]})
        return out
    if action == "registry.supply":
        return [_("Provided: %(m)s") % {"m": "、".join(m["name"] for m in summary.get("supplied", []) if m.get("found"))},
                _("Not found: %(m)s") % {"m": "、".join(m["name"] for m in summary.get("supplied", [])
                                                        if not m.get("found"))}
                if any(not m.get("found") for m in summary.get("supplied", [])) else ""]
    if action == "personal_data.view" and summary.get("registry_records"):
        return [_("Registry records shown: %(m)s") % {"m": "、".join(summary["registry_records"])}]
    return []


def connect() -> None:
    actions.register_event("registry.read", gettext_lazy("Registry record read"))
    actions.register_event("registry.supply", gettext_lazy("Materials provided by the registries (once-only)"))
    hooks.register("timeline_details", timeline_details)
    hooks.register("company_applicant", services.check_company_applicant)
    hooks.register("submitted", services.supply_materials)
    hooks.register("case_view", case_view)
    hooks.register("apply_initial", selectors.apply_initial)
