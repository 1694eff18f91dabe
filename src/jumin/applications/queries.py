"""Readers of the 申請管理システム: the list with its filters and one application in full.
Each read is permission-checked and writes one access-log row (the persons matched; the
申請番号 in the criteria)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import QuerySet

from jumin.accounts.principal import Principal
from jumin.applications.models import Application
from jumin.audit.services import record_access
from jumin.core.errors import DomainError
from jumin.jukinet.models import ReceivedMoveOutCertificate

VIEW = "accounts.view_resident"
LIMIT = 200
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Filters:
    procedure: str = ""
    status: str = ""
    signature: str = ""
    match: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    expected_to: dt.date | None = None  # 予定日がこの日まで（来庁予定・転出予定）

    def as_criteria(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v}


def _require(principal: Principal) -> None:
    if not principal.has_perm(VIEW):
        raise DomainError("auth.forbidden", "電子申請を照会する権限がありません。")


def _filtered(filters: Filters) -> QuerySet[Application]:
    found = Application.objects.select_related("movement").order_by("-received_at", "-id")
    for name in ("procedure", "status", "signature", "match"):
        value = getattr(filters, name)
        if value:
            found = found.filter(**{name: value})
    if filters.received_from:
        found = found.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        found = found.filter(received_at__date__lte=filters.received_to)
    if filters.expected_to:
        found = found.filter(expected_on__lte=filters.expected_to)
    return found


def applications(principal: Principal, filters: Filters) -> list[Application]:
    """The applications the filters select (newest first, at most ``LIMIT``); logged."""
    _require(principal)
    found = list(_filtered(filters)[:LIMIT])
    record_access(
        purpose="電子申請の一覧",
        persons=[a.atena_no for a in found if a.atena_no],
        action="search",
        criteria=filters.as_criteria(),
        result_count=len(found),
    )
    return found


def application(principal: Principal, application_id: str) -> Application:
    """One application with its 申請データ; logged."""
    _require(principal)
    found = Application.objects.select_related("movement").filter(application_id=application_id).first()
    if found is None:
        raise DomainError("applications.not_found", "その申請番号の電子申請はありません。")
    record_access(
        purpose="電子申請の照会",
        persons=[found.atena_no] if found.atena_no else [],
        action="view",
        criteria={"application_id": application_id},
        result_count=1,
    )
    return found


def certificates_for_reservation(principal: Principal, found: Application) -> list[ReceivedMoveOutCertificate]:
    """The 転出証明書情報 received in advance (特例転入, waiting) of the person of a 転入予約: the
    same 氏名 and 生年月日 as the reservation's 署名用電子証明書; logged."""
    _require(principal)
    items = found.payload.get("form") if isinstance(found.payload.get("form"), dict) else {}
    name = _norm(found.applicant_name)
    birth = str(items.get("birth") or "") if isinstance(items, dict) else ""
    if not name:
        return []
    pending = ReceivedMoveOutCertificate.objects.filter(state=ReceivedMoveOutCertificate.State.PENDING)
    matched = [
        c
        for c in pending.order_by("pk")
        if _norm(c.name) == name and (not birth or _norm(c.birth_text) == _norm(birth))
    ]
    if matched:
        record_access(
            purpose="電子申請（転入予約）の転出証明書情報",
            persons=[],
            action="match",
            criteria={"application_id": found.application_id, "certificates": [c.pk for c in matched]},
            result_count=len(matched),
        )
    return matched


def _norm(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))
