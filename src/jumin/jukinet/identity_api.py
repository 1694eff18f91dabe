"""API of 本人確認 and 本人確認情報検索 (/api/v1/jukinet/…), for the counter's card-reader client
and linked systems.  POST only: the 個人番号 and 住民票コード travel in bodies, never in URLs.

``POST /jukinet/identity-check/challenge``  → ``{"challenge", "expires_at"}``
``POST /jukinet/identity-check``            ``{"challenge", "presented": <card reader JSON>}`` →
                                             the outcome (``result`` = stable code) item by item
``POST /jukinet/identity-search``           ``{"criteria", "mode", "include_superseded"}`` → hits

Errors: 400 ``{"code", "message"}`` (``identity.*``, ``search.*``), 401, 403 ``auth.forbidden``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from jumin.accounts.principal import principal_for, require
from jumin.api_base import domain_call
from jumin.core.errors import DomainError
from jumin.free_text import InSchema
from jumin.jukinet import identity_check, identity_search
from jumin.search.matching import PREFIX

router = Router(tags=["jukinet"])


class ErrorOut(Schema):
    code: str
    message: str


class ChallengeOut(Schema):
    challenge: str
    expires_at: datetime


class CheckIn(InSchema):
    challenge: str = ""
    presented: dict[str, Any] = {}


class ItemOut(Schema):
    item: str
    card: str
    record: str
    result: str  # 一致 | 不一致


class CheckOut(Schema):
    result: str
    message: str
    ok: bool
    atena_no: str
    record_status: str
    valid_until: date | None
    items: list[ItemOut]


class SearchIn(InSchema):
    criteria: dict[str, Any] = {}
    mode: str = PREFIX  # exact | prefix | partial
    include_superseded: bool = False


class HitOut(Schema):
    atena_no: str
    name: str
    furigana: str
    birth_text: str
    sex: str
    address: str
    resident_code: str
    individual_number: str
    record_status: str
    superseded: bool
    recorded_at: datetime
    update_seq: int
    inquiry_blocked: bool = False


class SearchOut(Schema):
    count: int
    hits: list[HitOut]


@router.post(
    "/jukinet/identity-check/challenge",
    response={200: ChallengeOut, 400: ErrorOut},
    summary="本人確認：照合用データ（チャレンジ）の発行",
)
def identity_challenge(request: HttpRequest) -> Any:
    require(request, identity_check.VIEW)
    challenge = domain_call(lambda: identity_check.issue_challenge(by=principal_for(request)))
    return ChallengeOut(challenge=challenge.token, expires_at=challenge.expires_at)


@router.post(
    "/jukinet/identity-check", response={200: CheckOut, 400: ErrorOut}, summary="本人確認（個人番号カードの照合）"
)
def identity_check_card(request: HttpRequest, body: CheckIn) -> Any:
    require(request, identity_check.VIEW)
    principal = principal_for(request)
    try:
        result = domain_call(lambda: identity_check.verify_card(body.presented, body.challenge, by=principal))
    except DomainError as error:
        return Status(400, ErrorOut(code=error.code, message=error.message))
    return CheckOut(
        result=result.code,
        message=result.message,
        ok=result.ok,
        atena_no=result.atena_no,
        record_status=result.record_status,
        valid_until=result.valid_until,
        items=[ItemOut(item=i.label, card=i.card, record=i.record, result=i.status) for i in result.items],
    )


@router.post(
    "/jukinet/identity-search",
    response={200: SearchOut, 400: ErrorOut},
    summary="本人確認情報検索（氏名＋住所、氏名＋生年月日、住民票コード、個人番号）",
)
def identity_search_api(request: HttpRequest, body: SearchIn) -> Any:
    require(request, identity_search.VIEW)
    principal = principal_for(request)
    try:
        result = domain_call(
            lambda: identity_search.search_identity(
                principal, body.criteria, mode=body.mode, include_superseded=body.include_superseded
            )
        )
    except DomainError as error:
        return Status(400, ErrorOut(code=error.code, message=error.message))
    return SearchOut(
        count=result.count,
        hits=[
            HitOut(
                atena_no=h.atena_no,
                name=h.name,
                furigana=h.furigana,
                birth_text=h.birth_text,
                sex=h.sex,
                address=h.address,
                resident_code=h.resident_code,
                individual_number=h.individual_number,
                record_status=h.record_status,
                superseded=h.superseded,
                recorded_at=h.recorded_at,
                update_seq=h.update_seq,
                inquiry_blocked=h.inquiry_blocked,
            )
            for h in result.hits
        ],
    )
