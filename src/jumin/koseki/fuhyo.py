"""附票記載事項通知 (住基法19条, spec 7.2.4 / 7.1.1.1): the FUHYO outbox rows' consumer, the send
pass to the 本籍地 and our own 戸籍の附票.

:func:`collect` reads the FUHYO outbox rows (written in the transaction of every 本登録 of a
Japanese resident with a 本籍) in ``seq`` order from the cursor on.  A history row that changes
the person's 住所 (転入, 転居, 転出 incl. 国外転出, 職権記載・消除, a correction of the address) becomes
one 附票記載事項通知 to the 本籍地 (the municipality the address dictionary finds at the start of
the 本籍): to our own 附票 at once when the 本籍 is ours (管内本籍), else a :class:`FuhyoNotice` in
that 本籍地's ordered stream, sent by :func:`send_pending` through the one send loop
(``linkage.delivery``: in order per 本籍地, back-off after an outage, ``already_received`` counts
as sent).  本籍なし・本籍不明 and foreign residents get none (``systems.FUHYO`` writes no row for
them, and the 本籍の区分 is checked again here).

:func:`receive_fuhyo_notice` records a notice of another municipality about a person whose 本籍 is
ours in our 附票 (:class:`FuhyoRecord`, history :class:`FuhyoEntry`), once per notice id;
:func:`pull_fuhyo_notices` fetches them from the network and acknowledges them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from jumin.audit.services import record_operation
from jumin.core.address import street_address
from jumin.core.errors import DomainError
from jumin.jukinet.notices import municipality_code_of
from jumin.koseki.models import FuhyoCursor, FuhyoEntry, FuhyoNotice, FuhyoRecord
from jumin.koseki.network import FUHYO_PATH, koseki_client, our_code, our_name
from jumin.linkage.delivery import Sender, deliver
from jumin.linkage.inbox import Inbox, pull
from jumin.linkage.models import OutboxMessage
from jumin.linkage.queue_types import Sent
from jumin.registry.models import HonsekiKind, NationalityKind, ResidentHistory, Status
from jumin.registry.numbers import reserve_serials

logger = logging.getLogger(__name__)

CURSOR = "fuhyo"
FUHYO = OutboxMessage.Destination.FUHYO
KIND = "fuhyo_notice"
FUHYO_INBOX = Inbox("/fuhyo-inbox", "notices", "to", "附票記載事項通知", "koseki.receive_failed")

# 異動事由 that always change the 住所 (or end it here) -> the notice's 記載の種類
MOVES = {
    "domestic_move_in": "move_in",
    "abroad_move_in": "move_in",
    "relocation": "relocation",
    "domestic_move_out": "move_out",
    "abroad_move_out": "abroad_move_out",
    "ex_officio_add": "ex_officio",
    "ex_officio_remove": "ex_officio",
}
TYPES = ("move_in", "relocation", "move_out", "abroad_move_out", "ex_officio", "correction", "birth")
TYPE_LABELS = {
    "move_in": "転入",
    "relocation": "転居",
    "move_out": "転出",
    "abroad_move_out": "国外転出",
    "ex_officio": "職権記載・消除",
    "correction": "住所の修正",
    "birth": "出生等による記載",
}


def notice_type(row: ResidentHistory, previous: ResidentHistory | None) -> str:
    """The 記載の種類 of the 附票記載事項通知 a history row causes, or "" when its 住所 is unchanged."""
    if row.reason in MOVES:
        return MOVES[row.reason]
    if row.reason == "move_in_notice" or row.status != Status.CURRENT:
        return ""  # 除票 items (転入通知, 死亡 …): the 住所 did not change
    if previous is None:
        return "birth"
    moved = (row.address, row.banchi, row.katagaki) != (previous.address, previous.banchi, previous.katagaki)
    return "correction" if moved else ""


def has_honseki(row: ResidentHistory) -> bool:
    """A Japanese resident with a 本籍 (not 本籍なし・不明): the only persons with a 附票 here."""
    return (
        row.nationality_kind == NationalityKind.JAPANESE
        and bool(row.honseki)
        and row.honseki_kind in ("", HonsekiKind.ADDRESS)
    )


def notice_body(row: ResidentHistory, kind: str, to_code: str) -> dict[str, Any]:
    """The 附票記載事項通知 items (docs/koseki.md): no 個人番号."""
    if kind == "move_out":
        address = street_address(row.destination, row.destination_banchi)
        set_text = row.effective_text
    elif kind == "abroad_move_out":
        address = f"国外（{row.destination}）" if row.destination else "国外"
        set_text = row.effective_text
    else:
        address = street_address(row.address, row.banchi)
        set_text = row.address_set_text or row.effective_text
    return {
        "kind": KIND,
        "notice_type": kind,
        "from_municipality_code": our_code(),
        "from_municipality": our_name(),
        "to_municipality_code": to_code,
        "honseki": row.honseki,
        "koseki_head": row.koseki_head,
        "resident_code": row.resident_code,
        "name": row.name,
        "furigana": row.furigana,
        "birth_text": row.birth_text,
        "sex": row.sex,
        "address": address,
        "katagaki": row.katagaki if kind not in ("move_out", "abroad_move_out") else row.destination_katagaki,
        "address_set_text": set_text,
        "abroad": kind == "abroad_move_out",
        "effective_text": row.effective_text,
        "effective_on": row.effective_sort.isoformat() if row.effective_sort else None,
    }


@dataclass(frozen=True)
class Collected:
    rows: int  # outbox rows taken
    queued: int  # notices to other 本籍地
    local: int  # recorded in our own 附票 (管内本籍)
    unrouted: int  # 本籍 of no known municipality: left to the staff (operation log)


def collect(limit: int = 5000, *, now: datetime | None = None) -> Collected:
    """Turn the FUHYO outbox rows written since the last call (in ``seq`` order) into notices: one
    read of the history rows, the 本籍地 looked up once per 本籍, one block of 更新順番号 per 本籍地
    (reserved in code order), one bulk insert."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor, _ = FuhyoCursor.objects.select_for_update().get_or_create(name=CURSOR)
        messages = list(
            OutboxMessage.objects.filter(destination=FUHYO, seq__gt=cursor.last_seq, movement__isnull=False).order_by(
                "seq"
            )[:limit]
        )
        wanted, unrouted = _planned(messages)
        notices = _write(wanted, now)
        local = [n for n in notices if n.local]
        for notice in local:  # 管内本籍: our own 戸籍の附票 records it at once
            record_fuhyo({**notice.body, "idempotency_key": notice.idempotency_key}, now=now)
        if messages:
            cursor.last_seq = messages[-1].seq
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                state=OutboxMessage.State.SENT, attempts=1
            )
        cursor.synced_at = now
        cursor.save(update_fields=["last_seq", "synced_at"])
    if messages:
        logger.info("koseki: %s outbox rows taken (%s queued, %s local)", len(messages), len(notices), len(local))
    return Collected(len(messages), len(notices) - len(local), len(local), unrouted)


def _previous(row: ResidentHistory) -> ResidentHistory | None:
    return (
        ResidentHistory.objects.filter(atena_no=row.atena_no, history_no__lt=row.history_no)
        .order_by("-history_no")
        .first()
    )


def _planned(messages: list[OutboxMessage]) -> tuple[list[tuple[ResidentHistory, str, str]], int]:
    """(history row, 記載の種類, 本籍地の団体コード) of the messages that cause a notice, in order, and
    how many had a 本籍 of no known municipality (operation log ``koseki.fuhyo_unrouted``)."""
    keys = [(m.atena_no, m.history_no) for m in messages if m.history_no is not None]
    rows = {
        (r.atena_no, r.history_no): r
        for r in ResidentHistory.objects.filter(atena_no__in={a for a, _ in keys}, history_no__in={h for _, h in keys})
    }
    codes: dict[str, str] = {}
    wanted: list[tuple[ResidentHistory, str, str]] = []
    unrouted = 0
    for key in keys:
        row = rows.get(key)
        if row is None or not has_honseki(row):
            continue
        kind = notice_type(row, None if row.reason in MOVES else _previous(row))
        if not kind:
            continue
        if row.honseki not in codes:
            codes[row.honseki] = municipality_code_of(row.honseki)
        code = codes[row.honseki]
        if code:
            wanted.append((row, kind, code))
            continue
        unrouted += 1
        record_operation(
            action="koseki.fuhyo_unrouted",
            target_type="resident",
            target_id=row.atena_no,
            after={"history_no": row.history_no},
        )
        logger.warning("koseki: 附票記載事項通知 of %s-%s has no known 本籍地", row.atena_no, row.history_no)
    return wanted, unrouted


def _write(wanted: list[tuple[ResidentHistory, str, str]], now: datetime) -> list[FuhyoNotice]:
    """The notices of ``wanted`` not written before, numbered per 本籍地 in order."""

    def key_of(row: ResidentHistory, code: str) -> str:
        return f"fuhyo:{code}:{row.atena_no}:{row.history_no}"

    keys = [key_of(row, code) for row, _, code in wanted]
    done = set(FuhyoNotice.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    fresh = [(row, kind, code) for row, kind, code in wanted if key_of(row, code) not in done]
    counts: dict[str, int] = {}
    for _, _, code in fresh:
        counts[code] = counts.get(code, 0) + 1
    numbers = {code: iter(reserve_serials(f"koseki:fuhyo:{code}", counts[code])) for code in sorted(counts)}
    ours = our_code()
    notices = []
    for row, kind, code in fresh:
        local = code == ours
        notices.append(
            FuhyoNotice(
                destination=code,
                seq=next(numbers[code]),
                idempotency_key=key_of(row, code),
                kind=kind,
                atena_no=row.atena_no,
                history_no=row.history_no,
                local=local,
                body=notice_body(row, kind, code),
                created_at=now,
                state=FuhyoNotice.State.SENT if local else FuhyoNotice.State.PENDING,
                attempts=1 if local else 0,
                sent_at=now if local else None,
            )
        )
    FuhyoNotice.objects.bulk_create(notices)
    return notices


def wire_body(notice: FuhyoNotice) -> dict[str, Any]:
    return {**notice.body, "update_seq": notice.seq, "idempotency_key": notice.idempotency_key}


SENDER: Sender[FuhyoNotice] = Sender(
    body=wire_body,
    key=lambda n: n.destination,  # one ordered stream per 本籍地: nothing overtakes
    name=lambda n: f"附票記載事項通知 {n.destination}#{n.seq}",
    path=lambda n: FUHYO_PATH,
)


def send_pending(*, now: datetime | None = None) -> Sent:
    """One send pass over the waiting notices to other 本籍地 (the 連携状況 screen's 再送 too)."""
    now = now or timezone.now()
    client = koseki_client()
    if client is None:
        return Sent(0, 0, "本籍地の接続先（JUMIN_KOSEKI_URL）が設定されていないため、送信しませんでした。")
    rows = FuhyoNotice.objects.filter(state__in=FuhyoNotice.WAITING, local=False).order_by("destination", "seq")
    done = deliver(client, rows.iterator(), SENDER, now=now)
    return Sent(done.sent, done.failed)


# -- our own 戸籍の附票 (管内本籍) ------------------------------------------------------------------


def _text(payload: dict[str, Any], key: str, limit: int) -> str:
    value = payload.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def record_fuhyo(payload: dict[str, Any], *, now: datetime | None = None) -> FuhyoEntry:
    """Record one 附票記載事項通知 about a person whose 本籍 is ours (ours or another
    municipality's), once per notice id (a re-delivery returns the earlier entry)."""
    now = now or timezone.now()
    notice_id = _text(payload, "idempotency_key", 100)
    honseki, name, birth = _text(payload, "honseki", 200), _text(payload, "name", 200), _text(payload, "birth_text", 60)
    kind = _text(payload, "notice_type", 20)
    if not notice_id:
        raise DomainError("fuhyo.no_id", "附票記載事項通知に通知番号（idempotency_key）がありません。")
    if not (honseki and name and birth) or kind not in TYPES:
        raise DomainError("fuhyo.incomplete", "附票記載事項通知に本籍・氏名・生年月日または記載の種類がありません。")
    if municipality_code_of(honseki) != our_code():
        raise DomainError("fuhyo.not_ours", "本籍が当市区町村ではない方の附票記載事項通知です。")
    resident_code = _text(payload, "resident_code", 11)
    with transaction.atomic():
        earlier = FuhyoEntry.objects.filter(notice_id=notice_id).first()
        if earlier is not None:
            return earlier
        key = f"code:{resident_code}" if resident_code else f"name:{honseki}|{name}|{birth}"[:120]
        record, _ = FuhyoRecord.objects.select_for_update().get_or_create(
            person_key=key, defaults={"honseki": honseki, "name": name, "birth_text": birth}
        )
        address = street_address(_text(payload, "address", 200), "")
        katagaki = _text(payload, "katagaki", 100)
        full = f"{address}\u3000{katagaki}" if katagaki else address
        sender = _text(payload, "from_municipality_code", 6)
        record.honseki, record.name, record.birth_text = honseki, name, birth
        record.koseki_head = _text(payload, "koseki_head", 100)
        record.sex = _text(payload, "sex", 1)
        record.address, record.address_set_text = full[:300], _text(payload, "address_set_text", 60)
        record.municipality_code, record.abroad, record.updated_at = sender, kind == "abroad_move_out", now
        record.save()
        entry = FuhyoEntry.objects.create(
            record=record,
            notice_id=notice_id,
            kind=kind,
            address=full[:300],
            address_set_text=record.address_set_text,
            municipality_code=sender,
            recorded_at=now,
        )
        record_operation(
            action="koseki.fuhyo_recorded",
            target_type="fuhyo",
            target_id=str(record.pk),
            after={"notice": notice_id, "kind": kind},
        )
    return entry


@dataclass
class PullResult:
    recorded: int = 0
    refused: int = 0
    skipped: str = ""


def pull_fuhyo_notices(*, now: datetime | None = None) -> PullResult:
    """Fetch the 附票記載事項通知 of other municipalities about our 本籍者, record each, acknowledge."""
    result = PullResult()
    client = koseki_client()
    if client is None:
        result.skipped = "本籍地の接続先（JUMIN_KOSEKI_URL）が設定されていないため、受信しませんでした。"
        return result

    def take(payload: dict[str, Any]) -> str:
        entry = record_fuhyo(payload, now=now)
        return entry.notice_id

    pulled = pull(client, FUHYO_INBOX, our_code(), take)
    result.recorded, result.refused = pulled.kept, pulled.refused
    return result
