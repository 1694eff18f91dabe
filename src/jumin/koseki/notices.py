"""住民票記載事項通知 (住基法9条2項) from the 本籍地: a change of the 戸籍 — 氏名, 本籍, 筆頭者 and,
since the 2025 reform, the 氏名の振り仮名 recorded in the 戸籍 — applied to our 住民票 with review.

The pattern of the inbound 転入通知 (``jukinet.notices``): :func:`receive_koseki_notice` takes one
received notice, finds the current resident by 住民票コード (else by 氏名 + 生年月日 + 性別, only when
exactly one matches) and enters, in one transaction, a 仮登録 of a 職権修正
(``registry.planning.corrections``) as the inactive system user ``jumin-koseki``.  Nothing reaches
the 住民票 until a person checks it and approves it (本登録); the notice is ``queued`` until then,
``applied`` after (:func:`movement_final`), and back on the error list when the 仮登録 is
discarded (:func:`movement_discarded`).  A 振り仮名 from the 戸籍 is recorded as 確認済
(``FuriganaStatus.CONFIRMED``, 1.1.18): the 戸籍 is its source.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.accounts.services import system_user as accounts_system_user
from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.koseki.models import ReceivedKosekiNotice
from jumin.koseki.network import koseki_client, our_code
from jumin.linkage.inbox import Inbox, ReviewedPull, pull_for_review
from jumin.registry.models import Movement, Resident, Status
from jumin.registry.services import MovementRejectedError, enter_received_movement

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "jumin-koseki"
KOSEKI_INBOX = Inbox("/koseki-notices", "notices", "to", "住民票記載事項通知", "koseki.receive_failed")
# what a 戸籍 notice may change (the 職権修正's items), with their names in the notice
CHANGES = ("surname", "given_name", "furigana_surname", "furigana_given_name", "honseki", "koseki_head")
LIMITS = {"surname": 100, "given_name": 100, "furigana_surname": 100, "furigana_given_name": 100}
EVENTS = {
    "marriage": "婚姻",
    "divorce": "離婚",
    "adoption": "養子縁組",
    "adoption_dissolution": "離縁",
    "name_change": "氏・名の変更",
    "transfer_of_honseki": "転籍",
    "new_koseki": "分籍・新戸籍編製",
    "furigana": "氏名の振り仮名の記載・変更",
    "correction": "戸籍訂正",
}


def system_user() -> User:
    """The inactive user that enters what the 本籍地 notifies (it can never log in)."""
    return accounts_system_user(SYSTEM_USERNAME, "戸籍の通知受信（システム）", "戸籍の通知受信")


@dataclass(frozen=True)
class KosekiNotice:
    notice_id: str
    sender_code: str
    event: str
    resident_code: str
    name: str
    birth_text: str
    sex: str
    changes: dict[str, str]
    notified_on: date | None


def _text(payload: dict[str, Any], key: str, limit: int = 200) -> str:
    value = payload.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def parse(payload: dict[str, Any]) -> KosekiNotice:
    """The notice's items, or DomainError (形式誤り) with a stable code."""
    event = _text(payload, "event", 40)
    if event not in EVENTS:
        raise DomainError("koseki.bad_event", "戸籍の届出・事件の種類が正しくありません。")
    raw = payload.get("changes")
    if not isinstance(raw, dict) or not raw or any(k not in CHANGES or not isinstance(v, str) for k, v in raw.items()):
        raise DomainError("koseki.bad_changes", "通知の変更事項が正しくありません。")
    changes = {k: v.strip()[: LIMITS.get(k, 200)] for k, v in raw.items()}
    if not _text(payload, "resident_code", 11) and not (
        _text(payload, "name") and _text(payload, "birth_text", 60) and _text(payload, "sex", 1)
    ):
        raise DomainError("koseki.incomplete", "通知に住民票コードも4情報もありません。")
    try:
        notified_on = date.fromisoformat(_text(payload, "notified_on", 10)) if _text(payload, "notified_on") else None
    except ValueError:
        raise DomainError("koseki.bad_date", "通知の日付の形式が正しくありません。") from None
    return KosekiNotice(
        notice_id=_text(payload, "idempotency_key", 100),
        sender_code=_text(payload, "from_municipality_code", 6),
        event=event,
        resident_code=_text(payload, "resident_code", 11),
        name=_text(payload, "name"),
        birth_text=_text(payload, "birth_text", 60),
        sex=_text(payload, "sex", 1),
        changes=changes,
        notified_on=notified_on,
    )


def _find(notice: KosekiNotice) -> Resident | None:
    current = Resident.objects.filter(status=Status.CURRENT)
    if notice.resident_code:
        found = list(current.filter(resident_code=notice.resident_code)[:2])
        if len(found) == 1:
            return found[0]
    surname, _, given = notice.name.partition("\u3000")
    candidates = list(
        current.filter(birth_text=notice.birth_text, sex=notice.sex, surname=surname, given_name=given)[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


def movement_data(notice: KosekiNotice, atena_no: str) -> dict[str, Any]:
    """The 職権修正 (``registry.planning.corrections``) a notice asks for."""
    changes: dict[str, Any] = dict(notice.changes)
    if "furigana_surname" in changes or "furigana_given_name" in changes:
        changes["furigana_confirmed"] = True  # the 戸籍's 振り仮名 (1.1.18)
    data: dict[str, Any] = {"correction": "ex_officio", "atena_no": atena_no, "changes": changes}
    if notice.notified_on is not None:
        data["notified_on"] = notice.notified_on.isoformat()
    return data


def receive_koseki_notice(payload: dict[str, Any], *, now: datetime | None = None) -> ReceivedKosekiNotice:
    """Record one received 住民票記載事項通知: a 仮登録 that waits for a person's check, or kept for
    the staff.  A notice already received (same ``idempotency_key``) is returned as is."""
    now = now or timezone.now()
    notice_id = _text(payload, "idempotency_key", 100)
    if not notice_id:
        raise DomainError("koseki.no_id", "住民票記載事項通知に通知番号（idempotency_key）がありません。")
    with transaction.atomic():
        earlier = ReceivedKosekiNotice.objects.select_for_update().filter(notice_id=notice_id).first()
        if earlier is not None:
            return earlier
        stored = ReceivedKosekiNotice(notice_id=notice_id, received_at=now, payload=payload)
        try:
            notice = parse(payload)
        except DomainError as exc:
            stored.state, stored.error_code = ReceivedKosekiNotice.State.INVALID, exc.code
            stored.save()
            logger.warning("koseki: 住民票記載事項通知 %s not readable (%s)", notice_id, exc.code)
            return stored
        stored.sender_code, stored.event = notice.sender_code, notice.event
        resident = _find(notice)
        if resident is None:
            return _left(stored, "koseki.no_match")
        stored.atena_no = resident.atena_no
        try:
            movement = enter_received_movement(
                MovementKind.CORRECTION, movement_data(notice, resident.atena_no), by=system_user()
            )
        except MovementRejectedError as exc:  # the planner's first error: the staff decide
            return _left(stored, exc.issues[0].code if exc.issues else exc.code)
        except DomainError as exc:  # the person is being edited: the staff decide
            return _left(stored, exc.code)
        stored.state, stored.movement = ReceivedKosekiNotice.State.QUEUED, movement
        stored.save()
        logger.info("koseki: 住民票記載事項通知 %s entered as %s for review", notice_id, movement.movement_no)
    return stored


def _left(stored: ReceivedKosekiNotice, code: str) -> ReceivedKosekiNotice:
    stored.state, stored.error_code = ReceivedKosekiNotice.State.UNMATCHED, code
    stored.save()
    record_operation(
        action="koseki.notice_unmatched", target_type="koseki", target_id=stored.notice_id, after={"code": code}
    )
    logger.warning("koseki: 住民票記載事項通知 %s left for the staff (%s)", stored.notice_id, code)
    return stored


def _linked(movement: Movement) -> Any:
    return ReceivedKosekiNotice.objects.filter(movement=movement, state=ReceivedKosekiNotice.State.QUEUED)


def movement_final(movement: Movement, rows: Any) -> None:
    """On the 本登録 (registry hook, same transaction): the notice is ``applied``."""
    if movement.kind != MovementKind.CORRECTION:
        return
    for notice in _linked(movement):
        item = movement.items.filter(atena_no=notice.atena_no).first()
        notice.state, notice.error_code = ReceivedKosekiNotice.State.APPLIED, ""
        notice.history_no = item.history_no if item else None
        notice.save(update_fields=["state", "error_code", "history_no"])


def movement_discarded(movement: Movement) -> None:
    """A discarded 仮登録 returns the notice to the error list for the staff (registry hook)."""
    if movement.kind != MovementKind.CORRECTION:
        return
    _linked(movement).update(state=ReceivedKosekiNotice.State.UNMATCHED, error_code="koseki.discarded", movement=None)


def pull_koseki_notices(*, now: datetime | None = None) -> ReviewedPull:
    """Fetch the 住民票記載事項通知 addressed to us, record each one, acknowledge them."""
    return pull_for_review(
        koseki_client(),
        KOSEKI_INBOX,
        our_code(),
        lambda payload: receive_koseki_notice(payload, now=now),
        "本籍地の接続先（JUMIN_KOSEKI_URL）が設定されていないため、受信しませんでした。",
    )
