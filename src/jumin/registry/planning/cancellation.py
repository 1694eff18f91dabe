"""異動の取消し (4.6): rows that restore each person's state before the movement."""

from __future__ import annotations

from typing import Any

from jumin.core.movement_kind import MovementKind
from jumin.core.reasons import Category, cancellation_reason
from jumin.registry.models import Initiation, Movement, Resident, ResidentHistory, Status
from jumin.registry.planning.household_rules import households_conflict
from jumin.registry.planning.readers import local_today
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import snapshot_of


def plan_cancellation(data: dict[str, Any]) -> Plan:
    """異動の取消し (4.6): append rows that restore each person's state before the movement.
    Not possible while a later movement of the same person stands (cancel that one first)."""
    original = Movement.objects.filter(
        movement_no=str(data.get("movement_no") or ""), state=Movement.State.FINAL
    ).first()
    plan = Plan(MovementKind.CANCELLATION, "cancel_amend", str(data.get("initiation") or Initiation.EX_OFFICIO))
    if original is None:
        plan.error("cancel.not_found", "取り消す異動（本登録済み）が見つかりません。")
        return plan
    plan.cancels = original
    plan.notified_on = local_today()
    plan.effective_text = original.effective_text
    plan.effective_sort = original.effective_sort
    wanted = {str(a) for a in data.get("atena_nos") or []}
    rows = ResidentHistory.objects.filter(movement=original).order_by("atena_no")
    categories = set()
    for row in rows:
        if wanted and row.atena_no not in wanted:
            continue
        latest = Resident.objects.get(atena_no=row.atena_no)
        if latest.history_no != row.history_no:
            plan.error(
                "cancel.later_movement",
                f"{latest.name} にはこの後の異動があります。先にそちらを取り消してください。",
                row.atena_no,
            )
            continue
        before = (
            ResidentHistory.objects.filter(atena_no=row.atena_no, history_no__lt=row.history_no)
            .order_by("-history_no")
            .first()
        )
        categories.add(row.category)
        if before is None:  # the movement created the person: the cancel removes the record
            snap = snapshot_of(row)
            snap.update(status=Status.REMOVED, removal_reason="異動の取消し", removed_text="", removed_sort=None)
        else:
            snap = snapshot_of(before)
        # each row is undone by the cancellation of its own category: a head's 転出 (消除) and
        # the 世帯主変更 of the member who stayed (修正) are cancelled by 増 and 修正 rows
        snap["_reason"] = cancellation_reason(Category(row.category)).code
        plan.items.append(PlannedItem(row.atena_no, row.history_no, snap))
        plan.households.update({row.household_no, snap["household_no"]})
    if not plan.items and not plan.errors:
        plan.error("cancel.nothing", "取り消す対象者がいません。")
    _households_after_cancellation(plan)
    if len(categories) == 1:
        plan.reason = cancellation_reason(Category(categories.pop())).code
    return plan


def _households_after_cancellation(plan: Plan) -> None:
    """The restored records must fit the households as they are now.  They do not when a
    household changed after the cancelled movement (another head, the whole household moved,
    a member stayed with the cancelled head's name) or only part of the movement is cancelled."""
    if households_conflict({item.atena_no: item.snapshot for item in plan.items}, plan.households):
        plan.error(
            "cancel.household_changed",
            "この異動の後に世帯の記録が変わっているため、取り消すと世帯の記録が合わなくなります。"
            "先に後の異動を取り消すか、異動に含まれる全員を取り消してください。",
        )
