"""Readers of the 中間サーバー: the 情報提供等記録 of one person (開示請求, 番号法 第23条) and the
requests waiting for a manual answer.  Permission-checked and written to the access log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.core.errors import DomainError
from jumin.intermediate_server.models import ProvisionCopy, ProvisionRecord
from jumin.registry.models import ArchivedResident, Resident

DISCLOSE = "accounts.view_resident"
MANUAL = "accounts.manage_support_measure"


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def records_of(principal: Principal, atena_no: str) -> list[dict[str, Any]]:
    """Every 情報提供等記録 about one person, oldest first (who asked what, when, under which law)."""
    if not principal.has_perm(DISCLOSE):
        raise DomainError("auth.forbidden", "この情報を照会する権限がありません。")
    if not atena_no.isdigit():
        raise DomainError("number_exchange.bad_atena_no", "宛名番号は数字で入力してください。")
    rows = ProvisionRecord.objects.filter(atena_no=atena_no).order_by("asked_at", "id")
    found = [
        {
            "inquiry_id": r.inquiry_id,
            "direction": r.direction,
            "requester": r.requester,
            "provider": r.provider,
            "affair": r.affair,
            "item": r.item,
            "law": r.law,
            "asked_at": _iso(r.asked_at),
            "outcome": r.outcome,
            "answered_at": _iso(r.answered_at),
            "keep_until": r.keep_until.isoformat(),
        }
        for r in rows
    ]
    record_access(purpose="number_exchange.disclosure", persons=[atena_no], result_count=len(found))
    return found


def deferred_requests(principal: Principal) -> list[dict[str, Any]]:
    """The 自動応答不可 requests waiting for a person's answer (支援措置)."""
    if not principal.has_perm(MANUAL):
        raise DomainError("auth.forbidden", "この情報を照会する権限がありません。")
    rows = list(ProvisionRecord.objects.filter(outcome=ProvisionRecord.Outcome.DEFERRED).order_by("asked_at"))
    record_access(purpose="number_exchange.deferred", persons=[r.atena_no for r in rows], result_count=len(rows))
    return [
        {
            "inquiry_id": r.inquiry_id,
            "requester": r.requester,
            "affair": r.affair,
            "law": r.law,
            "asked_at": _iso(r.asked_at),
            "asked_at_value": r.asked_at,
        }
        for r in rows
    ]


@dataclass(frozen=True)
class Deferred:
    record: ProvisionRecord
    name: str  # the person asked about, from the 副本


def deferred_request(principal: Principal, inquiry_id: str) -> Deferred:
    """One 自動応答不可 request with the person it is about, for the officer who answers it."""
    if not principal.has_perm(MANUAL):
        raise DomainError("auth.forbidden", "この情報を照会する権限がありません。")
    record = ProvisionRecord.objects.filter(
        inquiry_id=inquiry_id[:64], outcome=ProvisionRecord.Outcome.DEFERRED
    ).first()
    if record is None:
        raise DomainError("number_exchange.not_deferred", "手動回答を待っている照会ではありません。")
    copy = ProvisionCopy.objects.filter(atena_no=record.atena_no).first()
    record_access(purpose="number_exchange.deferred", persons=[record.atena_no], result_count=1)
    return Deferred(record, str(copy.items.get("name", "")) if copy is not None else "")


@dataclass(frozen=True)
class Disclosure:
    atena_no: str
    name: str
    records: list[ProvisionRecord]


def disclosure_of(principal: Principal, atena_no: str) -> Disclosure:
    """The 情報提供等記録 of one person for the 開示請求 desk (screen and PDF), oldest first."""
    if not principal.has_perm(DISCLOSE):
        raise DomainError("auth.forbidden", "この情報を照会する権限がありません。")
    atena_no = atena_no.strip()
    if not atena_no.isdigit() or len(atena_no) > 20:
        raise DomainError("number_exchange.bad_atena_no", "宛名番号は20桁までの数字で入力してください。")
    person = (
        Resident.objects.filter(atena_no=atena_no).first() or ArchivedResident.objects.filter(atena_no=atena_no).first()
    )
    if person is None:
        raise DomainError("number_exchange.unknown_person", "その宛名番号の住民は見つかりません。")
    rows = list(ProvisionRecord.objects.filter(atena_no=atena_no).order_by("asked_at", "id"))
    record_access(purpose="number_exchange.disclosure", persons=[atena_no], result_count=len(rows))
    return Disclosure(atena_no, person.name, rows)
