"""API of 支援措置 and 抑止 (/api/v1/protection/).

Reads go through the same queries as the screens (capability check, access log with the
calling system or operator): the marks of persons (2.2.4), the check of one process for one
person (3.1, 3.4) for linked systems such as コンビニ交付, the list of blocked persons (9.2),
measures.  Decisions are taken by operators (their verified session) only."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from jumin.accounts.principal import principal_for
from jumin.api_base import PermissionDeniedError
from jumin.api_base import domain_call as _call
from jumin.api_dates import RegisterDate
from jumin.core import support_periods
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.free_text import InSchema
from jumin.protection import inquiry, queries, services
from jumin.protection.models import Block, Process, SupportMeasure

router = Router(tags=["protection"])


class MarkOut(Schema):
    kind: str
    label: str
    level: str
    measure_no: str
    block_id: int | None
    alert: str


class CheckOut(Schema):
    process: str
    atena_no: str
    outcome: str
    messages: list[str]
    block_ids: list[int]
    measure_nos: list[str]


class BlockOut(Schema):
    id: int
    scope: str
    target_no: str
    process: str
    level: str
    cause: str
    measure_no: str
    start_on: date
    end_on: date | None
    reason: str
    released: bool
    in_effect: bool
    temporarily_released_until: str


class BlockIn(InSchema):
    scope: str = "person"
    target_no: str = ""
    process: str = ""
    level: str = ""
    reason: str = ""
    start_on: Annotated[date | None, RegisterDate(DateKind.BLOCK, "開始日")] = None
    end_on: Annotated[date | None, RegisterDate(DateKind.BLOCK, "終了日")] = None


class ReasonIn(InSchema):
    reason: str = ""


class TemporaryReleaseIn(InSchema):
    reason: str = ""
    minutes: int | None = None


class OffenderIn(InSchema):
    name: str = ""
    furigana: str = ""
    birth_text: str = ""
    sex: str = ""
    address: str = ""
    atena_no: str = ""
    notes: str = ""


class MeasureIn(InSchema):
    kind: str = ""
    applicant_atena_no: str = ""
    accompanying: list[str] = []
    start_on: Annotated[date | None, RegisterDate(DateKind.SUPPORT_MEASURE, "開始日")] = None
    end_on: Annotated[date | None, RegisterDate(DateKind.SUPPORT_MEASURE, "終了日")] = None
    reason: str = ""
    offenders: list[OffenderIn] = []
    restrict_inspection: bool = True
    restrict_copy_current: bool = True
    restrict_copy_former: bool = True
    restrict_fuhyo: bool = False
    is_provisional: bool = False
    provisional_start_on: Annotated[date | None, RegisterDate(DateKind.SUPPORT_MEASURE, "仮支援措置の開始日")] = None
    first_receiving_municipality: str = ""
    applicant_contact: str = ""
    applicant_destination: str = ""
    remark: str = ""


class TerminateIn(InSchema):
    end_reason: str = ""
    reason: str = ""


class MeasureOut(Schema):
    measure_no: str
    kind: str
    state: str
    label: str
    applicant_atena_no: str
    persons: list[str]
    start_on: date
    end_on: date
    phase: str
    alert: str
    is_provisional: bool
    first_receiving_municipality: str
    end_reason: str


def _require_any(request: HttpRequest, perms: tuple[str, ...]) -> None:
    principal = principal_for(request)
    if not any(principal.has_perm(p) for p in perms):
        raise PermissionDeniedError(perms[0])


def _operator(request: HttpRequest, *perms: str) -> Any:
    _require_any(request, perms)
    principal = principal_for(request)
    if principal.user is None:  # a linked system's key takes no decision
        raise PermissionDeniedError(perms[0])
    return principal.user


def _block_out(block: Block) -> BlockOut:
    until = block.temporarily_released_until
    return BlockOut(
        id=block.pk,
        scope=block.scope,
        target_no=block.target_no,
        process=block.process,
        level=block.level,
        cause=block.cause,
        measure_no=block.measure.measure_no if block.measure is not None else "",
        start_on=block.start_on,
        end_on=block.end_on,
        reason=block.reason,
        released=block.released,
        in_effect=block.in_effect(),
        temporarily_released_until=until.isoformat() if until and block.temporarily_released() else "",
    )


def _measure_out(measure: SupportMeasure, period: Any) -> MeasureOut:
    return MeasureOut(
        measure_no=measure.measure_no,
        kind=measure.kind,
        state=measure.state,
        label=measure.label,
        applicant_atena_no=measure.applicant_atena_no,
        persons=[p.atena_no for p in measure.persons.all()],
        start_on=measure.start_on,
        end_on=measure.end_on,
        phase=period.phase.value,
        alert=period.alert or "",
        is_provisional=measure.is_provisional,
        first_receiving_municipality=measure.first_receiving_municipality,
        end_reason=measure.end_reason,
    )


ALL_PROCESS_PERMS = tuple(dict.fromkeys(p for perms in queries.PROCESS_PERMS.values() for p in perms))


@router.get("/protection/marks", response=dict[str, list[MarkOut]], summary="支援措置・抑止の表示（2.2.4）")
def protection_marks(request: HttpRequest, atena_nos: str = "") -> dict[str, list[MarkOut]]:
    """``atena_nos``: 宛名番号 separated by commas."""
    _require_any(request, queries.MARK_READERS)
    numbers = [n.strip() for n in atena_nos.split(",") if n.strip()]
    marks = _call(lambda: queries.marks_for(principal_for(request), numbers, purpose="api.protection.marks"))
    return {n: [MarkOut(**m.__dict__) for m in found] for n, found in marks.items()}


@router.get("/protection/check", response=CheckOut, summary="処理の可否（抑止・支援措置, 3.1/3.4）")
def protection_check(request: HttpRequest, process: str = "", atena_no: str = "") -> CheckOut:
    _require_any(request, ALL_PROCESS_PERMS)
    result = _call(lambda: queries.check(process, atena_no, principal_for(request), purpose="api.protection.check"))
    return CheckOut(process=process, atena_no=atena_no, **result.__dict__)


class IssuanceIn(InSchema):
    atena_no: str = ""
    route: str = ""  # self | public_body | third_party | agent
    address_mode: str = "current"  # current (住民票の写し) | former (除票の写し)
    requester_atena_no: str = ""
    requester_name: str = ""


class IssuanceOut(Schema):
    outcome: str
    code: str
    messages: list[str]
    measure_nos: list[str]
    block_ids: list[int]
    former_address: bool


@router.post(
    "/protection/issuance-check",
    response={200: IssuanceOut, 400: dict},
    summary="証明書交付の可否（支援措置・抑止, 3.4; 住基法12条〜12条の3）",
)
def protection_issuance_check(request: HttpRequest, body: IssuanceIn) -> Any:
    """For the counter, the certificates app and linked systems (コンビニ交付): may a 写し of
    this person be issued on this route?  Numbers travel in the body, never in the URL."""
    _require_any(request, queries.PROCESS_PERMS[Process.CERTIFICATE])
    decision = _call(
        lambda: queries.issuance_decision(
            principal_for(request),
            body.atena_no,
            body.route,
            body.address_mode,
            requester_atena_no=body.requester_atena_no,
            requester_name=body.requester_name,
            purpose="api.protection.issuance_check",
        )
    )
    return IssuanceOut(**decision.__dict__)


@router.get("/protection/blocks", response=list[BlockOut], summary="抑止対象者一覧（9.2）")
def protection_blocks(request: HttpRequest, include_released: bool = False) -> list[BlockOut]:
    _require_any(request, queries.BLOCK_READERS)
    lines = _call(
        lambda: queries.blocked_persons(
            principal_for(request), include_released=include_released, purpose="api.protection.blocks"
        )
    )
    return [_block_out(line.block) for line in lines]


@router.post("/protection/blocks", response={201: BlockOut, 400: dict}, summary="抑止の設定")
def protection_block_set(request: HttpRequest, body: BlockIn) -> Any:
    by = _operator(request, services.SET)
    block = _call(
        lambda: services.set_block(
            scope=body.scope,
            target_no=body.target_no,
            process=body.process,
            level=body.level,
            reason=body.reason,
            start_on=body.start_on,
            end_on=body.end_on,
            by=by,
        )
    )
    return Status(201, _block_out(block))


def _block(block_id: int) -> Block:
    block = Block.objects.select_related("measure").filter(pk=block_id).first()
    if block is None:
        raise DomainError("protection.block_not_found", "その抑止はありません。")
    return block


@router.post("/protection/blocks/{block_id}/release", response={200: BlockOut, 400: dict}, summary="抑止の解除")
def protection_block_release(request: HttpRequest, block_id: int, body: ReasonIn) -> Any:
    by = _operator(request, services.RELEASE)
    block = _call(lambda: services.release_block(_block(block_id), by=by, reason=body.reason))
    return _block_out(block)


@router.post(
    "/protection/blocks/{block_id}/temporary-release", response={200: BlockOut, 400: dict}, summary="抑止の一時解除"
)
def protection_block_temporary_release(request: HttpRequest, block_id: int, body: TemporaryReleaseIn) -> Any:
    by = _operator(request, services.TEMPORARY)
    block = _call(
        lambda: services.temporarily_release_block(_block(block_id), by=by, reason=body.reason, minutes=body.minutes)
    )
    return _block_out(block)


@router.get("/protection/measures", response=list[MeasureOut], summary="支援措置の一覧（期間終了間近を含む）")
def protection_measures(request: HttpRequest, ending_soon: bool = False, state: str = "active") -> list[MeasureOut]:
    _require_any(request, (services.MANAGE,))
    lines = _call(
        lambda: queries.measures(
            principal_for(request), state=state or None, ending_soon=ending_soon, purpose="api.protection.measures"
        )
    )
    return [_measure_out(line.measure, line.period) for line in lines]


@router.get("/protection/measures/{measure_no}", response=MeasureOut, summary="支援措置")
def protection_measure(request: HttpRequest, measure_no: str) -> MeasureOut:
    _require_any(request, (services.MANAGE,))
    detail = _call(lambda: queries.measure_detail(principal_for(request), measure_no, purpose="api.protection.measure"))
    return _measure_out(detail.measure, detail.period)


def _measure(measure_no: str) -> SupportMeasure:
    found = SupportMeasure.objects.filter(measure_no=measure_no).first()
    if found is None:
        raise DomainError("support_measure.not_found", "その支援措置番号の支援措置はありません。")
    return found


def _period(measure: SupportMeasure) -> Any:
    return support_periods.status(
        measure.start_on,
        measure.end_on,
        timezone.localdate(),
        terminated=measure.state == SupportMeasure.State.ENDED,
    )


@router.post(
    "/protection/measures", response={201: MeasureOut, 400: dict}, summary="支援措置の登録（抑止の設定を含む）"
)
def protection_measure_create(request: HttpRequest, body: MeasureIn) -> Any:
    by = _operator(request, services.MANAGE)
    if body.start_on is None:
        raise DomainError("support_measure.start_required", "開始日を入力してください。")
    data = services.MeasureInput(
        kind=body.kind,
        applicant_atena_no=body.applicant_atena_no,
        accompanying=body.accompanying,
        start_on=body.start_on,
        end_on=body.end_on,
        reason=body.reason,
        offenders=[services.OffenderInput(**o.dict()) for o in body.offenders],
        restrict_inspection=body.restrict_inspection,
        restrict_copy_current=body.restrict_copy_current,
        restrict_copy_former=body.restrict_copy_former,
        restrict_fuhyo=body.restrict_fuhyo,
        is_provisional=body.is_provisional,
        provisional_start_on=body.provisional_start_on,
        first_receiving_municipality=body.first_receiving_municipality,
        applicant_contact=body.applicant_contact,
        applicant_destination=body.applicant_destination,
        remark=body.remark,
    )
    measure = _call(lambda: services.create_measure(data, by=by))
    return Status(201, _measure_out(measure, _period(measure)))


@router.post("/protection/measures/{measure_no}/extend", response={200: MeasureOut, 400: dict}, summary="期間の延長")
def protection_measure_extend(request: HttpRequest, measure_no: str, body: ReasonIn) -> Any:
    by = _operator(request, services.MANAGE)
    measure = _call(lambda: services.extend_measure(_measure(measure_no), by=by, reason=body.reason))
    return _measure_out(measure, _period(measure))


@router.post(
    "/protection/measures/{measure_no}/terminate", response={200: MeasureOut, 400: dict}, summary="支援措置の終了"
)
def protection_measure_terminate(request: HttpRequest, measure_no: str, body: TerminateIn) -> Any:
    by = _operator(request, services.MANAGE)
    measure = _call(
        lambda: services.terminate_measure(_measure(measure_no), body.end_reason, by=by, reason=body.reason)
    )
    return _measure_out(measure, _period(measure))


class InquiryAlertIn(InSchema):
    atena_no: str = Field(default="", max_length=20)
    household_no: str = Field(default="", max_length=20)
    reason: str = Field(default="", max_length=500)


class InquiryAlertOut(Schema):
    block_ids: list[int]
    valid_minutes: int


@router.post(
    "/protection/inquiry-alerts",
    response={201: InquiryAlertOut, 400: dict},
    summary="照会抑止（アラート）の理由の記録（30分有効、操作ログに記録）",
)
def protection_inquiry_alert(request: HttpRequest, body: InquiryAlertIn) -> Any:
    _operator(request, inquiry.VIEW)  # a linked system's key cannot give a reason
    blocks = _call(
        lambda: inquiry.give_alert_reason(
            principal_for(request), body.atena_no, body.reason, household_no=body.household_no
        )
    )
    return Status(201, InquiryAlertOut(block_ids=[b.pk for b in blocks], valid_minutes=30))
