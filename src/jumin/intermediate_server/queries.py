"""Readers of the 中間サーバー: the 情報提供等記録 of one person (開示請求, 番号法 第23条) and the
requests waiting for a manual answer.  Permission-checked and written to the access log."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jumin.accounts.principal import Principal
from jumin.audit.services import record_access
from jumin.core.errors import DomainError
from jumin.intermediate_server.models import ProvisionRecord

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
        }
        for r in rows
    ]
