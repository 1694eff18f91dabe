"""The operator's view of 住基ネット linkage (spec 7.1.1.1): delivery state per destination, the
telegram list with its errors explained, 「今すぐ再送」, the CS送信一覧・受信一覧 and the
取込エラー一覧 with a manual assignment of an unmatched 転入通知 to a 除票.

Readers without personal data (counts, 更新順番号, states, error codes) need ``run_batch``; the
受信一覧 shows names and needs ``view_resident`` too and writes the access log; assigning a
notice needs ``enter_movement``.  Writers run in one transaction and write the operation log —
never a 住民票コード or 個人番号.

Spec 4.1.3.0.4: a manual re-send of the 特例転出 転出証明書情報 is not provided (標準仕様 X):
telegrams of kind ``move_out_certificate`` only get the dispatcher's automatic retry.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.services import record_access, record_operation
from jumin.cards.models import DeliveryInfo
from jumin.core.errors import DomainError
from jumin.jukinet import notices, protection_flags, resend
from jumin.jukinet.dispatch import QUEUE_ORDER
from jumin.jukinet.models import ReceivedMoveInNotice, Telegram
from jumin.linkage.errors import advice, explain
from jumin.registry.models import Resident, Status
from jumin.registry.services import enter_movement

RUN_BATCH = "accounts.run_batch"
VIEW = "accounts.view_resident"
ENTER = "accounts.enter_movement"

NO_MANUAL_RESEND = frozenset({"move_out_certificate"})  # spec 4.1.3.0.4 (X)

KIND_LABELS = {
    "identity_update": "本人確認情報更新",
    "move_in_notice": "転入通知",
    "move_out_certificate": "転出証明書情報（特例転出）",
    "protection_flag": "支援措置（抑止）の通知",
}


def destination_label(destination: str) -> str:
    if destination == Telegram.Destination.PREFECTURE:
        return "都道府県サーバ（本人確認情報）"
    if destination == protection_flags.DESTINATION:
        return "都道府県サーバ（支援措置）"
    if destination.startswith(Telegram.MUNICIPALITY):
        return f"他市町村 {destination.removeprefix(Telegram.MUNICIPALITY)}（転入通知）"
    return destination


def _require(user: User, *perms: str) -> None:
    if not all(user.has_perm(p) for p in perms):
        raise DomainError("auth.forbidden", "この処理を行う権限がありません。")


# -- delivery state ------------------------------------------------------------------------


@dataclass
class DestinationState:
    destination: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)  # state -> count
    oldest_waiting: datetime | None = None
    last_success: datetime | None = None
    blocked_at: int | None = None  # 更新順番号 of the first telegram not delivered
    blocked_error: str = ""

    @property
    def waiting(self) -> int:
        return self.counts.get(Telegram.State.PENDING, 0) + self.counts.get(Telegram.State.FAILED, 0)


WAITING = (Telegram.State.PENDING, Telegram.State.FAILED)


def destinations(by: User) -> list[DestinationState]:
    """Per destination of telegrams, and the card management system (送付先情報): counts by state,
    the oldest telegram still waiting, the last successful delivery and what blocks the queue."""
    _require(by, RUN_BATCH)
    states: dict[str, DestinationState] = {}
    for name in sorted(set(Telegram.objects.values_list("destination", flat=True))):
        states[name] = DestinationState(name, destination_label(name))
    for destination, state in states.items():
        rows = Telegram.objects.filter(destination=destination)
        state.counts = dict(Counter(rows.values_list("state", flat=True)))
        state.oldest_waiting = rows.filter(state__in=WAITING).aggregate(m=Min("created_at"))["m"]
        state.last_success = rows.filter(state=Telegram.State.SENT).aggregate(m=Max("sent_at"))["m"]
        first = rows.filter(state__in=WAITING).order_by(QUEUE_ORDER, "seq").first()
        if first is not None and first.state == Telegram.State.FAILED:
            state.blocked_at, state.blocked_error = first.seq, first.last_error
    cards = DestinationState("cardsystem", "個人番号カード管理システム（送付先情報）")
    infos = DeliveryInfo.objects.all()
    cards.counts = dict(Counter(infos.values_list("state", flat=True)))
    cards.oldest_waiting = infos.exclude(state=DeliveryInfo.State.SENT).aggregate(m=Min("built_at"))["m"]
    cards.last_success = infos.filter(state=DeliveryInfo.State.SENT).aggregate(m=Max("sent_at"))["m"]
    return [*sorted(states.values(), key=lambda s: s.destination), cards]


@dataclass(frozen=True)
class TelegramLine:
    id: int
    destination: str
    destination_label: str
    seq: int
    kind: str
    kind_label: str
    state: str
    state_label: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    error: str
    error_text: str
    advice: str
    retryable: bool
    resendable: bool = False  # 「異動事由を変更しての再送」 (jumin.jukinet.resend)
    error_update_seq: int | None = None  # item 30: the 更新順番号 this telegram replaced


def _line(t: Telegram) -> TelegramLine:
    return TelegramLine(
        id=t.pk,
        destination=t.destination,
        destination_label=destination_label(t.destination),
        seq=t.seq,
        kind=t.kind,
        kind_label=KIND_LABELS.get(t.kind, t.kind),
        state=t.state,
        state_label=Telegram.State(t.state).label if t.state in Telegram.State.values else t.state,
        attempts=t.attempts,
        next_attempt_at=t.next_attempt_at,
        created_at=t.created_at,
        sent_at=t.sent_at,
        error=t.last_error,
        error_text=explain(t.last_error),
        advice=advice(t.last_error) if t.state == Telegram.State.FAILED else "",
        retryable=t.state == Telegram.State.FAILED and t.kind not in NO_MANUAL_RESEND,
        resendable=resend.resendable(t),
        error_update_seq=t.body.get("error_update_seq") if isinstance(t.body, dict) else None,
    )


def telegrams(by: User, *, state: str = "", destination: str = "", limit: int = 200) -> list[TelegramLine]:
    """The telegrams, newest first per destination (no personal data: ``run_batch``)."""
    _require(by, RUN_BATCH)
    rows = Telegram.objects.order_by("destination", "-seq")
    if state:
        rows = rows.filter(state=state)
    if destination:
        rows = rows.filter(destination=destination)
    return [_line(t) for t in rows[: max(1, min(limit, 1000))]]


def retry_now(by: User, telegram_id: int, *, now: datetime | None = None) -> Telegram:
    """「今すぐ再送」: a failed telegram is due at the next dispatcher pass (its back-off is
    cleared).  Not for 転出証明書情報 (spec 4.1.3.0.4: only the automatic retry)."""
    _require(by, RUN_BATCH)
    with transaction.atomic():
        telegram = Telegram.objects.select_for_update().filter(pk=telegram_id).first()
        if telegram is None:
            raise DomainError("jukinet.telegram_not_found", "その電文はありません。")
        if telegram.kind in NO_MANUAL_RESEND:
            raise DomainError(
                "jukinet.resend_not_allowed",
                "転出証明書情報は手動で再送できません（自動の再送のみ。標準仕様 4.1.3.0.4）。",
            )
        if telegram.state != Telegram.State.FAILED:
            raise DomainError("jukinet.not_failed", "送信エラーの電文だけを再送できます。")
        before = telegram.next_attempt_at
        telegram.next_attempt_at = now or timezone.now()
        telegram.save(update_fields=["next_attempt_at"])
        record_operation(
            action="jukinet.retry_requested",
            target_type="jukinet",
            target_id=f"{telegram.destination}#{telegram.seq}",
            before={"next_attempt_at": before.isoformat() if before else None},
            after={"error": telegram.last_error},
        )
    return telegram


# -- 送付先情報 that failed ------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryLine:
    id: int
    management_no: str
    reason_label: str
    state_label: str
    attempts: int
    built_at: datetime
    next_attempt_at: datetime | None
    error: str
    error_text: str


def failed_deliveries(by: User) -> list[DeliveryLine]:
    """送付先情報 rows not delivered (送付先管理番号, 事由, エラー; no personal data)."""
    _require(by, RUN_BATCH)
    rows = DeliveryInfo.objects.filter(state=DeliveryInfo.State.FAILED).order_by("id")
    return [
        DeliveryLine(
            i.pk,
            i.management_no,
            i.get_reason_display(),
            i.get_state_display(),
            i.attempts,
            i.built_at,
            i.next_attempt_at,
            i.last_error,
            explain(i.last_error),
        )
        for i in rows
    ]


def retry_delivery(by: User, delivery_id: int, *, now: datetime | None = None) -> DeliveryInfo:
    """「今すぐ再送」 for one failed 送付先情報 row."""
    _require(by, RUN_BATCH)
    with transaction.atomic():
        info = DeliveryInfo.objects.select_for_update().filter(pk=delivery_id).first()
        if info is None:
            raise DomainError("cards.delivery_not_found", "その送付先情報はありません。")
        if info.state != DeliveryInfo.State.FAILED:
            raise DomainError("jukinet.not_failed", "送信エラーの送付先情報だけを再送できます。")
        info.next_attempt_at = now or timezone.now()
        info.save(update_fields=["next_attempt_at"])
        record_operation(
            action="cards.delivery_retry_requested",
            target_type="cards",
            target_id=info.management_no,
            after={"error": info.last_error},
        )
    return info


# -- CS送信一覧表 / CS受信一覧表 (7.1.1.1) ------------------------------------------------------


def _day_range(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


@dataclass
class SentGroup:
    destination_label: str
    kind_label: str
    lines: list[TelegramLine]


def sent_list(by: User, day: date) -> list[SentGroup]:
    """CS送信一覧表: the telegrams delivered on ``day``, per destination and kind, in order."""
    _require(by, RUN_BATCH)
    start, end = _day_range(day)
    rows = Telegram.objects.filter(state=Telegram.State.SENT, sent_at__gte=start, sent_at__lt=end).order_by(
        "destination", "kind", "seq"
    )
    groups: dict[tuple[str, str], SentGroup] = {}
    for t in rows:
        key = (t.destination, t.kind)
        if key not in groups:
            groups[key] = SentGroup(destination_label(t.destination), KIND_LABELS.get(t.kind, t.kind), [])
        groups[key].lines.append(_line(t))
    return list(groups.values())


@dataclass(frozen=True)
class ReceivedLine:
    id: int
    notice_id: str
    sender_code: str
    received_at: datetime
    state: str
    state_label: str
    error: str
    error_text: str
    name: str
    birth_text: str
    moved_in_text: str
    address: str
    atena_no: str


NOTICE_ERRORS = {
    "notice.no_match": "該当する除票が見つかりません（住民票コード・氏名・生年月日・性別）。",
    "notice.incomplete": "転入日・住所、または本人を特定する項目がありません。",
    "notice.bad_date": "日付の形式が正しくありません。",
    "notice.discarded": "仮登録が取り消されました。除票を確かめて割り当て直してください。",
    "movement.locked": "該当する除票を他の職員が処理中でした。処理の後で割り当ててください。",
    "movement.rejected": "除票に記録できない内容です（通知の内容を確認してください）。",
}


def received_list(by: User, *, day: date | None = None, errors_only: bool = False) -> list[ReceivedLine]:
    """CS受信一覧表 of 転入通知 (``day``: received that day) and the 取込エラー一覧
    (``errors_only``: every unmatched or invalid notice).  Shows names: ``view_resident`` and
    the access log."""
    _require(by, RUN_BATCH, VIEW)
    rows = ReceivedMoveInNotice.objects.order_by("received_at", "id")
    if errors_only:
        rows = rows.exclude(state=ReceivedMoveInNotice.State.APPLIED)
    if day is not None:
        start, end = _day_range(day)
        rows = rows.filter(received_at__gte=start, received_at__lt=end)

    def text(payload: dict[str, Any], key: str) -> str:
        value = payload.get(key)
        return value if isinstance(value, str) else ""

    lines = [
        ReceivedLine(
            n.pk,
            n.notice_id,
            n.sender_code,
            n.received_at,
            n.state,
            n.get_state_display(),
            n.error_code,
            NOTICE_ERRORS.get(n.error_code, ""),
            text(n.payload, "name"),
            text(n.payload, "birth_text"),
            text(n.payload, "moved_in_text") or text(n.payload, "moved_in_on"),
            text(n.payload, "address"),
            n.atena_no,
        )
        for n in rows
    ]
    record_access(
        purpose="jukinet.received_list",
        persons=sorted({line.atena_no for line in lines if line.atena_no}),
        action="list",
        criteria={"day": day.isoformat() if day else None, "errors_only": errors_only},
        result_count=len(lines),
    )
    return lines


def assign_notice(by: User, notice_pk: int, atena_no: str, *, now: datetime | None = None) -> ReceivedMoveInNotice:
    """Enter an unmatched 転入通知 on the 除票 the staff identified (4.1.3.1.2, 取込エラー一覧): the
    same 仮登録 as an automatic match (``jukinet.notices``), entered by this operator and approved
    (本登録) by another person like any movement; operation-logged."""
    _require(by, ENTER)
    atena_no = atena_no.strip()
    with transaction.atomic():
        stored = ReceivedMoveInNotice.objects.select_for_update().filter(pk=notice_pk).first()
        if stored is None:
            raise DomainError("notice.not_found", "その転入通知はありません。")
        if stored.state != ReceivedMoveInNotice.State.UNMATCHED:
            raise DomainError("notice.not_unmatched", "該当者なしの転入通知だけを除票に割り当てられます。")
        resident = Resident.objects.filter(atena_no=atena_no).first()
        if resident is None:
            raise DomainError("resident.not_found", "その宛名番号の住民はいません。")
        if resident.status != Status.REMOVED:
            raise DomainError("notice.not_removed", "転入通知は除票にだけ記録できます（この方は住民です）。")
        notice = notices.parse_notice(stored.payload)
        movement = enter_movement(
            notices.KIND, notices.movement_data(notice, resident.atena_no), by=by, acknowledged=("notice.again",)
        )
        stored.state, stored.error_code = ReceivedMoveInNotice.State.QUEUED, ""
        stored.atena_no, stored.movement = resident.atena_no, movement
        stored.save(update_fields=["state", "error_code", "atena_no", "movement"])
        record_operation(
            action="jukinet.move_in_notice_assigned",
            target_type="resident",
            target_id=resident.atena_no,
            movement_id=movement.movement_no,
            after={"notice": stored.notice_id, "by": by.username},
        )
    return stored
