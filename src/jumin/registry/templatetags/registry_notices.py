"""``{% movement_notices movement as links %}``: the notice PDFs the movement has and the
operator may print (jumin.registry.notices.offered), for the buttons of the movement screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from jumin.accounts.principal import principal_for
from jumin.registry.models import Movement
from jumin.registry.notices import NoticeKind, offered

register = template.Library()

LABELS = {
    NoticeKind.CONFIRMATION: ("確認用帳票（PDF）", "Alt+1"),
    NoticeKind.RECEIPT: ("住民異動届受理通知（PDF）", "Alt+2"),
    NoticeKind.EX_OFFICIO_RECORD: ("職権記録書（PDF）", "Alt+3"),
    NoticeKind.EX_OFFICIO_NOTICE: ("職権記載等通知書（PDF）", "Alt+4"),
    NoticeKind.HEAD_CHANGE: ("世帯主変更（依頼）通知書（PDF）", "Alt+5"),
}


@dataclass(frozen=True)
class NoticeLink:
    label: str
    url: str
    shortcut: str


@register.simple_tag(takes_context=True)
def movement_notices(context: dict[str, Any], movement: Movement) -> list[NoticeLink]:
    request = context.get("request")
    if request is None:
        return []
    return [
        NoticeLink(
            LABELS[kind][0],
            reverse("registry:notice", args=[movement.movement_no, kind.value]),
            LABELS[kind][1],
        )
        for kind in offered(principal_for(request), movement)
    ]
