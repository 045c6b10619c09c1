"""``{% case_panels "applicant" %}``: the sections apps above cases add to a case page
(``onetrip.cases.hooks.register_panel``), rendered in position order."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from onetrip.cases import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def case_panels(context: Any, audience: str) -> SafeString:
    key = "app" if audience == "apply" else "case"  # the application form shows the draft application's
    obj = context.get(key)
    request = context.get("request")
    if obj is None or request is None:
        return mark_safe("")
    parts = []
    for panel, ctx in hooks.panels_for(obj, request.user, audience):
        parts.append(render_to_string(panel.template, {key: obj, **ctx}, request=request))
    return mark_safe("".join(parts))  # noqa: S308  (rendered templates, autoescaped)
