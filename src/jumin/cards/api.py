"""API of card status events (/api/v1/cards/events): the counter (or a linked system) records
交付, 一時停止, 解除, 廃止, 回収, 返還 for a person; capability ``enter_movement``.  The 宛名番号
travels in the body, never in the URL."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from jumin.accounts.models import User
from jumin.accounts.principal import require
from jumin.api_base import domain_call
from jumin.api_dates import RegisterDate
from jumin.cards.models import CardEventSource, CardKind
from jumin.cards.services import ENTER, record_card_event
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.free_text import InSchema

router = Router(tags=["cards"])


class CardEventIn(InSchema):
    # defaults everywhere: the capability is checked before the body (403, not 422)
    atena_no: str = ""
    event: str = ""
    occurred_on: Annotated[date | None, RegisterDate(DateKind.CARD_EVENT, "事象の年月日")] = None
    card_kind: str = CardKind.INDIVIDUAL_NUMBER
    note: str = ""


class CardEventOut(Schema):
    id: int
    card_kind: str
    event: str
    occurred_on: date
    source: str
    status_after: str


@router.post("/cards/events", response={201: CardEventOut, 400: dict}, summary="カードの事象の記録（窓口）")
def card_event_record(request: HttpRequest, body: CardEventIn) -> Any:
    require(request, ENTER)
    if body.occurred_on is None:
        raise DomainError("cards.date_required", "事象の年月日を入力してください。")
    occurred_on = body.occurred_on
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    event = domain_call(
        lambda: record_card_event(
            body.atena_no,
            body.event,
            occurred_on,
            CardEventSource.COUNTER,
            card_kind=body.card_kind,
            note=body.note,
            by=user,
        )
    )
    return Status(
        201,
        CardEventOut(
            id=event.pk,
            card_kind=event.card_kind,
            event=event.event,
            occurred_on=event.occurred_on,
            source=event.source,
            status_after=event.status_after,
        ),
    )
