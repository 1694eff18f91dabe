"""API of the 中間サーバー (/api/v1/number-exchange/…, docs/number-exchange.md): a department's
情報照会 through our side, the manual answer of a 自動応答不可 request, the batch pass, and the
情報提供等記録 of one person for a 開示請求.  A 宛名番号 travels in the body, never in the URL."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from jumin.accounts.models import LinkedSystem, User
from jumin.accounts.principal import principal_for, require
from jumin.api_base import PermissionDeniedError, domain_call
from jumin.free_text import InSchema
from jumin.intermediate_server import queries, services

router = Router(tags=["number-exchange"])


class InquiryIn(InSchema):
    business: str = Field(default="", max_length=20)
    business_atena_no: str = Field(default="", max_length=20)
    affair: str = Field(default="", max_length=40)
    item: str = Field(default="", max_length=40)
    provider: str = Field(default="", max_length=20)


class InquiryOut(Schema):
    inquiry_id: str
    outcome: str
    data: dict[str, Any] | None


def _caller(request: HttpRequest) -> User | LinkedSystem:
    system = getattr(request, "linked_system", None)
    if isinstance(system, LinkedSystem):
        return system
    if isinstance(request.user, User) and request.user.is_authenticated:
        return request.user
    raise PermissionDeniedError("number_exchange")


@router.post("/number-exchange/inquiries", response=InquiryOut, summary="情報照会（業務の依頼で中間サーバーから）")
def inquiry(request: HttpRequest, body: InquiryIn) -> Any:
    caller = _caller(request)
    if not services.holds_a_grant(caller):  # 権限管理: only a business system's users may ask
        raise PermissionDeniedError("number_exchange.inquire")
    answer = domain_call(
        lambda: services.inquire(
            caller,
            business=body.business,
            business_atena_no=body.business_atena_no,
            affair=body.affair,
            item=body.item,
            provider=body.provider,
        )
    )
    return {"inquiry_id": answer.inquiry_id, "outcome": answer.outcome, "data": answer.data}


class ManualIn(InSchema):
    inquiry_id: str = Field(default="", max_length=64)
    provide: bool = False
    reason: str = Field(default="", max_length=200)  # required when not providing


class ManualOut(Schema):
    inquiry_id: str
    outcome: str
    answer_sent: bool


@router.post("/number-exchange/manual-answers", response=ManualOut, summary="自動応答不可の照会への手動回答")
def manual_answer(request: HttpRequest, body: ManualIn) -> Any:
    require(request, services.MANUAL)
    user = request.user
    if not isinstance(user, User):
        raise PermissionDeniedError(services.MANUAL)
    record = domain_call(
        lambda: services.answer_manually(body.inquiry_id, provide=body.provide, by=user, reason=body.reason)
    )
    return {"inquiry_id": record.inquiry_id, "outcome": record.outcome, "answer_sent": record.answer_sent}


class RunOut(Schema):
    copies_updated: int
    codes_obtained: int
    requests_received: int
    answered: int
    deferred: int
    unsent: int


@router.post(
    "/number-exchange/run", response=RunOut, summary="中間サーバーの定時処理（副本更新・符号取得・照会への回答）"
)
def run(request: HttpRequest) -> Any:
    require(request, services.BATCH_PERM)
    copies = services.update_copies()
    codes = domain_call(services.obtain_codes)
    answers = domain_call(services.answer_requests)
    return {
        "copies_updated": copies.updated,
        "codes_obtained": codes.obtained,
        "requests_received": answers.received,
        "answered": answers.answered,
        "deferred": answers.deferred,
        "unsent": answers.unsent,
    }


class DisclosureIn(InSchema):
    atena_no: str = Field(default="", max_length=20)


class RecordOut(Schema):
    inquiry_id: str
    direction: str
    requester: str
    provider: str
    affair: str
    item: str
    law: str
    asked_at: str
    outcome: str
    answered_at: str | None
    keep_until: str


class DisclosureOut(Schema):
    records: list[RecordOut]


@router.post("/number-exchange/disclosure", response=DisclosureOut, summary="情報提供等記録の開示（本人の開示請求）")
def disclosure(request: HttpRequest, body: DisclosureIn) -> Any:
    principal = principal_for(request)
    return {"records": domain_call(lambda: queries.records_of(principal, body.atena_no))}
