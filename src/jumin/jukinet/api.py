"""API of 市町村CS (/api/v1/jukinet/): the list of outbound telegrams for the batch operator.

Only the delivery state is shown (送信先, 更新順番号, 状態, 回数, 次回送信, エラー): no
personal data, so the capability is ``run_batch`` and no access-log row is written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from jumin.accounts.principal import principal_for, require
from jumin.free_text import InSchema
from jumin.jukinet import wide_area
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


class WideAreaIn(InSchema):
    """The 券面事項 (``card_face``: 氏名, 住所, 生年月日, 性別, 個人番号) are refused with a 個人番号 in any
    text but their own ``individual_number``; :mod:`jumin.core.wide_area` checks the form."""

    request_id: str = Field("", max_length=60)
    from_municipality_code: str = Field("", max_length=6)
    from_municipality: str = Field("", max_length=60)
    to_municipality_code: str = Field("", max_length=6)
    kind: str = Field("copy", max_length=20)
    layout: str = Field("individual", max_length=20)
    items: list[str] = Field(default_factory=list, max_length=10)
    copies: int = Field(1, ge=1, le=10)
    card_face: dict[str, str] = Field(default_factory=dict, max_length=8)


class WideAreaOut(Schema):
    request_id: str
    municipality_code: str
    municipality: str
    outcome: str
    reason_code: str
    message: str
    content: dict[str, Any] | None
    whole_household: bool = False


class WideAreaErrorOut(Schema):
    code: str
    message: str


@router.post(
    "/jukinet/wide-area/requests",
    response={200: WideAreaOut, 400: WideAreaErrorOut, 401: WideAreaErrorOut},
    summary="広域交付：住所地としての回答（住基法12条の4・7.1.1.1）",
)
def jukinet_wide_area_request(request: HttpRequest, body: WideAreaIn) -> HttpResponse:
    """The 住基ネット relay asks our CS for a 広域交付 copy of one of our residents.  Besides the
    linked-system key, the exact request must carry the relay's Ed25519 signature
    (``X-Jukinet-Key-Id``, ``-Timestamp``, ``-Signature`` as in docs/jukinet.md); the answer is
    signed with our CS key, bound to that signature."""
    require(request, wide_area.ISSUE)
    headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-jukinet-")}
    answer = wide_area.answer(
        principal_for(request), method=request.method or "POST", path=request.path, headers=headers, raw=request.body
    )
    response = HttpResponse(answer.raw(), status=answer.status, content_type="application/json")
    for name, value in answer.headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response
