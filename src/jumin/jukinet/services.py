"""Writers of 市町村CS: the 本人確認情報 file built from the registry outbox.

:func:`build_from_outbox` consumes the pending ``linkage.OutboxMessage`` rows of destination
``jukinet_cs`` in ``seq`` order.  Each one names a 本登録 history row (宛名番号 + 履歴番号);
for it the function closes the person's current ``IdentityRecord`` (修正前), adds the new one
and queues a ``Telegram`` to the prefecture server with the next 更新順番号.  All of it is one
transaction per call, with one operation-log row; the outbox row is then ``sent`` (handed to
CS).  An outbox row whose history row cannot be found is marked ``failed`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.audit.services import record_operation
from jumin.core.address import street_address
from jumin.core.codes import AddressCode
from jumin.core.errors import DomainError
from jumin.core.gaiji import gaiji_count
from jumin.core.kana import search_key
from jumin.jukinet.models import BODY_FIELDS, IdentityRecord, RecordStatus, Telegram
from jumin.jukinet.move_out_certificates import queue_move_out_certificate
from jumin.jukinet.notices import queue_move_in_notice
from jumin.jukinet.reconciliation import stamp
from jumin.linkage.models import OutboxMessage
from jumin.linkage.unified_characters import substitute_items
from jumin.registry.models import ArchivedHistory, ResidentHistory, Status
from jumin.registry.numbers import reserve_serials

BATCH = 500
SERIAL = "jukinet:prefecture"


def _municipality_code() -> str:
    return str(settings.JUMIN_MUNICIPALITY.get("lg_code", ""))


def _lg_code6(address_code: str) -> str:
    try:
        return AddressCode.parse(address_code).lg_code6
    except DomainError:
        return ""


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _full_address(row: ResidentHistory | ArchivedHistory) -> str:
    """本人確認情報の住所: 住所 and 番地, without the 方書."""
    return street_address(row.address, row.banchi)


def _record_for(
    row: ResidentHistory | ArchivedHistory,
    previous: IdentityRecord | None,
    *,
    seq: int,
    request_no: str,
    now: datetime,
    operator: str,
) -> IdentityRecord:
    return IdentityRecord(**record_values(row, previous, seq=seq, request_no=request_no, now=now, operator=operator))


def record_values(
    row: ResidentHistory | ArchivedHistory,
    previous: IdentityRecord | None,
    *,
    seq: int,
    request_no: str,
    now: datetime,
    operator: str,
) -> dict[str, Any]:
    """The items of :func:`_record_for` as a dict (jumin.jukinet.initial_load writes them
    without model instances)."""
    name, address = row.name, _full_address(row)
    code_changed = previous is not None and previous.resident_code != row.resident_code
    used_on = row.processed_on if previous is None or code_changed else previous.resident_code_used_on
    counts = (gaiji_count(name), gaiji_count(address), gaiji_count(row.former_surname))
    return dict(  # noqa: C408 - the keyword form of IdentityRecord(...)
        atena_no=row.atena_no,
        history_no=row.history_no,
        nationality_kind=row.nationality_kind,
        resident_code=row.resident_code,
        name=name,
        name_gaiji_count=counts[0],
        furigana=row.furigana,
        seion_kana=search_key(row.furigana) if row.furigana else "",
        birth_text=row.birth_text,
        birth_sort=row.birth_sort,
        sex=row.sex,
        municipality_code=_municipality_code(),
        aza_code=row.address_code,
        postcode=row.postcode,
        address=address,
        address_gaiji_count=counts[1],
        individual_number_ct=row.individual_number_ct,
        individual_number_lookup=row.individual_number_lookup,
        became_resident_text=row.became_resident_text,
        address_set_text=row.address_set_text,
        notified_on=row.notified_on,
        previous_municipality_code=_lg_code6(row.previous_address_code),
        previous_address=row.previous_address,
        previous_address_gaiji_count=gaiji_count(row.previous_address),
        relationship=row.relationship,
        reason=row.reason,
        effective_text=row.effective_text,
        effective_sort=row.effective_sort,
        reason_detail=f"{row.category}:{row.initiation}",
        former_resident_code=previous.resident_code if previous is not None and code_changed else "",
        resident_code_used_on=used_on,
        request_no=request_no,
        operator_id=operator,
        terminal_id=row.terminal,
        update_seq=seq,
        planned=row.status == Status.CURRENT and row.planned_move_out_on is not None,
        has_gaiji=any(counts) or gaiji_count(row.previous_address) > 0,
        record_status=RecordStatus.REMOVED if row.status == Status.REMOVED else RecordStatus.CURRENT,
        recorded_at=now,
        former_surname=row.former_surname,
        former_surname_gaiji_count=counts[2],
        former_surname_furigana=row.former_surname_furigana,
        alias=row.alias,
        foreign_resident_since_text=row.foreign_resident_since_text,
    )


def telegram_body(record: IdentityRecord) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for field in BODY_FIELDS:
        value = getattr(record, field)
        body[field] = _iso(value) if isinstance(value, (date, datetime)) else value
    body["has_individual_number"] = bool(record.individual_number_ct)
    # item 30 異常時更新順番号: null unless the telegram replaces a refused one (jukinet.resend);
    # not a compared item of the 整合性確認 (it says how the record was sent, not what it is)
    body["error_update_seq"] = record.error_update_seq
    # 住基ネット統一文字 (7.1.1.1): the 代替文字 items; the record itself keeps the register's text
    body |= substitute_items(
        name=record.name,
        address=record.address,
        previous_address=record.previous_address,
        former_surname=record.former_surname,
    )
    return body


def _history_row(message: OutboxMessage) -> ResidentHistory | ArchivedHistory | None:
    key = {"atena_no": message.atena_no, "history_no": message.history_no}
    row = ResidentHistory.objects.select_related("movement__entered_by").filter(**key).first()
    if row is None:
        return ArchivedHistory.objects.select_related("movement__entered_by").filter(**key).first()
    return row


@dataclass(frozen=True)
class BuildResult:
    built: int
    failed: int
    notices: int = 0  # 転入通知 queued for other municipalities (jumin.jukinet.notices)
    certificates: int = 0  # 転出証明書情報 of 特例転出 (jumin.jukinet.move_out_certificates)


def build_from_outbox(*, limit: int = BATCH, now: datetime | None = None) -> BuildResult:
    """Turn up to ``limit`` pending ``jukinet_cs`` outbox rows (in ``seq`` order) into
    本人確認情報 rows and telegrams to the prefecture server (one transaction)."""
    now = now or timezone.now()
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update()
            .filter(destination=OutboxMessage.Destination.JUKINET_CS, state=OutboxMessage.State.PENDING)
            .filter(movement__isnull=False)  # a block's rows are protection_flags'
            .order_by("seq")[:limit]
        )
        rows = [(message, _history_row(message)) for message in messages]
        found = [(message, row) for message, row in rows if row is not None]
        serials = iter(reserve_serials(SERIAL, len(found))) if found else iter(())
        built = failed = notices = certificates = 0
        for message, row in rows:
            message.attempts += 1
            if row is None:
                message.state = OutboxMessage.State.FAILED
                message.last_error = "jukinet.history_missing: 通知の元になる異動履歴が見つかりません。"
                message.save(update_fields=["state", "attempts", "last_error"])
                failed += 1
                continue
            notice, certificate = _build_one(message, row, next(serials), now)
            notices, certificates = notices + notice, certificates + certificate
            message.state = OutboxMessage.State.SENT
            message.last_error = ""
            message.save(update_fields=["state", "attempts", "last_error"])
            built += 1
        if messages:
            record_operation(
                action="jukinet.identity_built",
                target_type="jukinet",
                after={
                    "built": built,
                    "failed": failed,
                    "notices": notices,
                    "certificates": certificates,
                    "outbox": [m.seq for m in messages],
                },
            )
    return BuildResult(built, failed, notices, certificates)


def _build_one(
    message: OutboxMessage, row: ResidentHistory | ArchivedHistory, seq: int, now: datetime
) -> tuple[bool, bool]:
    """The 本人確認情報 of one outbox row and its telegram; whether a 転入通知 and whether a
    転出証明書情報 (特例転出) was queued too."""
    previous = (
        IdentityRecord.objects.select_for_update()
        .filter(atena_no=row.atena_no, superseded_at__isnull=True)
        .order_by("-history_no")
        .first()
    )
    if previous is not None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    key = f"prefecture:{message.idempotency_key}"
    operator = row.movement.entered_by.username if row.movement.entered_by_id else ""
    record = _record_for(row, previous, seq=seq, request_no=key, now=now, operator=operator)

    stamp(record)
    record.save()
    Telegram.objects.create(
        destination=Telegram.Destination.PREFECTURE,
        seq=seq,
        idempotency_key=key,
        kind=Telegram.Kind.IDENTITY_UPDATE,
        identity=record,
        body=telegram_body(record),
        created_at=now,
    )
    certificate = queue_move_out_certificate(row, record, message.idempotency_key, now)  # 特例転出
    return queue_move_in_notice(row, record, message.idempotency_key, now), certificate
