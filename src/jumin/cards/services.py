"""Writers of 個人番号カード work: 送付先情報 (build, send, purge) and card status events.

送付先情報 (assessment file (3); spec 7.1.1.4; rules-and-vectors §6.7):

* :func:`collect_assignments` reads the outbox (``linkage.OutboxMessage``, ``jukinet_cs`` rows, after a watermark)
  and builds a row with :func:`build_delivery_info` for every history row that *designates* a
  個人番号 here: the first number of a person (出生, 国外転入, 職権記載 …) or a changed one
  (変更請求, 職権修正).  A 国内転入 that brings its number builds nothing (the former
  municipality's 送付先情報 covered it); neither do 改製/再製 and 異動の取消し.
* :func:`request_delivery_info` builds one on request (交付申請書の再送付), optionally to a 居所.
* :func:`send_delivery_info` sends the due rows to the J-LIS card management system
  (``JUMIN_CARDSYSTEM_URL``, signed both ways like every 住基ネット peer).
* :func:`purge_sent` deletes every row sent before the last business day (one Japanese
  business day after sending: weekends, national holidays and 年末年始 skipped).  Nothing is kept
  and no copy is made; the log says how many rows went, nothing else.

Card status events: :func:`record_card_event` appends to ``CardEvent`` (append-only) and checks
the transition (:mod:`jumin.cards.status`); :func:`card_status_of` is the current state.  An event
recorded at the counter gets a ``CardEventDelivery`` row in the same transaction and goes to J-LIS
with :func:`send_card_events`; :func:`pull_card_events` records the events J-LIS has for us
(source ``jlis``, once per J-LIS event id).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Subquery
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.context import current as audit_context
from jumin.audit.services import record_operation
from jumin.cards import status as card_status
from jumin.cards.items import PRINT_APPLICATION_ONLY, PRINT_FULL, build_items
from jumin.cards.models import (
    CardEvent,
    CardEventDelivery,
    CardEventKind,
    CardEventSource,
    CardKind,
    DeliveryCursor,
    DeliveryInfo,
    DeliveryReason,
    ReceivedCardEvent,
)
from jumin.conf.calendar import next_business_day
from jumin.core.errors import DomainError
from jumin.linkage.client import DEFAULT_TIMEOUT, PeerClient
from jumin.linkage.delivery import Sender, deliver
from jumin.linkage.inbox import Inbox, pull
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import PersonRecord, Resident, ResidentHistory, Status
from jumin.registry.numbers import open_individual_number, reserve_serials

logger = logging.getLogger(__name__)

DELIVERY_PATH = "/delivery-info"
CARDSYSTEM_PUBLIC = "cardsystem_ed25519.pub"
CURSOR = "jukinet_cs"
ENTER = "accounts.enter_movement"
_NOT_DESIGNATING = frozenset({"domestic_move_in", "rebuild_add", "remake_add"})


def _require(user: User | None, perm: str) -> None:
    if user is not None and not user.has_perm(perm):
        raise DomainError("auth.forbidden", "この処理を行う権限がありません。")


# -- 送付先情報: build ---------------------------------------------------------------------------


def designation_reason(row: ResidentHistory, previous: ResidentHistory | None, first_reason: str) -> str | None:
    """Why ``row`` needs 送付先情報 (a 個人番号 designated here), or None."""
    if row.status != Status.CURRENT or not row.individual_number_lookup:
        return None
    if row.reason in _NOT_DESIGNATING or row.reason.startswith("cancel_"):
        return None
    if previous is not None and previous.individual_number_lookup == row.individual_number_lookup:
        return None
    if previous is not None and previous.individual_number_lookup:
        return DeliveryReason.NUMBER_CHANGE
    return DeliveryReason.BIRTH if first_reason == "birth" else DeliveryReason.NEW_RESIDENT


def _management_no(today: date) -> str:
    serial = reserve_serials("cards:delivery", 1).start
    return f"{settings.JUMIN_MUNICIPALITY.get('lg_code', '')}{today:%Y%m%d}{serial % 1_000_000:06d}"


def build_delivery_info(
    atena_no: str,
    reason: str,
    *,
    history_no: int | None = None,
    send_to_postcode: str = "",
    send_to_address: str = "",
    operator: str = "",
    terminal: str = "",
) -> DeliveryInfo:
    """One 送付先情報 row (all 67 items) of a current resident with a 個人番号."""
    person: PersonRecord | None
    if history_no is None:
        person = Resident.objects.filter(atena_no=atena_no).first()
    else:
        person = ResidentHistory.objects.filter(atena_no=atena_no, history_no=history_no).first()
    if person is None:
        raise DomainError("resident.not_found", "その宛名番号の住民はいません。")
    if person.status != Status.CURRENT:
        raise DomainError("cards.not_current", "除票の方の送付先情報は作成できません。")
    if not person.individual_number_ct or not person.resident_code:
        raise DomainError("cards.no_individual_number", "個人番号・住民票コードが記載されていないため作成できません。")
    if reason not in DeliveryReason.values:
        raise DomainError("cards.bad_reason", "送付先情報の作成事由が正しくありません。")
    context = audit_context()
    today = timezone.localdate()
    with transaction.atomic():
        management_no = _management_no(today)
        info = DeliveryInfo.objects.create(
            management_no=management_no,
            atena_no=atena_no,
            history_no=history_no,
            reason=reason,
            individual_number_ct=person.individual_number_ct,
            items=build_items(
                person,
                management_no=management_no,
                processed_on=today,
                operator=operator or context.operator,
                terminal=terminal or context.terminal,
                print_kind=PRINT_APPLICATION_ONLY if reason == DeliveryReason.REQUEST else PRINT_FULL,
                send_to_postcode=send_to_postcode,
                send_to_address=send_to_address,
            ),
        )
        record_operation(
            action="cards.delivery_built",
            target_type="resident",
            target_id=atena_no,
            after={"management_no": management_no, "reason": reason},
        )
    return info


def request_delivery_info(
    by: User, atena_no: str, *, send_to_postcode: str = "", send_to_address: str = ""
) -> DeliveryInfo:
    """送付先情報 on request (7.1.1.4), to the 住所 or to a 居所 the person names."""
    _require(by, ENTER)
    if bool(send_to_address.strip()) != bool(send_to_postcode.strip()):
        raise DomainError("cards.send_to_incomplete", "居所に送付する場合は郵便番号と住所の両方を入力してください。")
    return build_delivery_info(
        atena_no,
        DeliveryReason.REQUEST,
        send_to_postcode=send_to_postcode.strip(),
        send_to_address=send_to_address.strip(),
        operator=by.username,
    )


def collect_assignments(limit: int = 500) -> int:
    """送付先情報 for the 個人番号 designated by 本登録 since the last call; how many were built."""
    built = 0
    with transaction.atomic():
        cursor, _ = DeliveryCursor.objects.select_for_update().get_or_create(name=CURSOR)
        messages = list(
            OutboxMessage.objects.filter(
                destination=OutboxMessage.Destination.JUKINET_CS, seq__gt=cursor.last_seq, movement__isnull=False
            )
            .select_related("movement__entered_by")
            .order_by("seq")[:limit]
        )
        for message in messages:
            history_no, movement = message.history_no, message.movement
            assert history_no is not None and movement is not None  # a 本登録's row (filtered above)
            rows = {
                r.history_no: r
                for r in ResidentHistory.objects.filter(
                    atena_no=message.atena_no, history_no__in=(1, history_no - 1, history_no)
                )
            }
            row = rows.get(history_no)
            first = rows.get(1)
            reason = (
                designation_reason(row, rows.get(history_no - 1), first.reason if first else "")
                if row is not None
                else None
            )
            if reason is not None and row is not None:
                build_delivery_info(
                    row.atena_no,
                    reason,
                    history_no=row.history_no,
                    operator=movement.entered_by.username,
                    terminal=row.terminal,
                )
                built += 1
            cursor.last_seq = message.seq
        cursor.save(update_fields=["last_seq"])
    if built:
        logger.info("cards: %s delivery info rows built", built)
    return built


# -- 送付先情報: send ----------------------------------------------------------------------------


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value).strip()


def cardsystem_client() -> PeerClient | None:
    url = _setting("JUMIN_CARDSYSTEM_URL", "")
    if not url:
        return None
    return PeerClient(
        url,
        float(_setting("JUMIN_CARDSYSTEM_TIMEOUT", str(DEFAULT_TIMEOUT))),
        path=DELIVERY_PATH,
        peer_file=CARDSYSTEM_PUBLIC,
        peer_label="個人番号カード管理システム",
        url_setting="JUMIN_CARDSYSTEM_URL",
    )


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    skipped: str = ""


def _wire_body(info: DeliveryInfo) -> dict[str, object]:
    items = dict(info.items)
    items["50"] = open_individual_number(info.individual_number_ct, info.atena_no)
    return {
        "management_no": info.management_no,
        "items": dict(sorted(items.items(), key=lambda kv: int(kv[0]))),
    }


DELIVERY_SENDER: Sender[DeliveryInfo] = Sender(
    body=_wire_body,
    key=lambda info: str(info.pk),  # rows are independent: a refusal holds back no other row
    name=lambda info: f"cards 送付先情報 {info.management_no}",
)


def send_delivery_info(*, now: datetime | None = None, limit: int = 1000) -> SendResult:
    """Send the due rows.  A refusal of one row (``rejected:*``) leaves the others going; a peer
    that cannot be reached (or a key problem) stops the pass.  ``already_received`` is sent."""
    now = now or timezone.now()
    result = SendResult()
    due = DeliveryInfo.objects.filter(state__in=(DeliveryInfo.State.PENDING, DeliveryInfo.State.FAILED)).order_by("id")
    client = cardsystem_client()
    if client is None:
        result.waiting = due.count()
        if result.waiting:
            result.skipped = (
                "個人番号カード管理システムの接続先（JUMIN_CARDSYSTEM_URL）が設定されていないため、送信しませんでした。"
            )
            logger.warning("cards: JUMIN_CARDSYSTEM_URL is not set; %s rows waiting", result.waiting)
        return result
    delivered = deliver(client, due[:limit], DELIVERY_SENDER, now=now)
    result.sent, result.failed, result.waiting = delivered.sent, delivered.failed, delivered.waiting
    if result.sent or result.failed:
        record_operation(
            action="cards.delivery_sent", target_type="cards", after={"sent": result.sent, "failed": result.failed}
        )
        logger.info("cards: delivery info sent %s, failed %s", result.sent, result.failed)
    return result


def last_purgeable_send_date(today: date) -> date:
    """The latest send date whose next business day has come by ``today``."""
    day = today - timedelta(days=1)
    while next_business_day(day) > today:
        day -= timedelta(days=1)
    return day


def purge_sent(now: datetime | None = None) -> int:
    """Delete every row sent one business day ago or earlier; how many were deleted."""
    now = now or timezone.now()
    last = last_purgeable_send_date(timezone.localdate(now))
    cutoff = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    with transaction.atomic():
        deleted, _ = DeliveryInfo.objects.filter(state=DeliveryInfo.State.SENT, sent_at__lt=cutoff).delete()
        if deleted:
            record_operation(action="cards.delivery_purged", target_type="cards", after={"deleted": deleted})
    logger.info("cards: %s sent delivery info rows deleted", deleted)
    return deleted


# -- card status events ----------------------------------------------------------------------


def card_status_of(atena_no: str, card_kind: str = CardKind.INDIVIDUAL_NUMBER) -> str:
    """The current state of the person's card (:mod:`jumin.cards.status`), ``none`` when none."""
    last = CardEvent.objects.filter(atena_no=atena_no, card_kind=card_kind).order_by("-id").first()
    return last.status_after if last is not None else card_status.NONE


def holders_of_active_cards(atena_nos: Iterable[str]) -> set[str]:
    """Of these persons, those whose 個人番号カード or 住基カード is active now (registry hook
    ``card_holders``, used by the 特例転出 of 法24条の2)."""
    wanted = list(dict.fromkeys(atena_nos))
    last_events = (
        CardEvent.objects.filter(atena_no__in=wanted)
        .values("atena_no", "card_kind")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    active = CardEvent.objects.filter(id__in=Subquery(last_events), status_after=card_status.ACTIVE)
    return set(active.values_list("atena_no", flat=True))  # one query, whatever the number of persons


def record_card_event(
    atena_no: str,
    event: str,
    on: date,
    source: str,
    *,
    card_kind: str = CardKind.INDIVIDUAL_NUMBER,
    note: str = "",
    by: User | None = None,
) -> CardEvent:
    """Append one card status event (交付, 廃止, 回収, 一時停止, 解除, 返還) after checking it
    applies to the card's current state.  ``by``: the counter operator (needs the capability
    to enter movements); None for a batch or a linked system."""
    _require(by, ENTER)
    if event not in CardEventKind.values:
        raise DomainError("cards.bad_event", "カードの事象の種類が正しくありません。")
    if source not in CardEventSource.values:
        raise DomainError("cards.bad_source", "連携元が正しくありません。")
    if card_kind not in CardKind.values:
        raise DomainError("cards.bad_card_kind", "カードの種類が正しくありません。")
    if on > timezone.localdate():
        raise DomainError("date.future", "事象の年月日は今日以前の日付にしてください。")
    context = audit_context()
    with transaction.atomic():
        if not Resident.objects.select_for_update().filter(atena_no=atena_no).exists():
            raise DomainError("resident.not_found", "その宛名番号の住民はいません。")
        before = card_status_of(atena_no, card_kind)
        try:
            after = card_status.next_state(before, event)
        except card_status.TransitionError:
            raise DomainError(
                "cards.invalid_event",
                f"カードの状況が「{card_status.LABELS[before]}」のため、"
                f"「{CardEventKind(event).label}」は記録できません。",
            ) from None
        row = CardEvent.objects.create(
            atena_no=atena_no,
            card_kind=card_kind,
            event=event,
            occurred_on=on,
            source=source,
            status_after=after,
            note=note.strip()[:200],
            operator=by.username if by is not None else context.operator,
            terminal=context.terminal,
        )
        if source == CardEventSource.COUNTER:
            CardEventDelivery.objects.create(event=row)
        record_operation(
            action="cards.event_recorded",
            target_type="resident",
            target_id=atena_no,
            before={"status": before},
            after={"card_kind": card_kind, "event": event, "status": after},
        )
    return row


# -- card status events with J-LIS (assessment system 2 function 8) ---------------------------

EVENTS_PATH = "/card-events"
EVENT_INBOX = Inbox(EVENTS_PATH, "events", "municipality", "カードの事象", "cards.receive_failed")


def _lg_code() -> str:
    return str(settings.JUMIN_MUNICIPALITY.get("lg_code", ""))


def card_event_id(event: CardEvent) -> str:
    """The id of a counter event at J-LIS (no personal data): ``<団体コード>:card-event:<id>``."""
    return f"{_lg_code()}:card-event:{event.pk}"


def _event_body(event: CardEvent) -> dict[str, object]:
    resident_code = Resident.objects.filter(atena_no=event.atena_no).values_list("resident_code", flat=True).first()
    return {
        "event_id": card_event_id(event),
        "municipality_code": _lg_code(),
        "resident_code": resident_code or "",
        "card_kind": event.card_kind,
        "event": event.event,
        "occurred_on": event.occurred_on.isoformat(),
        "status_after": event.status_after,
    }


def _events_client() -> PeerClient | None:
    client = cardsystem_client()
    if client is None:
        return None
    return PeerClient(
        client.base_url,
        client.timeout,
        path=EVENTS_PATH,
        peer_file=CARDSYSTEM_PUBLIC,
        peer_label="個人番号カード管理システム",
        url_setting="JUMIN_CARDSYSTEM_URL",
    )


EVENT_SENDER: Sender[CardEventDelivery] = Sender(
    body=lambda delivery: _event_body(delivery.event),
    key=lambda delivery: delivery.event.atena_no,  # one person's events keep their order
    name=lambda delivery: f"cards card-event:{delivery.event_id}",
)


def send_card_events(*, now: datetime | None = None, limit: int = 1000) -> SendResult:
    """Send the counter events not yet delivered, in the order they were recorded.  A peer that
    cannot be reached (or a key problem) stops the pass; a refusal of one event holds back the
    later events of the same person (their order matters) and lets the others go."""
    now = now or timezone.now()
    result = SendResult()
    due = CardEventDelivery.objects.select_related("event").filter(
        state__in=(CardEventDelivery.State.PENDING, CardEventDelivery.State.FAILED)
    )
    client = _events_client()
    if client is None:
        result.waiting = due.count()
        if result.waiting:
            result.skipped = (
                "個人番号カード管理システムの接続先（JUMIN_CARDSYSTEM_URL）が設定されていないため、"
                "カードの事象を送信しませんでした。"
            )
        return result
    delivered = deliver(client, due.order_by("event_id")[:limit], EVENT_SENDER, now=now)
    result.sent, result.failed, result.waiting = delivered.sent, delivered.failed, delivered.waiting
    if result.sent or result.failed:
        record_operation(
            action="cards.events_sent", target_type="cards", after={"sent": result.sent, "failed": result.failed}
        )
        logger.info("cards: card events sent %s, failed %s", result.sent, result.failed)
    return result


@dataclass
class PullResult:
    received: int = 0
    recorded: int = 0
    refused: int = 0
    already: int = 0  # received before (a lost acknowledgement): nothing recorded again
    skipped: str = ""


def receive_card_event(payload: dict[str, object]) -> ReceivedCardEvent:
    """Record one event from J-LIS (source ``jlis``), once per ``event_id``; an event that does
    not apply (unknown person, impossible transition, bad item) is kept as refused with a code."""
    event_id = str(payload.get("event_id") or "")[:100]
    if not event_id:
        raise DomainError("cards.no_event_id", "カードの事象に事象番号（event_id）がありません。")
    with transaction.atomic():
        earlier = ReceivedCardEvent.objects.select_for_update().filter(event_id=event_id).first()
        if earlier is not None:
            return earlier
        stored = ReceivedCardEvent(event_id=event_id)
        resident_code = str(payload.get("resident_code") or "")
        atena_no = (
            Resident.objects.filter(resident_code=resident_code).values_list("atena_no", flat=True).first()
            if resident_code
            else None
        )
        try:
            if atena_no is None:
                raise DomainError("resident.not_found", "その住民票コードの住民はいません。")
            try:
                on = date.fromisoformat(str(payload.get("occurred_on") or ""))
            except ValueError:
                raise DomainError("cards.bad_date", "事象の年月日の形式が正しくありません。") from None
            with transaction.atomic():
                stored.recorded = record_card_event(
                    atena_no,
                    str(payload.get("event") or ""),
                    on,
                    CardEventSource.JLIS,
                    card_kind=str(payload.get("card_kind") or CardKind.INDIVIDUAL_NUMBER),
                    note="個人番号カード管理システムから受信",
                )
            stored.state = ReceivedCardEvent.State.RECORDED
        except DomainError as exc:
            stored.state, stored.error_code = ReceivedCardEvent.State.REFUSED, exc.code
            record_operation(
                action="cards.event_refused", target_type="cards", target_id=event_id, after={"error": exc.code}
            )
            logger.warning("cards: card event %s from J-LIS not recorded (%s)", event_id, exc.code)
        stored.save()
    return stored


def pull_card_events() -> PullResult:
    """Fetch the events J-LIS has for us, record each one, acknowledge them."""
    result = PullResult()
    client = _events_client()
    if client is None:
        result.skipped = (
            "個人番号カード管理システムの接続先（JUMIN_CARDSYSTEM_URL）が設定されていないため、受信しませんでした。"
        )
        return result

    def take(payload: dict[str, Any]) -> str:
        seen = ReceivedCardEvent.objects.filter(event_id=str(payload.get("event_id") or "")[:100]).exists()
        stored = receive_card_event(payload)  # no id: J-LIS keeps it, and the next pull sees it again
        result.received += 1
        if seen:
            result.already += 1
        elif stored.state == ReceivedCardEvent.State.RECORDED:
            result.recorded += 1
        else:
            result.refused += 1
        return stored.event_id

    pull(client, EVENT_INBOX, _lg_code(), take)
    return result
