"""法務省通知 (住基法30条の50; spec 4.5.6) received from 出入国在留管理庁 and applied with review.

The Ministry tells us of a foreign resident's changed 在留資格, 在留期間 (and 満了日), 在留カード等
の番号, a corrected 氏名 or 国籍・地域 (kinds ``status``, ``card``, ``identity``), and of a 出国 or
the end of the 在留期間 (``departure``, ``expiry``).  :func:`receive_notice` records one notice once
per ``notice_id``, finds the person among our current foreign residents — by 在留カード等の番号,
else by 氏名（アルファベット）+ 生年月日 + 性別 only when exactly one matches — and enters, in one
transaction, a 仮登録 as the inactive system user ``jumin-immigration``: a 職権修正 of the
changed items (``correction``), or a 職権消除 (``ex_officio_removal``) for a 出国 or 在留期間経過.
Nothing reaches the register until a person checks and approves it (本登録, the same review as
the inbound 転入通知 of ``jumin.jukinet.notices``); the notice is ``queued`` until then,
``applied`` after (:func:`movement_final`), back on the 取込エラー一覧 if the 仮登録 is discarded
(:func:`movement_discarded`).  :func:`pull_notices` fetches the notices kept for us and
acknowledges each one once recorded."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.accounts.services import system_user as accounts_system_user
from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.immigration.models import ReceivedNotice
from jumin.immigration.outbound import client
from jumin.linkage.inbox import Inbox, ReviewedPull, pull_for_review
from jumin.registry.models import Movement, NationalityKind, Resident, Status
from jumin.registry.services import MovementRejectedError, enter_received_movement

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "jumin-immigration"
NOTICE_INBOX = Inbox("/notices", "notices", "to", "法務省通知", "immigration.receive_failed")
KINDS = {choice.value for choice in ReceivedNotice.Kind}
REMOVALS: dict[str, str] = {ReceivedNotice.Kind.DEPARTURE: "出国", ReceivedNotice.Kind.EXPIRY: "在留期間の経過"}
# The items each kind may change (the 職権修正's ``changes``), with their limits (registry columns).
ITEMS: dict[str, dict[str, int]] = {
    ReceivedNotice.Kind.STATUS: {"residence_status": 60, "period_of_stay": 30, "stay_expires_on": 10},
    ReceivedNotice.Kind.CARD: {"residence_card_no": 12, "special_permanent_cert_no": 12},
    ReceivedNotice.Kind.IDENTITY: {"name_alphabet": 200, "nationality": 60},
}
CARD_NO = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}|[0-9A-Z]{12}")


def system_user() -> User:
    """The inactive user that enters what the Ministry notifies (it can never log in)."""
    return accounts_system_user(SYSTEM_USERNAME, "法務省通知受信（システム）", "法務省通知受信")


@dataclass(frozen=True)
class Notice:
    notice_id: str
    kind: str
    card_no: str
    name_alphabet: str
    birth_on: date | None
    sex: str
    effective_on: date
    changes: dict[str, str]


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    return value.strip() if isinstance(value, str) else ""


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise DomainError("immigration.bad_date", "法務省通知の日付の形式が正しくありません。") from None


def parse(payload: dict[str, Any]) -> Notice:
    """One received notice, validated with the register's limits (DomainError if unreadable)."""
    kind = _text(payload, "kind")
    if kind not in KINDS:
        raise DomainError("immigration.bad_kind", "法務省通知の種類が正しくありません。")
    effective_on = _day(_text(payload, "effective_on"))
    if effective_on is None:
        raise DomainError("immigration.incomplete", "法務省通知に異動日がありません。")
    card_no = _text(payload, "residence_card_no").upper()
    if card_no and not CARD_NO.fullmatch(card_no):
        raise DomainError("immigration.bad_card_no", "在留カード等の番号の形式が正しくありません。")
    sex = _text(payload, "sex")
    if sex not in ("", "1", "2"):
        raise DomainError("immigration.bad_sex", "性別の形式が正しくありません。")
    notice = Notice(
        notice_id=_text(payload, "notice_id"),
        kind=kind,
        card_no=card_no,
        name_alphabet=_text(payload, "name_alphabet").upper()[:200],
        birth_on=_day(_text(payload, "birth_on")),
        sex=sex,
        effective_on=effective_on,
        changes=_changes(kind, payload.get("changes")),
    )
    if not notice.card_no and not (notice.name_alphabet and notice.birth_on and notice.sex):
        raise DomainError(
            "immigration.incomplete", "法務省通知に在留カード等の番号も氏名・生年月日・性別もありません。"
        )
    return notice


def _changes(kind: str, value: Any) -> dict[str, str]:
    allowed = ITEMS.get(kind)
    if allowed is None:
        return {}
    if not isinstance(value, dict) or not value or set(value) - set(allowed):
        raise DomainError("immigration.bad_changes", "法務省通知の変更項目が正しくありません。")
    changes: dict[str, str] = {}
    for key, raw in value.items():
        if not isinstance(raw, str) or not raw.strip() or len(raw.strip()) > allowed[key]:
            raise DomainError("immigration.bad_changes", "法務省通知の変更項目が正しくありません。")
        changes[key] = raw.strip()
    if "stay_expires_on" in changes:
        _day(changes["stay_expires_on"])
    return changes


def find(notice: Notice) -> Resident | None:
    """The one current foreign resident the notice is about, or None."""
    foreign = Resident.objects.filter(status=Status.CURRENT, nationality_kind=NationalityKind.FOREIGN)
    if notice.card_no:
        found = list(foreign.filter(residence_card_no=notice.card_no)[:2]) or list(
            foreign.filter(special_permanent_cert_no=notice.card_no)[:2]
        )
        if len(found) == 1:
            return found[0]
    if not (notice.name_alphabet and notice.birth_on and notice.sex):
        return None
    candidates = list(
        foreign.filter(name_alphabet=notice.name_alphabet, birth_sort=notice.birth_on, sex=notice.sex)[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


def movement_of(notice: Notice, atena_no: str) -> tuple[str, dict[str, Any]]:
    """The movement kind and data a notice is entered as."""
    if notice.kind in REMOVALS:
        return MovementKind.EX_OFFICIO_REMOVAL, {
            "atena_nos": [atena_no],
            "effective": notice.effective_on.isoformat(),
            "grounds": f"住民基本台帳法第30条の50の通知（{REMOVALS[notice.kind]}）",
            "destination_unknown": True,
        }
    return MovementKind.CORRECTION, {
        "correction": "ex_officio",
        "atena_no": atena_no,
        "effective": notice.effective_on.isoformat(),
        "changes": notice.changes,
    }


def receive_notice(payload: dict[str, Any], *, now: datetime | None = None) -> ReceivedNotice:
    """Record one received 法務省通知 (4.5.6): a 仮登録 that waits for a person's check, or kept
    as 該当者なし / 形式誤り for the staff.  A notice already received (same ``notice_id``) is
    returned as is."""
    now = now or timezone.now()
    notice_id = _text(payload, "notice_id")[:100]
    if not notice_id:
        raise DomainError("immigration.no_id", "法務省通知に通知番号（notice_id）がありません。")
    with transaction.atomic():
        earlier = ReceivedNotice.objects.select_for_update().filter(notice_id=notice_id).first()
        if earlier is not None:
            return earlier
        stored = ReceivedNotice(notice_id=notice_id, received_at=now, payload=payload)
        try:
            notice = parse(payload)
        except DomainError as exc:
            stored.state, stored.error_code = ReceivedNotice.State.INVALID, exc.code
            stored.save()
            logger.warning("immigration: 法務省通知 %s not readable (%s)", notice_id, exc.code)
            return stored
        stored.kind = notice.kind
        resident = find(notice)
        if resident is None:
            return _left(stored, "immigration.no_match")
        kind, data = movement_of(notice, resident.atena_no)
        try:
            movement = enter_received_movement(kind, data, by=system_user())
        except MovementRejectedError as exc:
            return _left(stored, exc.issues[0].code if exc.issues else exc.code)
        except DomainError as exc:
            return _left(stored, exc.code)
        stored.state, stored.atena_no, stored.movement = ReceivedNotice.State.QUEUED, resident.atena_no, movement
        stored.save()
        logger.info("immigration: 法務省通知 %s entered as %s for review", notice_id, movement.movement_no)
    return stored


def _left(stored: ReceivedNotice, code: str) -> ReceivedNotice:
    stored.state, stored.error_code = ReceivedNotice.State.UNMATCHED, code
    stored.save()
    record_operation(
        action="immigration.notice_unmatched",
        target_type="immigration",
        target_id=stored.notice_id,
        after={"code": code},
    )
    logger.warning("immigration: 法務省通知 %s left for the staff (%s)", stored.notice_id, code)
    return stored


def _linked(movement: Movement) -> Any:
    return ReceivedNotice.objects.filter(movement=movement, state=ReceivedNotice.State.QUEUED)


def movement_final(movement: Movement, rows: Any) -> None:
    """On the 本登録 (registry hook, same transaction): the notice is ``applied``."""
    if movement.kind not in (MovementKind.CORRECTION, MovementKind.EX_OFFICIO_REMOVAL):
        return
    item = movement.items.first()
    _linked(movement).update(
        state=ReceivedNotice.State.APPLIED, error_code="", history_no=item.history_no if item else None
    )


def movement_discarded(movement: Movement) -> None:
    """A discarded 仮登録 returns the notice to the 取込エラー一覧 (registry hook)."""
    if movement.kind not in (MovementKind.CORRECTION, MovementKind.EX_OFFICIO_REMOVAL):
        return
    _linked(movement).update(state=ReceivedNotice.State.UNMATCHED, error_code="immigration.discarded", movement=None)


def pull_notices(*, now: datetime | None = None) -> ReviewedPull:
    """Fetch the 法務省通知 kept for us, record each one, acknowledge them."""
    return pull_for_review(
        client(),
        NOTICE_INBOX,
        str(settings.JUMIN_MUNICIPALITY.get("lg_code", "")),
        lambda payload: receive_notice(payload, now=now),
        "出入国在留管理庁の接続先（JUMIN_IMMIGRATION_URL）が設定されていないため、受信しませんでした。",
    )
