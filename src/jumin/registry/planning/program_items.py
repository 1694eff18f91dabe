"""Planner of 個別事項の記載・修正 (spec 1.1.1; 住基法7条9号〜11号の2, 施行令12条): the
選挙人名簿登録, 国保・後期高齢者医療・介護保険, 国民年金 and 児童手当 items of one current
resident, recorded 職権 on the notice of the department that runs the program.

``data``: ``atena_no``, ``program_items`` (program key → its values, or None to delete the
program's record; programs not named stay as they are — jumin.core.program_items), the
通知日 ``notified_on`` (default today) and who notified (``notifier``, e.g. 「保険年金課」).
Dates may be typed in 和暦 or 西暦; they are stored as ISO.
"""

from __future__ import annotations

from typing import Any

from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.core.program_items import BY_KEY, apply_changes
from jumin.registry.models import Initiation
from jumin.registry.planning.readers import entered_date, one_resident, read_notified
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import snapshot_of

REASON = "program_items"
_DATE_FIELDS = ("acquired_on", "lost_on", "category_changed_on")


def _dates_to_iso(plan: Plan, key: str, values: dict[str, Any]) -> dict[str, Any]:
    """和暦 or 西暦 text of the date fields → ISO (the core checks the rest)."""
    label = BY_KEY[key].label if key in BY_KEY else key
    out = dict(values)
    for name in _DATE_FIELDS:
        text = str(out.get(name) or "").strip()
        if text:
            day = entered_date(plan, text, f"{label}の日付", kind=DateKind.PROGRAM_ITEM)
            out[name] = day.isoformat() if day is not None else ""
    return out


def plan_program_items(data: dict[str, Any]) -> Plan:
    plan = Plan(MovementKind.PROGRAM_ITEMS, REASON, Initiation.EX_OFFICIO)
    read_notified(plan, data, "通知日")
    plan.requested_on = plan.notified_on
    plan.notifier = str(data.get("notifier") or "").strip()
    changes = data.get("program_items")
    if not isinstance(changes, dict) or not changes:
        plan.error("program_items.required", "記載・修正する個別事項を入力してください。")
        return plan
    resident = one_resident(plan, data)
    if resident is None:
        return plan
    converted = {k: (_dates_to_iso(plan, k, v) if isinstance(v, dict) else v) for k, v in changes.items()}
    if plan.errors:
        return plan
    try:
        items = apply_changes(resident.program_items or {}, converted)
    except DomainError as error:
        plan.error(error.code, error.message, resident.atena_no)
        return plan
    if items == (resident.program_items or {}):
        plan.error("program_items.unchanged", "個別事項に変更がありません。", resident.atena_no)
        return plan
    snap = snapshot_of(resident)
    snap["program_items"] = items
    plan.items.append(PlannedItem(resident.atena_no, resident.history_no, snap))
    return plan
