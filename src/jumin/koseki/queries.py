"""Readers of the 本籍地 linkage's personal data (the 戸籍の通知 screen): permission-checked and
access-logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count

from jumin.accounts.models import User
from jumin.audit.services import record_access
from jumin.core.errors import DomainError
from jumin.koseki.fuhyo import TYPE_LABELS
from jumin.koseki.models import FuhyoNotice, FuhyoRecord, ReceivedKosekiNotice
from jumin.koseki.notices import EVENTS

LIMIT = 200


@dataclass(frozen=True)
class NoticeLine:
    pk: int
    received_at: datetime
    sender_code: str
    event: str
    name: str
    state: str
    state_label: str
    error_code: str
    atena_no: str
    movement_no: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class FuhyoLine:
    name: str
    honseki: str
    address: str
    address_set_text: str
    municipality_code: str
    entries: int


@dataclass(frozen=True)
class Overview:
    notices: list[NoticeLine]
    records: list[FuhyoLine]
    outgoing: dict[str, int]  # state -> count of 附票記載事項通知 sent or waiting


def overview(*, by: User, state: str = "") -> Overview:
    """The received 戸籍 notices (newest first; ``state`` filters), our 附票 and the outgoing counts
    (needs 住民記録の照会; writes the access log)."""
    if not by.has_perm("accounts.view_resident"):
        raise DomainError("auth.forbidden", "住民記録を照会する権限がありません。")
    rows = ReceivedKosekiNotice.objects.select_related("movement").order_by("-received_at", "-pk")
    if state:
        rows = rows.filter(state=state)
    labels = dict(ReceivedKosekiNotice.State.choices)
    notices = [
        NoticeLine(
            pk=n.pk,
            received_at=n.received_at,
            sender_code=n.sender_code,
            event=EVENTS.get(n.event, n.event or "（不明）"),
            name=str(n.payload.get("name") or "")[:200] if isinstance(n.payload, dict) else "",
            state=n.state,
            state_label=labels.get(n.state, n.state),
            error_code=n.error_code,
            atena_no=n.atena_no,
            movement_no=n.movement.movement_no if n.movement is not None else "",
            changes=dict(n.payload.get("changes") or {}) if isinstance(n.payload, dict) else {},
        )
        for n in rows[:LIMIT]
    ]
    records = [
        FuhyoLine(r.name, r.honseki, r.address, r.address_set_text, r.municipality_code, r.n)
        for r in FuhyoRecord.objects.annotate(n=Count("entries")).order_by("-updated_at", "-pk")[:LIMIT]
    ]
    outgoing = {
        row["state"]: row["n"] for row in FuhyoNotice.objects.values("state").annotate(n=Count("pk")).order_by()
    }
    record_access(
        purpose="戸籍の通知・附票連携",
        persons=[n.atena_no for n in notices if n.atena_no],
        action="list",
        criteria={"state": state},
        result_count=len(notices) + len(records),
    )
    return Overview(notices, records, outgoing)


__all__ = ["TYPE_LABELS", "Overview", "overview"]
