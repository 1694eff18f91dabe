"""API of the 閲覧台帳 (/api/v1/inspection/): the 閲覧申出 (受付, 審査, 閲覧の実施), the
閲覧用リスト of an approved 申出 and the yearly 閲覧状況の公表.

Reads go through the same queries as the screens (capability check; the list is access- and
print-logged).  Decisions and records are taken by operators (their verified session) only: a
linked system's key may read, never decide."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from jumin.accounts.principal import principal_for
from jumin.api_base import PermissionDeniedError
from jumin.api_base import domain_call as _call
from jumin.api_dates import RegisterDate
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.free_text import InSchema
from jumin.inspection import outputs, queries, services
from jumin.inspection.models import InspectionRequest

router = Router(tags=["inspection"])


class InspectorIn(InSchema):
    name: str = Field(default="", max_length=100)
    id_document: str = Field(default="", max_length=20)
    address: str = Field(default="", max_length=300)


class RequestIn(InSchema):
    basis: str = Field(default="", max_length=10)
    requester_kind: str = Field(default="", max_length=15)
    requester_name: str = Field(default="", max_length=200)
    requester_representative: str = Field(default="", max_length=200)
    requester_address: str = Field(default="", max_length=300)
    requester_contact: str = Field(default="", max_length=100)
    purpose_category: str = Field(default="", max_length=20)
    purpose: str = Field(default="", max_length=2000)
    purpose_summary: str = Field(default="", max_length=200)
    oaza_codes: list[Annotated[str, Field(max_length=10)]] = Field(default_factory=list, max_length=500)
    requested_on: Annotated[date | None, RegisterDate(DateKind.NOTIFIED, "申出日")] = None
    period_start: Annotated[date | None, RegisterDate(DateKind.BLOCK, "閲覧期間（開始）")] = None
    period_end: Annotated[date | None, RegisterDate(DateKind.BLOCK, "閲覧期間（終了）")] = None
    inspectors: list[InspectorIn] = Field(default_factory=list, max_length=services.MAX_INSPECTORS)
    pledged: bool = False
    handling: str = Field(default="", max_length=1000)
    list_order: str = Field(default="random", max_length=10)


class DecisionIn(InSchema):
    approve: bool = False
    reason: str = Field(default="", max_length=500)


class VisitIn(InSchema):
    inspected_on: Annotated[date | None, RegisterDate(DateKind.NOTIFIED, "閲覧の年月日")] = None
    oaza_codes: list[Annotated[str, Field(max_length=10)]] = Field(default_factory=list, max_length=500)
    persons: int = Field(default=0, ge=0, le=10_000_000)
    inspectors: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=10)
    identity_checked: bool = False
    note: str = Field(default="", max_length=500)


class InspectorOut(Schema):
    name: str
    address: str
    id_document: str


class VisitOut(Schema):
    inspected_on: date
    oaza_codes: list[str]
    town_names: list[str]
    persons: int
    inspectors: list[str]
    note: str


class RequestOut(Schema):
    request_no: str
    basis: str
    requester_kind: str
    requester_name: str
    requester_representative: str
    requester_address: str
    purpose_category: str
    purpose: str
    purpose_summary: str
    oaza_codes: list[str]
    requested_on: date
    period_start: date
    period_end: date
    pledged: bool
    handling: str
    list_order: str
    state: str
    received_at: datetime
    decided_at: datetime | None
    decision_reason: str
    inspectors: list[InspectorOut]
    visits: list[VisitOut]


class ListLineOut(Schema):
    name: str
    address: str
    birth: str
    sex: str


class ListOut(Schema):
    request_no: str
    order: str
    seed: str
    towns: list[str]
    excluded: int
    lines: list[ListLineOut]


class PublicationRowOut(Schema):
    basis: str
    requester: str
    purpose_summary: str
    dates: list[str]
    scope: str


class PublicationOut(Schema):
    year: int
    year_label: str
    state_rows: list[PublicationRowOut]
    private_rows: list[PublicationRowOut]


def _require_any(request: HttpRequest, perms: tuple[str, ...]) -> None:
    principal = principal_for(request)
    if not any(principal.has_perm(p) for p in perms):
        raise PermissionDeniedError(perms[0])


def _operator(request: HttpRequest, perm: str) -> Any:
    _require_any(request, (perm,))
    principal = principal_for(request)
    if principal.user is None:  # a linked system's key takes no decision
        raise PermissionDeniedError(perm)
    return principal.user


def _out(found: InspectionRequest) -> RequestOut:
    return RequestOut(
        request_no=found.request_no,
        basis=found.basis,
        requester_kind=found.requester_kind,
        requester_name=found.requester_name,
        requester_representative=found.requester_representative,
        requester_address=found.requester_address,
        purpose_category=found.purpose_category,
        purpose=found.purpose,
        purpose_summary=found.purpose_summary,
        oaza_codes=list(found.oaza_codes),
        requested_on=found.requested_on,
        period_start=found.period_start,
        period_end=found.period_end,
        pledged=found.pledged,
        handling=found.handling,
        list_order=found.list_order,
        state=found.state,
        received_at=found.received_at,
        decided_at=found.decided_at,
        decision_reason=found.decision_reason,
        inspectors=[
            InspectorOut(name=i.name, address=i.address, id_document=i.id_document) for i in found.inspectors.all()
        ],
        visits=[
            VisitOut(
                inspected_on=v.inspected_on,
                oaza_codes=list(v.oaza_codes),
                town_names=list(v.town_names),
                persons=v.persons,
                inspectors=list(v.inspectors),
                note=v.note,
            )
            for v in found.visits.all()
        ],
    )


def _date(value: date | None, label: str) -> date:
    if value is None:
        raise DomainError("inspection.required", f"{label}を入力してください。")
    return value


def _load(request: HttpRequest, request_no: str) -> InspectionRequest:
    return _call(lambda: queries.get_request(principal_for(request), request_no))


@router.get("/inspection/requests", response=list[RequestOut], summary="閲覧申出の一覧（法11条・11条の2）")
def inspection_requests(request: HttpRequest, state: str = "") -> list[RequestOut]:
    _require_any(request, queries.READERS)
    found = _call(lambda: queries.requests(principal_for(request), state=state[:12]))
    return [_out(r) for r in found.prefetch_related("visits")[:500]]


@router.post("/inspection/requests", response={201: RequestOut, 400: dict}, summary="閲覧申出の受付")
def inspection_receive(request: HttpRequest, body: RequestIn) -> Any:
    by = _operator(request, services.RECEIVE)
    data = services.RequestInput(
        basis=body.basis,
        requester_kind=body.requester_kind,
        requester_name=body.requester_name,
        requester_representative=body.requester_representative,
        requester_address=body.requester_address,
        requester_contact=body.requester_contact,
        purpose_category=body.purpose_category,
        purpose=body.purpose,
        purpose_summary=body.purpose_summary,
        oaza_codes=list(body.oaza_codes),
        requested_on=_date(body.requested_on, "申出日"),
        period_start=_date(body.period_start, "閲覧期間（開始）"),
        period_end=_date(body.period_end, "閲覧期間（終了）"),
        inspectors=[
            services.InspectorInput(name=i.name, id_document=i.id_document, address=i.address) for i in body.inspectors
        ],
        pledged=body.pledged,
        handling=body.handling,
        list_order=body.list_order,
    )
    created = _call(lambda: services.receive_request(data, by=by))
    return Status(201, _out(_load(request, created.request_no)))


@router.get("/inspection/requests/{request_no}", response=RequestOut, summary="閲覧申出")
def inspection_request(request: HttpRequest, request_no: str) -> RequestOut:
    _require_any(request, queries.READERS)
    return _out(_load(request, request_no))


@router.post(
    "/inspection/requests/{request_no}/decision", response=RequestOut, summary="閲覧申出の審査（承認・不承認）"
)
def inspection_decide(request: HttpRequest, request_no: str, body: DecisionIn) -> RequestOut:
    by = _operator(request, services.REVIEW)
    found = _load(request, request_no)
    _call(lambda: services.decide_request(found, approve=body.approve, reason=body.reason, by=by))
    return _out(_load(request, request_no))


@router.post(
    "/inspection/requests/{request_no}/visits", response={201: RequestOut, 400: dict}, summary="閲覧の実施の記録"
)
def inspection_visit(request: HttpRequest, request_no: str, body: VisitIn) -> Any:
    by = _operator(request, services.RECEIVE)
    found = _load(request, request_no)
    data = services.VisitInput(
        inspected_on=_date(body.inspected_on, "閲覧の年月日"),
        oaza_codes=list(body.oaza_codes),
        persons=body.persons,
        inspectors=list(body.inspectors),
        identity_checked=body.identity_checked,
        note=body.note,
    )
    _call(lambda: services.record_visit(found, data, by=by))
    return Status(201, _out(_load(request, request_no)))


@router.get("/inspection/requests/{request_no}/list", response=ListOut, summary="閲覧用リスト（承認された申出, 9.5）")
def inspection_list(request: HttpRequest, request_no: str) -> ListOut:
    _require_any(request, (services.RECEIVE,))
    found = _load(request, request_no)
    extract = _call(lambda: outputs.list_for_api(principal_for(request), found))
    return ListOut(
        request_no=found.request_no,
        order=extract.order,
        seed=extract.seed,
        towns=[t.name for t in extract.towns],
        excluded=extract.excluded,
        lines=[ListLineOut(name=x.name, address=x.address, birth=x.birth, sex=x.sex) for x in extract.lines],
    )


@router.get("/inspection/publication", response=PublicationOut, summary="閲覧状況の公表（法11条3項・11条の2第12項）")
def inspection_publication(request: HttpRequest, year: int = 0) -> PublicationOut:
    _require_any(request, queries.READERS)
    found = _call(lambda: queries.publication(principal_for(request), year))

    def rows(lines: list[queries.PublicationRow]) -> list[PublicationRowOut]:
        return [
            PublicationRowOut(
                basis=r.basis, requester=r.requester, purpose_summary=r.purpose_summary, dates=r.dates, scope=r.scope
            )
            for r in lines
        ]

    return PublicationOut(
        year=found.year,
        year_label=found.year_label,
        state_rows=rows(found.state_rows),
        private_rows=rows(found.private_rows),
    )
