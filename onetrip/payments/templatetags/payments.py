from django import template

from onetrip.payments.rules import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int) -> str:
    """{{ bill.amount_fen|yuan }} → ¥12.50"""
    return _yuan(fen)
