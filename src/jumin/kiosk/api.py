"""API of the 証明書発行サーバ for the 証明書交付センター (/api/v1/kiosk/…; docs/kiosk.md).
The center is a linked system with the capability ``issue_certificate``.

``POST /kiosk/challenge``  → ``{"challenge"}``: the nonce the card signs (accepted once, 5 minutes)
``POST /kiosk/requests``   ``{"request_id", "kiosk_id", "kind", "layout", "items", "certified_items",
                           "copies", "challenge", "presented": <card reader JSON>}`` →
                           ``{"outcome": "issued"|"refused", "reason_code", "message", "fee",
                           "copies": [{"issue_no", "pdf_base64"}], "form": <the kiosk form>}``

A refusal is a 200 with the reason code the kiosk shows (``jumin.core.kiosk.REASONS``); 400
``{"code", "message"}`` only for a malformed request (``kiosk.*``), 401, 403 ``auth.forbidden``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from jumin.accounts.principal import principal_for, require
from jumin.api_base import domain_call
from jumin.core import kiosk as k
from jumin.core.errors import DomainError
from jumin.free_text import InSchema
from jumin.kiosk import services

router = Router(tags=["kiosk"])


class ErrorOut(Schema):
    code: str
    message: str


class ChallengeOut(Schema):
    challenge: str


class RequestIn(InSchema):
    request_id: str = ""
    kiosk_id: str = ""
    kind: str = ""
    layout: str = "individual"
    items: list[str] = []
    certified_items: list[str] = []
    copies: int = 1
    challenge: str = ""
    presented: dict[str, Any] = {}


class CopyOut(Schema):
    issue_no: str
    pdf_base64: str


class AnswerOut(Schema):
    request_id: str
    outcome: str
    reason_code: str
    message: str
    fee: int
    copies: list[CopyOut]
    form: dict[str, Any]


@router.post("/kiosk/challenge", response={200: ChallengeOut, 400: ErrorOut}, summary="コンビニ交付：照合用データ")
def kiosk_challenge(request: HttpRequest) -> Any:
    require(request, services.ISSUE)
    return ChallengeOut(challenge=domain_call(lambda: services.issue_challenge(by=principal_for(request))))


@router.post("/kiosk/requests", response={200: AnswerOut, 400: ErrorOut}, summary="コンビニ交付：証明書の請求")
def kiosk_request(request: HttpRequest, body: RequestIn) -> Any:
    require(request, services.ISSUE)
    ask = services.KioskAsk(
        request_id=body.request_id,
        kiosk_id=body.kiosk_id,
        kind=body.kind,
        layout=body.layout,
        items=tuple(body.items),
        certified_items=tuple(body.certified_items),
        copies=body.copies,
        challenge=body.challenge,
        presented=body.presented,
    )
    try:
        answer = domain_call(lambda: services.handle(principal_for(request), ask))
    except DomainError as error:
        return Status(400, ErrorOut(code=error.code, message=error.message))
    return AnswerOut(
        request_id=answer.request_id,
        outcome=answer.outcome,
        reason_code=answer.reason_code,
        message=answer.message,
        fee=answer.fee,
        copies=[
            CopyOut(issue_no=n, pdf_base64=services.encode_pdf(p))
            for n, p in zip(answer.issue_nos, answer.pdfs, strict=True)
        ],
        form=k.KIOSK_FORM if answer.outcome == "issued" else {},
    )
