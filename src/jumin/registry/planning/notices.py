"""転入通知の受理 (4.1.3.1.1–3): the new municipality's notice (住基法9条1項) recorded on our 除票.

One planner for both ways a notice arrives: received through 住基ネット (``jukinet.notices``
enters it as the system account) and typed by the staff from a paper notice (4.1.3.1.3).  Either
way it is a 仮登録 that a second person checks and approves (本登録) like any movement — what a
notice carries (文字化け, a wrong match) is never written to the register unseen.

The history row records 転入通知年月日 (the day we take it in), 転出先（確定）, its 郵便番号 and
住所コード and 転出年月日（確定）; the 予定 items stay as they were (4.1.3.1.1).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from jumin.conf.domain import era_table
from jumin.core.date_rules import DateKind
from jumin.core.movement_kind import MovementKind
from jumin.core.uncertain_date import UncertainDate
from jumin.registry.models import Initiation, Resident, Status
from jumin.registry.planning.readers import entered_address, entered_date
from jumin.registry.planning.types import CHARACTER_CHECK, Plan, PlannedItem
from jumin.registry.snapshots import snapshot_of

KIND = MovementKind.MOVE_IN_NOTICE


def plan_move_in_notice(data: dict[str, Any]) -> Plan:
    """``atena_nos``: the one removed person; ``moved_in_on`` (転入日 at the new municipality,
    ISO or 和暦), ``moved_in_text`` (as the notice wrote it), ``destination`` (address, postcode,
    address_code), ``notified_on`` (the notice's date), ``source`` and ``notice_id``."""
    plan = Plan(KIND, KIND, Initiation.EX_OFFICIO)
    atena_nos = [str(a) for a in data.get("atena_nos") or []]
    resident = Resident.objects.filter(atena_no=atena_nos[0]).first() if len(atena_nos) == 1 else None
    if resident is None:
        plan.error("notice.person", "転入通知を記録する除票を1人選んでください。")
        return plan
    if resident.status != Status.REMOVED:
        plan.error("notice.not_removed", "転入通知は除票にだけ記録できます（この方は住民です）。", resident.atena_no)
        return plan
    # The notice is another municipality's data: its dates are refused only when impossible —
    # within the window of the 転出予定日 they confirm (core.date_rules), not against our today.
    window = DateKind.PLANNED_MOVE_OUT
    moved_in_on = entered_date(plan, data.get("moved_in_on"), "転入日（転出年月日（確定））", kind=window)
    destination = entered_address(plan, data.get("destination") or {}, "転出先（確定）")
    plan.requested_on = entered_date(plan, data.get("notified_on"), "転入通知の日付", required=False, kind=window)
    plan.notified_on = timezone.localdate()
    plan.notifier = str(data.get("source") or "転入通知")[:200]
    plan.ex_officio_record = {"source": "転入通知（住基法9条1項）", "notice": str(data.get("notice_id") or "")[:100]}
    checks = [str(note)[:200] for note in data.get("character_check") or [] if str(note).strip()][:10]
    if checks:  # 統一文字 of the notice (7.1.1.1): the reviewer confirms the characters before 本登録
        plan.ex_officio_record[CHARACTER_CHECK] = checks
    if moved_in_on is None:
        return plan
    plan.effective_sort = moved_in_on
    plan.effective_text = str(data.get("moved_in_text") or "").strip()[:60] or _exact(moved_in_on)
    snapshot = snapshot_of(resident)
    snapshot.update(
        move_in_notice_on=plan.notified_on.isoformat(),
        confirmed_destination=destination["address"],
        confirmed_destination_postcode=destination["postcode"],
        confirmed_destination_code=destination["address_code"],
        confirmed_destination_banchi=destination["banchi"],
        confirmed_destination_katagaki=destination["katagaki"],
        confirmed_move_out_on=moved_in_on.isoformat(),
    )
    if resident.move_in_notice_on:
        plan.alert(
            "notice.again",
            f"{resident.name} には転入通知が記録済みです。新しい通知の内容で記録し直します。",
            resident.atena_no,
        )
    plan.items.append(PlannedItem(resident.atena_no, resident.history_no, snapshot))
    plan.households.add(resident.household_no)
    return plan


def _exact(day: date) -> str:
    return UncertainDate.exact(day, era_table()).text
