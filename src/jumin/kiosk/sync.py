"""連携機能 of the kiosk service (spec 7.2.5): the KONBINI outbox rows' consumer.

The outbox rows of destination ``konbini`` are written in the transaction of each 本登録 (a
history row) and of each 支援措置・交付抑止 decision (a block of 証明書発行): :func:`sync` reads
them in ``seq`` order from the cursor on and updates :class:`KioskResident` /
:class:`KioskBlock` from the history row or the block as they are now — never from provisional
data (an 仮登録 writes no history row and no outbox row).  :func:`rebuild` makes the same tables
from scratch out of the newest history row of every person and the active blocks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jumin.conf.db import analyze
from jumin.kiosk.models import KioskBlock, KioskCursor, KioskResident
from jumin.linkage.models import OutboxMessage
from jumin.protection.models import Block, Process
from jumin.registry.models import ResidentHistory, Status

logger = logging.getLogger(__name__)

CURSOR = "konbini"
KONBINI = OutboxMessage.Destination.KONBINI
_RESIDENT_UPDATE = (
    "household_no",
    "history_no",
    "individual_number_lookup",
    "auth_cert_serial",
    "removed",
    "moving_out",
    "synced_at",
)
_BLOCK_UPDATE = ("scope", "target_no", "support_measure", "active", "synced_at")
_FIELDS = ("atena_no", "household_no", "history_no", "individual_number_lookup", "auth_cert_serial", "status")


@dataclass(frozen=True)
class Synced:
    rows: int
    residents: int
    blocks: int


def _resident_values(row: ResidentHistory | dict[str, object], now: datetime) -> dict[str, object]:
    get = row.get if isinstance(row, dict) else (lambda k: getattr(row, k))
    return {
        "household_no": get("household_no"),
        "history_no": get("history_no"),
        "individual_number_lookup": get("individual_number_lookup") or "",
        "auth_cert_serial": get("auth_cert_serial") or "",
        "removed": get("status") == Status.REMOVED,
        # 転出予定: a 転出 notified before the day, not yet confirmed by the 転入通知
        "moving_out": get("planned_move_out_on") is not None and get("confirmed_move_out_on") is None,
        "synced_at": now,
    }


def _apply_histories(messages: list[OutboxMessage], now: datetime) -> int:
    """The person rows of ``messages`` in ``seq`` order, in three statements whatever their number:
    one read of the history rows, one of the held rows, then bulk writes.  A row applies when its
    history row exists and it is not older than the one held (an older row delivered late changes
    nothing), exactly as applying the messages one by one would."""
    wanted = [(m.atena_no, m.history_no) for m in messages if m.block_id is None and m.history_no is not None]
    if not wanted:
        return 0
    atenas = {a for a, _ in wanted}
    rows = {
        (r.atena_no, r.history_no): r
        for r in ResidentHistory.objects.filter(atena_no__in=atenas, history_no__in={h for _, h in wanted})
    }
    held = {k.atena_no: k for k in KioskResident.objects.filter(atena_no__in=atenas)}
    newest: dict[str, ResidentHistory] = {}
    applied = 0
    for key in wanted:
        row = rows.get(key)
        current = newest.get(key[0]) or held.get(key[0])
        if row is None or (current is not None and current.history_no > row.history_no):
            continue
        newest[key[0]] = row
        applied += 1
    _write_residents(newest, held, now)
    return applied


def _write_residents(newest: dict[str, ResidentHistory], held: dict[str, KioskResident], now: datetime) -> None:
    values = {atena_no: _resident_values(row, now) for atena_no, row in newest.items()}
    _upsert(KioskResident, "atena_no", held, values, _RESIDENT_UPDATE)


def _upsert(model: Any, key: str, held: dict[Any, Any], values: dict[Any, dict[str, object]], fields: Any) -> None:
    """Rows of ``model`` set to ``values`` (by ``key``): the held ones updated, the others created,
    in bulk."""
    created, updated = [], []
    for number, row in values.items():
        target = held.get(number)
        if target is None:
            created.append(model(**{key: number}, **row))
            continue
        for name, value in row.items():
            setattr(target, name, value)
        updated.append(target)
    model.objects.bulk_create(created)
    model.objects.bulk_update(updated, list(fields), batch_size=1000)


def _block_values(block: Block, now: datetime) -> dict[str, object]:
    return {
        "scope": block.scope,
        "target_no": block.target_no,
        "support_measure": block.cause == Block.Cause.SUPPORT_MEASURE,
        "active": block.released_at is None,
        "synced_at": now,
    }


def _apply_blocks(messages: list[OutboxMessage], now: datetime) -> int:
    """The block rows of ``messages``: each block as it is now, one read of the held rows, bulk writes."""
    changed = [m.block for m in messages if m.block is not None]
    if not changed:
        return 0
    latest = {b.pk: b for b in changed}
    held = {k.block_id: k for k in KioskBlock.objects.filter(block_id__in=latest)}
    values = {block_id: _block_values(block, now) for block_id, block in latest.items()}
    _upsert(KioskBlock, "block_id", held, values, _BLOCK_UPDATE)
    return len(changed)


def sync(limit: int = 5000, *, now: datetime | None = None) -> Synced:
    """Apply the KONBINI outbox rows written since the last call (in ``seq`` order)."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor, _ = KioskCursor.objects.select_for_update().get_or_create(name=CURSOR)
        messages = list(
            OutboxMessage.objects.filter(destination=KONBINI, seq__gt=cursor.last_seq)
            .select_related("block")
            .order_by("seq")[:limit]
        )
        residents = _apply_histories(messages, now)
        blocks = _apply_blocks(messages, now)
        if messages:
            cursor.last_seq = messages[-1].seq
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                state=OutboxMessage.State.SENT, attempts=1
            )
        cursor.synced_at = now
        cursor.save(update_fields=["last_seq", "synced_at"])
    if messages:
        logger.info("kiosk: %s outbox rows applied", len(messages))
    return Synced(len(messages), residents, blocks)


def rebuild(*, batch: int = 5000, now: datetime | None = None) -> Synced:
    """The kiosk tables from scratch: the newest 本登録 history row of every person, the active
    blocks of 証明書発行; the cursor moves to the newest KONBINI row."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor, _ = KioskCursor.objects.select_for_update().get_or_create(name=CURSOR)
        last = OutboxMessage.objects.filter(destination=KONBINI).aggregate(m=Max("seq"))["m"] or 0
        KioskResident.objects.all().delete()
        KioskBlock.objects.all().delete()
        newest = ResidentHistory.objects.values("atena_no").annotate(n=Max("history_no"))
        wanted = {(r["atena_no"], r["n"]) for r in newest}
        residents = 0
        chunk: list[KioskResident] = []
        rows = ResidentHistory.objects.values(*_FIELDS, "planned_move_out_on", "confirmed_move_out_on").order_by(
            "atena_no", "history_no"
        )
        for row in rows.iterator(chunk_size=batch):
            if (row["atena_no"], row["history_no"]) not in wanted:
                continue
            chunk.append(KioskResident(atena_no=row["atena_no"], **_resident_values(row, now)))
            if len(chunk) >= batch:
                residents += len(KioskResident.objects.bulk_create(chunk))
                chunk = []
        residents += len(KioskResident.objects.bulk_create(chunk))
        active = Block.objects.filter(process=Process.CERTIFICATE, released_at__isnull=True)
        blocks = len(KioskBlock.objects.bulk_create(KioskBlock(block_id=b.pk, **_block_values(b, now)) for b in active))
        OutboxMessage.objects.filter(destination=KONBINI, seq__lte=last, state=OutboxMessage.State.PENDING).update(
            state=OutboxMessage.State.SENT
        )
        cursor.last_seq = last
        cursor.synced_at = now
        cursor.save(update_fields=["last_seq", "synced_at"])
        analyze((KioskResident, KioskBlock))
    return Synced(0, residents, blocks)
