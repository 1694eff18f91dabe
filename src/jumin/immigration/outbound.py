"""市町村通知 to 出入国在留管理庁 (入管法61条の8の2, 住基法30条の50; spec 4.5.7; docs/immigration.md).

:func:`collect` takes the outbox rows of the ``immigration`` destination (a 本登録's history
rows of foreign residents, ``jumin.linkage.systems.IMMIGRATION``) in ``seq`` order and turns each
one that changed a foreign resident's 住居地 or 4情報 (氏名, 生年月日, 性別, 国籍・地域) or removed
the record into a :class:`SentNotice` with the next 通知順; a row that changed none of them
(a correction of the 在留期間 …) and a row written by applying a 法務省通知 (what the Ministry
told us is not told back) are taken without a notice.  :func:`send` delivers the waiting
notices with the one send loop (``jumin.linkage.delivery``): one ordered stream — nothing
overtakes a 通知順 — retried with the linkage back-off, ``already_received`` counting as sent.
No 住民票コード or 個人番号 is sent."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.core.address import street_address
from jumin.core.reasons import REASONS
from jumin.immigration.models import ReceivedNotice, SentNotice
from jumin.linkage.client import DEFAULT_TIMEOUT, PeerClient, setting
from jumin.linkage.delivery import Sender, deliver
from jumin.linkage.models import OutboxMessage
from jumin.linkage.queue_types import Sent
from jumin.linkage.queues import DeliveryQueue
from jumin.registry.models import NationalityKind, ResidentHistory, Status
from jumin.registry.numbers import reserve_serials

logger = logging.getLogger(__name__)

DESTINATION = OutboxMessage.Destination.IMMIGRATION
NOTICE_PATH = "/municipal-notices"
PEER_PUBLIC = "immigration_ed25519.pub"
STREAM = "immigration"
IDENTITY_ITEMS = ("surname", "given_name", "name_alphabet", "birth_sort", "sex", "nationality")
ADDRESS_ITEMS = ("address", "banchi", "katagaki", "address_code")


def client() -> PeerClient | None:
    """The 出入国在留管理庁 link (``JUMIN_IMMIGRATION_URL``; in tests and the demo
    ``python -m peers.immigration``), or None when it is not configured."""
    url = setting("JUMIN_IMMIGRATION_URL", "")
    if not url:
        return None
    return PeerClient(
        url,
        float(setting("JUMIN_IMMIGRATION_TIMEOUT", str(DEFAULT_TIMEOUT))),
        path=NOTICE_PATH,
        peer_file=PEER_PUBLIC,
        peer_label="出入国在留管理庁",
        url_setting="JUMIN_IMMIGRATION_URL",
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _previous(row: ResidentHistory) -> ResidentHistory | None:
    return (
        ResidentHistory.objects.filter(atena_no=row.atena_no, history_no__lt=row.history_no)
        .order_by("-history_no")
        .first()
    )


def notice_kind(row: ResidentHistory, before: ResidentHistory | None) -> str:
    """What the 市町村通知 of a history row says, "" when it needs none."""
    foreign_before = before is not None and before.nationality_kind == NationalityKind.FOREIGN
    if row.nationality_kind != NationalityKind.FOREIGN:  # 帰化等: the foreign record ends
        return SentNotice.Kind.REMOVE if foreign_before else ""
    if row.status != Status.CURRENT:
        return SentNotice.Kind.REMOVE if before is None or before.status == Status.CURRENT else ""
    if before is None or before.status != Status.CURRENT or not foreign_before:
        return SentNotice.Kind.RECORD
    if any(getattr(row, item) != getattr(before, item) for item in ADDRESS_ITEMS):
        return SentNotice.Kind.ADDRESS
    if any(getattr(row, item) != getattr(before, item) for item in IDENTITY_ITEMS):
        return SentNotice.Kind.IDENTITY
    return ""


def notice_body(row: ResidentHistory, before: ResidentHistory | None, kind: str, seq: int, key: str) -> dict[str, Any]:
    """The items of one 市町村通知 (docs/immigration.md): no 住民票コード, no 個人番号."""
    naturalized = kind == SentNotice.Kind.REMOVE and row.nationality_kind != NationalityKind.FOREIGN
    person = before if naturalized and before is not None else row  # 帰化等: who the foreign record was
    return {
        "kind": kind,
        "update_seq": seq,
        "idempotency_key": key,
        "municipality_code": str(settings.JUMIN_MUNICIPALITY.get("lg_code", "")),
        "municipality": str(settings.JUMIN_MUNICIPALITY.get("name", "")),
        "reason": REASONS[row.reason].label if row.reason in REASONS else row.reason,
        "effective_text": row.effective_text,
        "effective_on": _iso(row.effective_sort),
        "notified_on": _iso(row.notified_on),
        "name_alphabet": person.name_alphabet,
        "name": person.name,
        "birth_on": _iso(person.birth_sort),
        "sex": person.sex,
        "nationality": person.nationality,
        "residence_category": person.residence_category,
        "residence_card_no": person.residence_card_no,
        "special_permanent_cert_no": person.special_permanent_cert_no,
        "address": street_address(row.address, row.banchi),
        "katagaki": row.katagaki,
        "postcode": row.postcode,
        "address_code": row.address_code,
        "removal_reason": row.removal_reason if kind == SentNotice.Kind.REMOVE else "",
        "destination": row.destination if kind == SentNotice.Kind.REMOVE else "",
    }


@dataclass
class Collected:
    taken: int = 0
    notices: int = 0


def collect(limit: int = 5000, *, now: datetime | None = None) -> Collected:
    """Turn the waiting ``immigration`` outbox rows into 市町村通知, in ``seq`` order (one
    transaction; a second run finds nothing: each row is taken once)."""
    now = now or timezone.now()
    result = Collected()
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update()
            .filter(
                destination=DESTINATION,
                state=OutboxMessage.State.PENDING,
                movement__isnull=False,
                history_no__isnull=False,
            )
            .order_by("seq")[:limit]
        )
        from_ministry = set(
            ReceivedNotice.objects.filter(movement_id__in={m.movement_id for m in messages}).values_list(
                "movement_id", flat=True
            )
        )
        for message in messages:
            result.taken += 1
            if message.movement_id in from_ministry or message.history_no is None:
                continue
            row = ResidentHistory.objects.filter(atena_no=message.atena_no, history_no=message.history_no).first()
            if row is None:
                continue
            before = _previous(row)
            kind = notice_kind(row, before)
            if not kind:
                continue
            seq = reserve_serials("immigration:notices", 1).start
            key = f"{STREAM}:{message.atena_no}:{message.history_no}"
            SentNotice.objects.create(
                seq=seq,
                idempotency_key=key,
                kind=kind,
                atena_no=row.atena_no,
                history_no=row.history_no,
                body=notice_body(row, before, kind, seq, key),
                created_at=now,
            )
            result.notices += 1
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(state=OutboxMessage.State.SENT, attempts=1)
    if result.taken:
        logger.info("immigration: %s outbox rows taken, %s 市町村通知 queued", result.taken, result.notices)
    return result


SENDER: Sender[SentNotice] = Sender(
    body=lambda notice: notice.body,
    key=lambda notice: STREAM,  # one ordered stream: nothing overtakes a 通知順
    name=lambda notice: f"市町村通知 {notice.seq}",
)


def send(*, now: datetime | None = None) -> Sent:
    """Collect, then one pass of the waiting 市町村通知 in 通知順."""
    now = now or timezone.now()
    collect(now=now)
    peer = client()
    if peer is None:
        return Sent(
            0, 0, "出入国在留管理庁の接続先（JUMIN_IMMIGRATION_URL）が設定されていないため、送信しませんでした。"
        )
    rows = SentNotice.objects.filter(state__in=SentNotice.WAITING).order_by("seq")
    result = deliver(peer, rows, SENDER, now=now)
    return Sent(result.sent, result.failed)


def send_pass() -> Sent:
    return send()


def _row_label(notice: SentNotice) -> str:
    return f"通知順 {notice.seq}"


NOTICES = DeliveryQueue(
    name="immigration.notices",
    label="出入国在留管理庁（市町村通知）",
    model="immigration.SentNotice",
    created="created_at",
    sender="jumin.immigration.outbound.send_pass",
    row_label=_row_label,
)
