"""``{% load cards %}{% card_status_panel atena_no %}``: the card status panel of the person
view, read through :func:`jumin.cards.queries.card_status` (permission-checked, logged)."""

from __future__ import annotations

from typing import Any

from django import template

from jumin.accounts.principal import principal_for
from jumin.cards import queries
from jumin.core.errors import DomainError

register = template.Library()


@register.inclusion_tag("cards/_status.html", takes_context=True)
def card_status_panel(context: template.Context, atena_no: str) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"status": None}
    try:
        principal = principal_for(request)
        return {
            "status": queries.card_status(principal, atena_no),
            "can_record": principal.has_perm("accounts.enter_movement"),
        }
    except DomainError:
        return {"status": None}
