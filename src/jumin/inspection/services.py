"""The writers of the 閲覧台帳: each one checks the capability, runs in one transaction and
writes its operation-log row (DESIGN §5).

* :func:`receive_request` — 申出の受付 (``issue_certificate``, the 閲覧 counter).
* :func:`decide_request` — 審査: 承認 or 不承認 with a reason (``review_inspection``), by an
  operator other than the one who received it (two persons, like 仮登録 → 本登録).
* :func:`record_visit` — 閲覧の実施: the day, the 町字 read, how many persons, who read
  (``issue_certificate``); only for an approved request, inside its period.

Rules of the law checked here: the purpose category must belong to the basis (11条 for 国・
地方公共団体の機関, 11条の2 1〜3号 for 個人・法人); a 11条の2 申出 needs the handling promise
(誓約, 11条の2第2項: 目的外利用・第三者への提供をしない, 管理の方法) and at least one 閲覧者
with an identity document; a 申出 naming the 相手方 (加害者) of an active 支援措置 as 申出者
or 閲覧者 cannot be approved (住基事務処理要領, 3.4)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.addresses.models import Town
from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.inspection.models import (
    PURPOSES_BY_BASIS,
    Basis,
    IdDocument,
    InspectionRequest,
    InspectionVisit,
    Inspector,
    Purpose,
    RequesterKind,
)
from jumin.protection.models import SupportMeasure
from jumin.protection.rules import offender_measures
from jumin.registry.inspection import ADDRESS, ORDERS, RANDOM
from jumin.registry.numbers import next_serial

RECEIVE = "accounts.issue_certificate"
REVIEW = "accounts.review_inspection"
MAX_INSPECTORS = 5
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class InspectorInput:
    name: str
    id_document: str
    address: str = ""


@dataclass(frozen=True)
class RequestInput:
    basis: str
    requester_kind: str
    requester_name: str
    requester_address: str
    purpose_category: str
    purpose: str
    purpose_summary: str
    oaza_codes: list[str]
    requested_on: date
    period_start: date
    period_end: date
    inspectors: list[InspectorInput] = field(default_factory=list)
    requester_representative: str = ""
    requester_contact: str = ""
    pledged: bool = False
    handling: str = ""
    list_order: str = RANDOM


@dataclass(frozen=True)
class VisitInput:
    inspected_on: date
    oaza_codes: list[str]
    persons: int
    inspectors: list[str]
    identity_checked: bool
    note: str = ""


def _require(by: User, perm: str, message: str) -> None:
    if not by.has_perm(perm):
        raise DomainError("auth.forbidden", message)


def _towns(codes: list[str]) -> list[Town]:
    wanted = sorted({c.strip() for c in codes if c.strip()})
    if not wanted:
        raise DomainError("inspection.no_town", "閲覧する町字を一つ以上選んでください。")
    towns = list(Town.objects.filter(oaza_code__in=wanted).order_by("kana", "name"))
    if len(towns) != len(wanted):
        raise DomainError("inspection.unknown_town", "選ばれた町字の中に、登録されていないものがあります。")
    return towns


def _validate(data: RequestInput) -> list[Town]:
    if data.basis not in Basis.values:
        raise DomainError("inspection.basis", "根拠（法第11条か第11条の2か）を選んでください。")
    if data.requester_kind not in RequesterKind.values:
        raise DomainError("inspection.requester_kind", "申出者の区分を選んでください。")
    agency = data.requester_kind == RequesterKind.AGENCY
    if agency != (data.basis == Basis.STATE):
        raise DomainError(
            "inspection.basis_mismatch",
            "国又は地方公共団体の機関は法第11条、個人・法人は法第11条の2による申出です。",
        )
    if data.purpose_category not in PURPOSES_BY_BASIS[Basis(data.basis)]:
        raise DomainError(
            "inspection.purpose",
            "目的の区分が根拠に合いません（営業目的の閲覧はできません）。法の定める目的から選んでください。",
        )
    for value, label in (
        (data.requester_name, "申出者の氏名・名称"),
        (data.requester_address, "申出者の住所・所在地"),
        (data.purpose, "利用目的"),
        (data.purpose_summary, "利用目的の概要"),
    ):
        if not value.strip():
            raise DomainError("inspection.required", f"{label}を入力してください。")
    if data.requester_kind == RequesterKind.CORPORATION and not data.requester_representative.strip():
        raise DomainError("inspection.representative", "法人の申出には代表者又は管理人の氏名が必要です。")
    if data.period_end < data.period_start:
        raise DomainError("inspection.period", "閲覧期間の終了日が開始日より前です。")
    if (data.period_end - data.period_start).days >= MAX_PERIOD_DAYS:
        raise DomainError("inspection.period_too_long", "閲覧期間は1年以内にしてください。")
    if data.period_start < data.requested_on:
        raise DomainError("inspection.period_before_request", "閲覧期間の開始日が申出日より前です。")
    if data.list_order not in ORDERS:
        raise DomainError("inspection.unknown_order", "並び順は「無作為」か「住所の順」を選んでください。")
    if data.basis == Basis.PRIVATE and not data.pledged:
        raise DomainError(
            "inspection.pledge",
            "個人・法人の申出には、閲覧事項を利用目的以外に使わず第三者に提供しない旨の誓約が必要です（法第11条の2第2項）。",
        )
    if len(data.inspectors) > MAX_INSPECTORS:
        raise DomainError("inspection.too_many_inspectors", f"閲覧者は{MAX_INSPECTORS}人までです。")
    if not data.inspectors:
        raise DomainError("inspection.no_inspector", "閲覧者を一人以上入力してください。")
    for person in data.inspectors:
        if not person.name.strip():
            raise DomainError("inspection.inspector_name", "閲覧者の氏名を入力してください。")
        if person.id_document not in IdDocument.values:
            raise DomainError("inspection.id_document", "閲覧者の本人確認書類を選んでください。")
    return _towns(data.oaza_codes)


def receive_request(data: RequestInput, *, by: User) -> InspectionRequest:
    """申出の受付: store the 申出 with its 閲覧者, state 受付済 (審査待ち)."""
    _require(by, RECEIVE, "閲覧申出を受け付ける権限がありません。")
    towns = _validate(data)
    with transaction.atomic():
        request = InspectionRequest.objects.create(
            request_no=f"E{next_serial('inspection_request'):07d}",
            basis=data.basis,
            requester_kind=data.requester_kind,
            requester_name=data.requester_name.strip(),
            requester_representative=data.requester_representative.strip(),
            requester_address=data.requester_address.strip(),
            requester_contact=data.requester_contact.strip(),
            purpose_category=data.purpose_category,
            purpose=data.purpose.strip(),
            purpose_summary=data.purpose_summary.strip(),
            oaza_codes=[t.oaza_code for t in towns],
            requested_on=data.requested_on,
            period_start=data.period_start,
            period_end=data.period_end,
            pledged=data.pledged,
            handling=data.handling.strip(),
            list_order=data.list_order,
            received_by=by,
        )
        Inspector.objects.bulk_create(
            Inspector(
                request=request,
                position=index,
                name=person.name.strip(),
                address=person.address.strip(),
                id_document=person.id_document,
            )
            for index, person in enumerate(data.inspectors, start=1)
        )
        record_operation(
            action="inspection.receive",
            target_type="inspection_request",
            target_id=request.request_no,
            after={
                "basis": request.basis,
                "requester_kind": request.requester_kind,
                "purpose_category": request.purpose_category,
                "towns": request.oaza_codes,
                "period": [str(request.period_start), str(request.period_end)],
                "inspectors": len(data.inspectors),
            },
        )
    return request


def offender_named(request: InspectionRequest) -> bool:
    """Is the 申出者 or a 閲覧者 the 相手方 (加害者) of an active 支援措置?  (Which measure is
    never said: the reviewer asks the 支援措置責任者.)"""
    measures = list(SupportMeasure.objects.filter(state=SupportMeasure.State.ACTIVE).prefetch_related("offenders"))
    if not measures:
        return False
    names = [request.requester_name, request.requester_representative, *(i.name for i in request.inspectors.all())]
    return any(offender_measures(measures, "", name) for name in names if name.strip())


def decide_request(request: InspectionRequest, *, approve: bool, reason: str, by: User) -> InspectionRequest:
    """審査: 承認 or 不承認 with a reason, by another operator than the one who received it."""
    _require(by, REVIEW, "閲覧申出を審査する権限がありません。")
    reason = reason.strip()
    if not reason:
        raise DomainError("inspection.reason", "審査の理由を入力してください。")
    with transaction.atomic():
        locked = InspectionRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state != InspectionRequest.State.RECEIVED:
            raise DomainError("inspection.already_decided", "この申出は審査済みです。")
        if locked.received_by_id == by.pk:
            raise DomainError("inspection.same_operator", "受け付けた職員とは別の職員が審査してください。")
        if approve and offender_named(locked):
            raise DomainError(
                "inspection.offender",
                "申出者又は閲覧者に支援措置の相手方として登録されている者がいます。承認できません"
                "（支援措置責任者に確認してください）。",
            )
        if approve and locked.period_end < timezone.localdate():
            raise DomainError("inspection.period_over", "閲覧期間が過ぎているため承認できません。")
        locked.state = InspectionRequest.State.APPROVED if approve else InspectionRequest.State.REFUSED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        # the seed of the list's random order: every output of this 申出 has the same order
        locked.list_seed = secrets.token_hex(8) if approve else ""
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_reason", "list_seed"])
        record_operation(
            action="inspection.approve" if approve else "inspection.refuse",
            target_type="inspection_request",
            target_id=locked.request_no,
            before={"state": InspectionRequest.State.RECEIVED},
            after={"state": locked.state},
            reason=reason,
        )
    return locked


def record_visit(request: InspectionRequest, data: VisitInput, *, by: User) -> InspectionVisit:
    """閲覧の実施の記録: only for an approved request, on a day inside its period, of 町字 it
    asked for, by 閲覧者 named in it whose identity was checked."""
    _require(by, RECEIVE, "閲覧の実施を記録する権限がありません。")
    if not data.identity_checked:
        raise DomainError("inspection.identity", "閲覧者の本人確認をしてから記録してください。")
    if data.persons < 0:
        raise DomainError("inspection.persons", "閲覧した人数は0以上で入力してください。")
    if data.inspected_on > timezone.localdate():
        raise DomainError("inspection.future", "閲覧の年月日が未来の日付です。")
    towns = _towns(data.oaza_codes)
    with transaction.atomic():
        locked = InspectionRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state != InspectionRequest.State.APPROVED:
            raise DomainError("inspection.not_approved", "承認された申出にだけ閲覧を記録できます。")
        if not locked.period_start <= data.inspected_on <= locked.period_end:
            raise DomainError("inspection.outside_period", "閲覧の年月日が承認された閲覧期間の外です。")
        if not {t.oaza_code for t in towns} <= set(locked.oaza_codes):
            raise DomainError("inspection.town_not_requested", "申出にない町字は閲覧できません。")
        named = {i.name for i in locked.inspectors.all()}
        readers = [n.strip() for n in data.inspectors if n.strip()]
        if not readers or not set(readers) <= named:
            raise DomainError("inspection.reader_not_named", "閲覧できるのは申出書に記載された閲覧者だけです。")
        visit = InspectionVisit.objects.create(
            request=locked,
            inspected_on=data.inspected_on,
            oaza_codes=[t.oaza_code for t in towns],
            town_names=[t.name for t in towns],
            persons=data.persons,
            inspectors=readers,
            identity_checked=True,
            note=data.note.strip(),
            recorded_by=by,
        )
        record_operation(
            action="inspection.visit",
            target_type="inspection_request",
            target_id=locked.request_no,
            after={"on": str(data.inspected_on), "towns": visit.oaza_codes, "persons": data.persons},
        )
    return visit


def complete_request(request: InspectionRequest, *, by: User) -> InspectionRequest:
    """閲覧終了: no more 閲覧 or list under this 申出."""
    _require(by, RECEIVE, "閲覧の終了を記録する権限がありません。")
    with transaction.atomic():
        locked = InspectionRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state != InspectionRequest.State.APPROVED:
            raise DomainError("inspection.not_approved", "承認された申出だけを終了にできます。")
        locked.state = InspectionRequest.State.COMPLETED
        locked.save(update_fields=["state"])
        record_operation(
            action="inspection.complete",
            target_type="inspection_request",
            target_id=locked.request_no,
            before={"state": InspectionRequest.State.APPROVED},
            after={"state": locked.state},
        )
    return locked


__all__ = [
    "ADDRESS",
    "MAX_INSPECTORS",
    "RANDOM",
    "RECEIVE",
    "REVIEW",
    "InspectorInput",
    "Purpose",
    "RequestInput",
    "VisitInput",
    "complete_request",
    "decide_request",
    "offender_named",
    "receive_request",
    "record_visit",
]
