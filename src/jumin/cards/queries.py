"""Readers of card data for the person view: permission-checked and access-logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.cards import status as states
from jumin.cards.models import CardEvent, CardEventKind, CardEventSource, CardKind
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError

VIEW = "accounts.view_resident"


@dataclass(frozen=True)
class EventLine:
    card_kind: str
    event: str
    occurred_on: str
    source: str
    status_after: str
    note: str


@dataclass(frozen=True)
class CardStatus:
    atena_no: str
    current: dict[str, str]  # card kind label -> state label (only kinds with events)
    events: list[EventLine]


def _wareki(value: date) -> str:
    return era_table().format(value)


def card_status(principal: Principal, atena_no: str, *, purpose: str = "cards.person") -> CardStatus:
    """The person's card states and their event history, newest first (assessment system 1
    function 13); written to the access log."""
    if not principal.has_perm(VIEW):
        raise DomainError("auth.forbidden", "この情報を照会する権限がありません。")
    rows = list(CardEvent.objects.filter(atena_no=atena_no).order_by("-id"))
    current: dict[str, str] = {}
    for row in rows:
        current.setdefault(CardKind(row.card_kind).label, states.LABELS.get(row.status_after, row.status_after))
    events = [
        EventLine(
            CardKind(r.card_kind).label,
            CardEventKind(r.event).label,
            _wareki(r.occurred_on),
            CardEventSource(r.source).label,
            states.LABELS.get(r.status_after, r.status_after),
            r.note,
        )
        for r in rows
    ]
    record_access(purpose=purpose, persons=[atena_no], action="view")
    return CardStatus(atena_no, current, events)
