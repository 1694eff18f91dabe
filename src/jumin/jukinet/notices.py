"""転入通知 (住基法9条1項) both ways, and the list of 転出 still waiting for one (4.1.3.1.4).

Outbound: when a 本登録 records a 国内転入, :func:`queue_move_in_notice` (called by
``services.build_from_outbox`` for the same outbox row as the 本人確認情報) queues a telegram to
``municipality:<団体コード>`` of the former municipality — the 団体コード of the 転入前住所コード, or
the municipality the address dictionary finds at the start of the 転入前住所 (or of the 最終登録住所地
of a 未届転入).  A former address no code can be found for is not queued; the operation log says so
(``jukinet.move_in_notice_unrouted``) and the notice is left to the staff.

Inbound: :func:`receive_move_in_notice` takes one received notice, finds our 除票 by 住民票コード
(else by 氏名 + 生年月日 + 性別, only when exactly one 除票 matches) and enters, in one transaction, a
仮登録 of the movement ``move_in_notice`` (``registry.planning.notices``: 転入通知年月日, 転出先（確定）
and 転出年月日（確定）; the 予定 items unchanged, 4.1.3.1.1) as the inactive system user
``jumin-jukinet``.  Nothing reaches the 除票 until a person checks it and approves it (本登録) —
the assessment requires a second person's check of what is entered; the notice is ``queued``
until then, ``applied`` after, and back on the 取込エラー一覧 if the 仮登録 is discarded
(:func:`movement_final`, a registry hook).  No outbox row is written (no 本人確認情報 item changes).
:func:`pull_move_in_notices` fetches the notices addressed to us from the 住基ネット relay
(``JUMIN_MUNICIPALITY_URL``) and acknowledges each one once recorded.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.accounts.services import system_user as accounts_system_user
from jumin.addresses.models import Municipality
from jumin.audit.services import record_access, record_operation
from jumin.core.address import street_address
from jumin.core.check_digits import lg_code_to_6
from jumin.core.codes import AddressCode
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.core.reasons import REASONS
from jumin.core.unified_chars import check_notes
from jumin.jukinet.dispatch import municipality_client
from jumin.jukinet.models import IdentityRecord, ReceivedMoveInNotice, Telegram
from jumin.linkage.inbox import Inbox, ReviewedPull, pull_for_review
from jumin.linkage.unified_characters import received_text, substitute_items
from jumin.registry.models import (
    ArchivedHistory,
    Movement,
    Resident,
    ResidentHistory,
    Status,
)
from jumin.registry.numbers import reserve_serials
from jumin.registry.services import MovementRejectedError, enter_received_movement

logger = logging.getLogger(__name__)

REASON = "move_in_notice"
KIND = MovementKind.MOVE_IN_NOTICE
SYSTEM_USERNAME = "jumin-jukinet"
INBOX = "/inbox"
NOTICE_INBOX = Inbox(INBOX, "notices", "to", "転入通知", "jukinet.receive_failed")


# -- outbound -------------------------------------------------------------------------------


def _our_code() -> str:
    return str(settings.JUMIN_MUNICIPALITY.get("lg_code", ""))


_PREFECTURE = re.compile(r"^(.{2,3}?[都道府県])")


def municipality_code_of(address: str, address_code: str = "") -> str:
    """The 6-digit 団体コード of the municipality of an address: from its 住所コード, else from the
    address dictionary (都道府県 + the longest 市区町村 name the text starts with); "" if unknown."""
    if address_code:
        try:
            return AddressCode.parse(address_code).lg_code6
        except DomainError:
            pass
    match = _PREFECTURE.match(address)
    if not match:
        return ""

    rest = address[match.end() :]
    names = Municipality.objects.filter(prefecture=match.group(1)).values_list("name", "lg_code5")
    found = sorted(((n, c) for n, c in names if n and rest.startswith(n)), key=lambda nc: -len(nc[0]))
    return lg_code_to_6(found[0][1]) if found else ""


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def notice_body(row: ResidentHistory | ArchivedHistory, to_code: str) -> dict[str, Any]:
    """The 転入通知 items (docs/jukinet.md "転入通知"): no 個人番号."""
    address = street_address(row.address, row.banchi)
    former_address = street_address(row.previous_address, row.previous_banchi)
    return {
        "kind": KIND,
        "from_municipality_code": _our_code(),
        "from_municipality": str(settings.JUMIN_MUNICIPALITY.get("name", "")),
        "to_municipality_code": to_code,
        "resident_code": row.resident_code,
        "name": row.name,
        "furigana": row.furigana,
        "birth_text": row.birth_text,
        "sex": row.sex,
        "moved_in_text": row.effective_text,
        "moved_in_on": _iso(row.effective_sort),
        "notified_on": _iso(row.notified_on),
        "address": address,
        "katagaki": row.katagaki,
        "postcode": row.postcode,
        "address_code": row.address_code,
        "former_address": former_address,
        "former_katagaki": row.previous_katagaki,
        # 住基ネット統一文字 (7.1.1.1): the 代替文字 items of the names and addresses
        **substitute_items(name=row.name, address=address, former_address=former_address),
    }


def queue_move_in_notice(
    row: ResidentHistory | ArchivedHistory, record: IdentityRecord, source_key: str, now: datetime
) -> bool:
    """Queue the 転入通知 of a 本登録 history row when it is a 国内転入 from another municipality
    (inside the caller's transaction); True when a telegram was queued."""
    if row.reason != "domestic_move_in" or row.status != Status.CURRENT or not row.previous_address:
        return False
    former = row.last_registered_address if row.previous_address_unreported else row.previous_address
    code = municipality_code_of(former or "", "" if row.previous_address_unreported else row.previous_address_code)
    if not code or code == _our_code():
        if not code:
            record_operation(
                action="jukinet.move_in_notice_unrouted",
                target_type="resident",
                target_id=row.atena_no,
                after={"history_no": row.history_no},
            )
            logger.warning("jukinet: 転入通知 of %s-%s has no known destination", row.atena_no, row.history_no)
        return False
    queue_to_municipality(
        code, Telegram.Kind.MOVE_IN_NOTICE, source_key, record=record, body=notice_body(row, code), now=now
    )
    return True


def queue_to_municipality(
    code: str, kind: str, key: str, *, record: IdentityRecord, body: dict[str, Any], now: datetime
) -> None:
    """One telegram to another municipality's queue (転入通知, 転出証明書情報: one ordered stream
    per destination), its 更新順番号 reserved from that destination's sequence."""
    destination = f"{Telegram.MUNICIPALITY}{code}"
    Telegram.objects.create(
        destination=destination,
        seq=reserve_serials(f"jukinet:{destination}", 1).start,
        idempotency_key=f"{destination}:{key}",
        kind=kind,
        identity=record,
        body=body,
        created_at=now,
    )


# -- inbound --------------------------------------------------------------------------------


def system_user() -> User:
    """The inactive user that enters what arrives through 住基ネット (it can never log in)."""
    return accounts_system_user(SYSTEM_USERNAME, "住基ネット受信（システム）", "住基ネット受信")


@dataclass(frozen=True)
class _Notice:
    notice_id: str
    sender_code: str
    resident_code: str
    name: str
    birth_text: str
    sex: str
    moved_in_on: date
    moved_in_text: str
    address: str
    postcode: str
    address_code: str
    notified_on: date | None
    katagaki: str = ""
    character_check: tuple[str, ...] = ()  # 文字確認が必要: what the reviewer must confirm


def _parse(payload: dict[str, Any]) -> _Notice:
    def text(key: str) -> str:
        value = payload.get(key)
        return value.strip() if isinstance(value, str) else ""

    def day(key: str) -> date | None:
        try:
            return date.fromisoformat(text(key)) if text(key) else None
        except ValueError:
            raise DomainError("notice.bad_date", "転入通知の日付の形式が正しくありません。") from None

    moved_in_on = day("moved_in_on")
    name, address = received_text(payload, "name"), received_text(payload, "address")  # 統一文字 (7.1.1.1)
    if moved_in_on is None or not address.text:
        raise DomainError("notice.incomplete", "転入通知に転入日または住所がありません。")
    if not text("resident_code") and not (name.text and text("birth_text") and text("sex")):
        raise DomainError("notice.incomplete", "転入通知に住民票コードも4情報もありません。")
    postcode = text("postcode")
    return _Notice(
        notice_id=text("idempotency_key") or text("notice_id"),
        sender_code=text("from_municipality_code")[:6],
        resident_code=text("resident_code"),
        name=name.text,
        birth_text=text("birth_text"),
        sex=text("sex"),
        moved_in_on=moved_in_on,
        moved_in_text=text("moved_in_text"),
        address=address.text[:200],
        postcode=postcode if postcode.isdigit() and len(postcode) == 7 else "",
        address_code=text("address_code") if re.fullmatch(r"[0-9]{11}", text("address_code")) else "",
        notified_on=day("notified_on"),
        katagaki=text("katagaki")[:100],
        character_check=tuple(check_notes([("氏名", name), ("転出先住所", address)])),
    )


def _find(notice: _Notice) -> Resident | None:
    removed = Resident.objects.filter(status=Status.REMOVED)
    if notice.resident_code:
        found = list(removed.filter(resident_code=notice.resident_code)[:2])
        if len(found) == 1:
            return found[0]
    surname, _, given = notice.name.partition("\u3000")
    by_name = removed.filter(birth_text=notice.birth_text, sex=notice.sex)
    candidates = list(by_name.filter(surname=surname, given_name=given)[:2]) or list(
        by_name.filter(name_alphabet=notice.name)[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


def receive_move_in_notice(payload: dict[str, Any], *, now: datetime | None = None) -> ReceivedMoveInNotice:
    """Record one received 転入通知 (4.1.3.1.1–2): a 仮登録 on our 除票 that waits for a person's
    check, or kept as 該当者なし / 形式誤り for the staff.  A notice already received (same
    ``idempotency_key``) is returned as is."""
    now = now or timezone.now()
    notice_id = str(payload.get("idempotency_key") or payload.get("notice_id") or "")[:100]
    if not notice_id:
        raise DomainError("notice.no_id", "転入通知に通知番号（idempotency_key）がありません。")
    with transaction.atomic():
        earlier = ReceivedMoveInNotice.objects.select_for_update().filter(notice_id=notice_id).first()
        if earlier is not None:
            return earlier
        stored = ReceivedMoveInNotice(notice_id=notice_id, received_at=now, payload=payload)
        try:
            notice = _parse(payload)
        except DomainError as exc:
            stored.state, stored.error_code = ReceivedMoveInNotice.State.INVALID, exc.code
            stored.save()
            logger.warning("jukinet: 転入通知 %s not readable (%s)", notice_id, exc.code)
            return stored
        stored.sender_code = notice.sender_code
        resident = _find(notice)
        if resident is None:
            return _left(stored, "notice.no_match")
        try:
            movement = enter_received_movement(KIND, movement_data(notice, resident.atena_no), by=system_user())
        except MovementRejectedError as exc:  # the planner's first error (a waiting 仮登録 …): the staff decide
            return _left(stored, exc.issues[0].code if exc.issues else exc.code)
        except DomainError as exc:  # the 除票 is being edited: the staff decide
            return _left(stored, exc.code)
        stored.state, stored.atena_no, stored.movement = ReceivedMoveInNotice.State.QUEUED, resident.atena_no, movement
        stored.save()
        logger.info("jukinet: 転入通知 %s entered as %s for review", notice_id, movement.movement_no)
    return stored


def _left(stored: ReceivedMoveInNotice, code: str) -> ReceivedMoveInNotice:
    stored.state, stored.error_code = ReceivedMoveInNotice.State.UNMATCHED, code
    stored.save()
    record_operation(
        action="jukinet.move_in_notice_unmatched",
        target_type="jukinet",
        target_id=stored.notice_id,
        after={"code": code},
    )
    logger.warning("jukinet: 転入通知 %s left for the staff (%s)", stored.notice_id, code)
    return stored


def movement_data(notice: _Notice, atena_no: str) -> dict[str, Any]:
    """What the 転入通知 movement (``registry.planning.notices``) takes, from a received notice."""
    return {
        "atena_nos": [atena_no],
        "moved_in_on": notice.moved_in_on.isoformat(),
        "moved_in_text": notice.moved_in_text,
        "destination": {
            "address": notice.address,  # 住所 and 番地 as one text, as the notice carries it
            "katagaki": notice.katagaki,
            "postcode": notice.postcode,
            "address_code": notice.address_code,
        },
        "notified_on": notice.notified_on.isoformat() if notice.notified_on else "",
        "source": f"転入通知（{notice.sender_code}）",
        "notice_id": notice.notice_id,
        "character_check": list(notice.character_check),
    }


def parse_notice(payload: dict[str, Any]) -> _Notice:
    """A stored notice's payload as read when it arrived (raises DomainError if unreadable)."""
    return _parse(payload)


def movement_final(movement: Movement, rows: Any) -> None:
    """On the 本登録 (registry hook, same transaction): a 転入通知 marks its notice ``applied``
    with the history row written."""
    if movement.kind != KIND:
        return
    item = movement.items.first()
    _linked_notices(movement).update(
        state=ReceivedMoveInNotice.State.APPLIED, error_code="", history_no=item.history_no if item else None
    )


def movement_discarded(movement: Movement) -> None:
    """A discarded 仮登録 returns the notice to the 取込エラー一覧 for the staff (registry hook)."""
    if movement.kind != KIND:
        return
    _linked_notices(movement).update(
        state=ReceivedMoveInNotice.State.UNMATCHED, error_code="notice.discarded", movement=None
    )


def _linked_notices(movement: Movement) -> Any:
    return ReceivedMoveInNotice.objects.filter(movement=movement, state=ReceivedMoveInNotice.State.QUEUED)


def pull_move_in_notices(*, now: datetime | None = None) -> ReviewedPull:
    """Fetch the 転入通知 addressed to us from the relay, record each one, acknowledge them."""
    return pull_for_review(
        municipality_client(),
        NOTICE_INBOX,
        _our_code(),
        lambda payload: receive_move_in_notice(payload, now=now),
        "転入通知の受信先（JUMIN_MUNICIPALITY_URL）が設定されていないため、受信しませんでした。",
    )


# -- 転入通知未着者一覧 (4.1.3.1.4) -------------------------------------------------------------


@dataclass(frozen=True)
class MissingNotice:
    atena_no: str
    name: str
    planned_move_out_on: date | None
    destination: str


def missing_move_in_notices(*, by: User, older_than_days: int = 0, today: date | None = None) -> list[MissingNotice]:
    """国内転出 whose 転出予定日 is at least ``older_than_days`` ago and no 転入通知 has arrived yet
    (reader of personal data: needs 住民記録の照会, writes the access log)."""
    if not by.has_perm("accounts.view_resident"):
        raise DomainError("auth.forbidden", "住民記録を照会する権限がありません。")
    today = today or timezone.localdate()
    rows = Resident.objects.filter(
        status=Status.REMOVED,
        removal_reason=REASONS["domestic_move_out"].label,
        move_in_notice_on__isnull=True,
        planned_move_out_on__isnull=False,
        planned_move_out_on__lte=today - timedelta(days=max(0, older_than_days)),
    ).order_by("planned_move_out_on", "atena_no")
    found = [MissingNotice(r.atena_no, r.name, r.planned_move_out_on, r.destination) for r in rows]
    record_access(
        purpose="転入通知未着者一覧（4.1.3.1.4）",
        persons=[m.atena_no for m in found],
        action="list",
        criteria={"older_than_days": older_than_days},
        result_count=len(found),
    )
    return found
