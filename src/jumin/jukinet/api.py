"""API of 市町村CS (/api/v1/jukinet/): the list of outbound telegrams for the batch operator.

Only the delivery state is shown (送信先, 更新順番号, 状態, 回数, 次回送信, エラー): no
personal data, so the capability is ``run_batch`` and no access-log row is written."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from jumin.accounts.principal import require
from jumin.jukinet.models import Telegram

router = Router(tags=["jukinet"])


class TelegramOut(Schema):
    destination: str
    seq: int
    kind: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime
    sent_at: datetime | None


@router.get("/jukinet/telegrams", response=list[TelegramOut], summary="住基ネット送信電文の一覧（7.1.1.1）")
def jukinet_telegrams(request: HttpRequest, state: str = "", limit: int = 100) -> list[TelegramOut]:
    require(request, "accounts.run_batch")
    rows = Telegram.objects.order_by("destination", "-seq")
    if state:
        rows = rows.filter(state=state)
    return [
        TelegramOut(
            destination=t.destination,
            seq=t.seq,
            kind=t.kind,
            state=t.state,
            attempts=t.attempts,
            next_attempt_at=t.next_attempt_at,
            last_error=t.last_error,
            created_at=t.created_at,
            sent_at=t.sent_at,
        )
        for t in rows[: max(1, min(limit, 1000))]
    ]
