"""API of the register (/api/v1/): residents, households, history, movements.

Reads go through the same queries as the screens (capability check, masking, access log
with the calling system or operator).  Movements are entered and approved by operators
(their verified session); a linked system's key cannot write the register."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from jumin.accounts.principal import principal_for, require
from jumin.api_base import PermissionDeniedError
from jumin.api_types import Code, column_length, storable
from jumin.core.address import street_address
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.free_text import InSchema
from jumin.registry import hooks, queries
from jumin.registry.models import Movement
from jumin.registry.services import (
    RETURN_COMMENT_MAX,
    AlertsNeedConfirmationError,
    MovementRejectedError,
    approve_movement,
    discard_movement,
    enter_movement,
    return_movement,
    set_member_order,
)

router = Router(tags=["registry"])


class PersonOut(Schema):
    atena_no: str
    values: dict[str, Any]
    masked: list[str]


class HistoryOut(Schema):
    history_no: int
    reason: str
    category: str
    effective: str
    notified_on: str
    processed_on: str
    movement_no: str


class HouseholdOut(Schema):
    household_no: str
    head_atena_no: str
    head_name: str
    address: str  # 住所 with the 番地
    banchi: str = ""
    katagaki: str = ""
    is_active: bool
    members: list[PersonOut]
    leaving: list[PersonOut] = []  # 転出予定: recorded 転出 whose 予定日 has not come


# issue 15: the database's limits at the boundary (the data's values are checked against the
# register's columns when the movement is planned: registry/planning/limits.py).
Kind = Annotated[str, Field(max_length=column_length(Movement, "kind")), AfterValidator(storable)]


class MovementIn(InSchema):
    kind: Kind = ""
    data: dict[Code, Any] = {}
    acknowledged: list[Code] = Field(default_factory=list, max_length=50)


class AcknowledgeIn(InSchema):
    acknowledged: list[Code] = Field(default_factory=list, max_length=50)


class ReturnIn(InSchema):
    """差戻し: what the entering clerk should correct (free text, no 個人番号)."""

    comment: Annotated[str, Field(max_length=RETURN_COMMENT_MAX), AfterValidator(storable)] = ""


class MovementOut(Schema):
    movement_no: str
    kind: str
    state: str


def _person_out(card: queries.PersonCard) -> PersonOut:
    return PersonOut(atena_no=card.atena_no, values=card.values, masked=sorted(card.masked))


def _query(call: Any) -> Any:
    try:
        return call()
    except DomainError as error:
        if error.code == "auth.forbidden":
            raise PermissionDeniedError(error.code) from error
        raise


@router.get("/residents/{atena_no}", response=PersonOut, summary="住民（現在の記録、マスク済み）")
def resident(request: HttpRequest, atena_no: str) -> PersonOut:
    hooks.require_inquiry(principal_for(request), atena_no, purpose="api.resident")
    detail = _query(lambda: queries.person_detail(principal_for(request), atena_no, purpose="api.resident"))
    return _person_out(detail.card)


@router.get("/residents/{atena_no}/history", response=list[HistoryOut], summary="異動履歴")
def history(request: HttpRequest, atena_no: str) -> list[HistoryOut]:
    hooks.require_inquiry(principal_for(request), atena_no, purpose="api.history")
    detail = _query(lambda: queries.person_detail(principal_for(request), atena_no, purpose="api.history"))
    return [HistoryOut(**line.__dict__) for line in detail.history]


@router.get("/households/{household_no}", response=HouseholdOut, summary="世帯（5.2の並び順）")
def household(request: HttpRequest, household_no: str) -> HouseholdOut:
    hooks.require_household_inquiry(principal_for(request), household_no)
    detail = _query(lambda: queries.household_detail(principal_for(request), household_no, purpose="api.household"))
    h = detail.household
    cards = (*detail.members, *detail.leaving)
    hidden = hooks.hidden_from_inquiry(
        principal_for(request),
        [c.atena_no for c in cards],
        {c.atena_no: str(c.values["household_no"]) for c in cards},
        purpose="api.household",
    )

    def _member_out(card: queries.PersonCard) -> PersonOut:
        # a member's own 照会抑止: the row stays with its 宛名番号 only
        if card.atena_no in hidden:
            return PersonOut(atena_no=card.atena_no, values={"inquiry_blocked": True}, masked=sorted(card.values))
        return _person_out(card)

    return HouseholdOut(
        household_no=h.household_no,
        head_atena_no=h.head_atena_no,
        head_name="" if h.head_atena_no in hidden else h.head_name,
        address=street_address(h.address, h.banchi),
        banchi=h.banchi,
        katagaki=h.katagaki,
        is_active=h.is_active,
        members=[_member_out(c) for c in detail.members],
        leaving=[_member_out(c) for c in detail.leaving],
    )


class MemberOrderIn(InSchema):
    atena_nos: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=99)


class MemberOrderOut(Schema):
    household_no: str
    atena_nos: list[str]


@router.post(
    "/households/{household_no}/member-order",
    response={200: MemberOrderOut, 400: dict},
    summary="記載順位の設定（5.2、空の並びで自動の順に戻す）",
)
def member_order(request: HttpRequest, household_no: str, body: MemberOrderIn) -> Any:
    require(request, "accounts.enter_movement")
    try:
        set_member_order(household_no, body.atena_nos, by=_operator(request))
    except DomainError as error:
        return Status(400, {"code": error.code, "message": error.message})
    return Status(200, MemberOrderOut(household_no=household_no, atena_nos=body.atena_nos))


def _operator(request: HttpRequest) -> Any:
    principal = principal_for(request)
    if principal.user is None:
        raise PermissionDeniedError("accounts.enter_movement")
    return principal.user


def _issues(error: MovementRejectedError | AlertsNeedConfirmationError) -> list[dict[str, str]]:
    return [
        {
            "code": i.code,
            "message": i.message,
            "level": i.level,
            "atena_no": i.atena_no,
            "related_atena_no": i.related_atena_no,
        }
        for i in error.issues
    ]


@router.post("/movements", response={201: MovementOut, 400: dict, 409: dict}, summary="異動の仮登録")
def create_movement(request: HttpRequest, body: MovementIn) -> Any:
    require(request, "accounts.enter_movement")
    try:
        movement = enter_movement(body.kind, body.data, by=_operator(request), acknowledged=body.acknowledged)
    except MovementRejectedError as error:
        return Status(400, {"code": error.code, "message": error.message, "issues": _issues(error)})
    except AlertsNeedConfirmationError as error:
        return Status(409, {"code": error.code, "message": error.message, "issues": _issues(error)})
    except DomainError as error:
        if error.code == "auth.forbidden":
            raise PermissionDeniedError(error.code) from error
        return Status(400, {"code": error.code, "message": error.message, "issues": []})
    return Status(201, MovementOut(movement_no=movement.movement_no, kind=movement.kind, state=movement.state))


def _movement(movement_no: str) -> Movement:
    found = Movement.objects.filter(movement_no=movement_no).first()
    if found is None:
        raise DomainError("movement.not_found", "その異動番号の異動はありません。")
    return found


def _require_any(request: HttpRequest, *perms: str) -> None:
    principal = principal_for(request)
    if not any(principal.has_perm(p) for p in perms):
        raise PermissionDeniedError(perms[0])


def _act(request: HttpRequest, movement_no: str, action: Any) -> Any:
    try:
        movement = _movement(movement_no)
        action(movement, by=_operator(request))
    except DomainError as error:
        if error.code == "auth.forbidden":
            raise PermissionDeniedError(error.code) from error
        return Status(400, {"code": error.code, "message": error.message})
    movement.refresh_from_db()
    return Status(200, MovementOut(movement_no=movement.movement_no, kind=movement.kind, state=movement.state))


@router.post("/movements/{movement_no}/approve", response={200: MovementOut, 400: dict}, summary="本登録（決裁）")
def approve(request: HttpRequest, movement_no: str) -> Any:
    require(request, "accounts.approve_movement")
    return _act(request, movement_no, approve_movement)


@router.post("/movements/{movement_no}/discard", response={200: MovementOut, 400: dict}, summary="仮登録の取消")
def discard(request: HttpRequest, movement_no: str) -> Any:
    _require_any(request, "accounts.enter_movement", "accounts.approve_movement")
    return _act(request, movement_no, discard_movement)


@router.post(
    "/movements/{movement_no}/return", response={200: MovementOut, 400: dict}, summary="差戻し（理由を付けて入力者へ）"
)
def return_to_clerk(request: HttpRequest, movement_no: str, body: ReturnIn) -> Any:
    """The same 差戻し as the 審査・決裁 screen (``services.return_movement``): errors
    ``movement.return_comment``, ``movement.not_provisional``, ``movement.self_return``,
    ``movement.not_found``; 403 ``auth.forbidden`` without the reviewer's capability."""
    require(request, "accounts.approve_movement")
    return _act(request, movement_no, lambda movement, *, by: return_movement(movement, body.comment, by=by))


@router.post(
    "/movements/{movement_no}/cancellation",
    response={201: MovementOut, 400: dict, 409: dict},
    summary="異動の取消し（仮登録）",
)
def cancellation(request: HttpRequest, movement_no: str, body: AcknowledgeIn) -> Any:
    return create_movement(
        request,
        MovementIn(kind=MovementKind.CANCELLATION, data={"movement_no": movement_no}, acknowledged=body.acknowledged),
    )
