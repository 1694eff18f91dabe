"""The 法務省通知 受信一覧 and its 取込エラー一覧 (spec 4.5.6: the list of notices not yet
imported): a reader of personal data — needs 住民記録の照会 and writes the access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jumin.accounts.models import User
from jumin.audit.services import record_access
from jumin.core.errors import DomainError
from jumin.immigration.models import ReceivedNotice

ERRORS = {
    "immigration.no_match": "該当する外国人住民が見つからないか、一人に決まりません。",
    "immigration.discarded": "仮登録が取り消されました。内容を確認して入力してください。",
    "immigration.bad_kind": "通知の種類が読み取れません。",
    "immigration.bad_date": "通知の日付の形式が正しくありません。",
    "immigration.bad_changes": "通知の変更項目が正しくありません。",
    "immigration.bad_card_no": "在留カード等の番号の形式が正しくありません。",
    "immigration.bad_sex": "性別の形式が正しくありません。",
    "immigration.incomplete": "通知に必要な項目がありません。",
    "movement.pending_person": "この方の仮登録が審査待ちです。審査の後に入力してください。",
}
STATES = {"waiting": (ReceivedNotice.State.QUEUED,), "errors": (ReceivedNotice.State.UNMATCHED, "invalid")}


@dataclass(frozen=True)
class NoticeLine:
    id: int
    notice_id: str
    received_at: datetime
    kind_label: str
    state: str
    state_label: str
    name_alphabet: str
    birth_text: str  # 西暦, as a foreign resident's 生年月日 is recorded
    effective_on: date | None
    atena_no: str
    movement_no: str
    error: str
    error_text: str


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    return value if isinstance(value, str) else ""


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _western(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value is not None else ""


def received_notices(by: User, *, show: str = "") -> list[NoticeLine]:
    """The received 法務省通知, newest first: all, those waiting for a review (``waiting``) or the
    取込エラー一覧 (``errors``: unmatched, unreadable, discarded)."""
    if not by.has_perm("accounts.view_resident"):
        raise DomainError("auth.forbidden", "住民記録を照会する権限がありません。")
    rows = ReceivedNotice.objects.select_related("movement").order_by("-received_at", "-id")
    if show in STATES:
        rows = rows.filter(state__in=STATES[show])
    kinds = dict(ReceivedNotice.Kind.choices)
    lines = [
        NoticeLine(
            n.pk,
            n.notice_id,
            n.received_at,
            kinds.get(n.kind, "（不明）"),
            n.state,
            n.get_state_display(),
            _text(n.payload, "name_alphabet")[:200],
            _western(_day(_text(n.payload, "birth_on"))),
            _day(_text(n.payload, "effective_on")),
            n.atena_no,
            n.movement.movement_no if n.movement is not None else "",
            n.error_code,
            ERRORS.get(n.error_code, ""),
        )
        for n in rows[:500]
    ]
    record_access(
        purpose="法務省通知受信一覧（4.5.6）",
        persons=sorted({line.atena_no for line in lines if line.atena_no}),
        action="list",
        criteria={"show": show},
        result_count=len(lines),
    )
    return lines
