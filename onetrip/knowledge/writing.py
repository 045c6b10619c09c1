"""The articles written from a service guide: one per topic, each a question people ask and the
answer the guide gives, in the district's language. Rewritten whole from each newly published
version (``services.write_from_guides``); nobody edits them by hand — the guide is the source."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from onetrip.catalog.models import ItemVersion, MaterialForm, Registry
from onetrip.knowledge.models import Topic


@dataclass(frozen=True)
class Written:
    topic: str
    question: str
    answer: str


def _materials(v: ItemVersion) -> str:
    rows = list(v.materials.all())
    if not rows:
        return _("No materials are needed for %(name)s.") % {"name": v.name}
    lines = [_("For %(name)s, bring:") % {"name": v.name}]
    forms = dict(MaterialForm.choices)
    registries = dict(Registry.choices)
    for n, m in enumerate(rows, 1):
        line = _("%(n)d. %(material)s (%(form)s, %(copies)d)") % {
            "n": n, "material": m.name, "form": forms.get(m.form, m.form), "copies": m.copies}
        if m.registry:
            line += _(" — you need not bring it: the office takes it from the %(registry)s") % {
                "registry": registries.get(m.registry, "")}
        elif not m.required and m.condition:
            line += _(" — only %(condition)s") % {"condition": m.condition}
        lines.append(line)
    return "\n".join(lines)


def _time(v: ItemVersion) -> str:
    if v.promised_limit_days == 0:
        text = _("%(name)s is done on the spot.") % {"name": v.name}
    else:
        text = _("%(name)s is decided within %(promised)d working days of acceptance (the law allows "
                 "%(legal)d).") % {"name": v.name, "promised": v.promised_limit_days, "legal": v.legal_limit_days}
    return text + " " + _("At most %(visits)d trip(s) to the office.") % {"visits": v.max_visits}


def _where(v: ItemVersion) -> str:
    parts = []
    if v.location:
        parts.append(_("Where: %(place)s.") % {"place": v.location})
    if v.window:
        parts.append(_("Window: %(window)s.") % {"window": v.window})
    if v.office_hours:
        parts.append(_("Opening hours: %(hours)s.") % {"hours": v.office_hours})
    if v.online:
        parts.append(_("It can also be done fully online, without coming."))
    if v.consultation_phone:
        parts.append(_("Questions: call %(phone)s.") % {"phone": v.consultation_phone})
    if not parts:
        parts.append(_("At any comprehensive window of the government service hall."))
    return " ".join(parts)


def _fees(v: ItemVersion) -> str:
    rows = list(v.fees.all())
    if not rows:
        return _("%(name)s is free of charge.") % {"name": v.name}
    lines = [_("%(name)s has these fees:") % {"name": v.name}]
    lines += [_("%(fee)s: %(standard)s (basis: %(basis)s)") % {"fee": f.name, "standard": f.standard,
                                                              "basis": f.basis} for f in rows]
    return "\n".join(lines)


def _online(v: ItemVersion) -> str:
    if v.online:
        text = _("Yes: %(name)s can be applied for online on this site, without coming to the hall.") % {
            "name": v.name}
    else:
        text = _("%(name)s cannot be done fully online: apply at any comprehensive window (at most "
                 "%(visits)d trip(s)).") % {"name": v.name, "visits": v.max_visits}
    if v.postable:
        text += " " + _("The result can be sent by post.")
    return text


def from_guide(v: ItemVersion) -> list[Written]:
    """The five articles of one published version, in the district's language."""
    with translation.override(settings.LANGUAGE_CODE):
        name = v.name
        return [
            Written(Topic.MATERIALS, _("What do I need to bring for %(name)s?") % {"name": name}, _materials(v)),
            Written(Topic.TIME, _("How long does %(name)s take?") % {"name": name}, _time(v)),
            Written(Topic.WHERE, _("Where do I go for %(name)s?") % {"name": name}, _where(v)),
            Written(Topic.FEES, _("Does %(name)s cost anything?") % {"name": name}, _fees(v)),
            Written(Topic.ONLINE, _("Can %(name)s be done online?") % {"name": name}, _online(v)),
        ]
