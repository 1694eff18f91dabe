"""改製 (standard spec 1.1.4, 1.1.5, 1.2.2): rewrite a person's 住民票 at any time, by hand.

The history has no capacity limit, so there is no automatic 満欄改製; a 改製 is entered by
the clerk (e.g. after a 特別養子縁組 or 性別の変更, so that the earlier entries stay on the
原票 and not on the new record).  It is one movement with two history rows per person:

1. reason ``rebuild_remove`` (消除「改製」): the record as it stands becomes a 除票 — status
   removed, 消除事由 「改製」, 事由発生日 = 改製日 — the 改製原住民票, kept 150 years from the
   改製 (施行令34条1項);
2. reason ``rebuild_add`` (記載「改製」): the new record with the current data, 改製日
   (``rebuilt_on``) and 改製連番 (``rebuild_no``) + 1.  Certificates of the new record show
   the rows from the last ``rebuild_add`` on.

The person keeps the **same 宛名番号**.  The 宛名番号 is the person's identity in the
register and in every linked system (団体内統合宛名, 国保, 税 …); the 個人番号 is sealed with
it as associated data; and the assessment's file carries 改製連番 and 改製日 as items of the
person (items 66, 67), which only makes sense if the person — and the number — stay the same
across 改製.  The two rows are consecutive 履歴番号 of that person, so the 原票 is the rows up to
the 消除 row and the new record the rows after it.  Statistics count one 消除 and one 記載
「改製」, which net to zero.  A 改製 is 職権 and cannot be cancelled by 異動の取消し (its 消除
row is always followed by its 記載 row); a wrong 改製 is answered by another 改製.
"""

from __future__ import annotations

from typing import Any

from jumin.conf.domain import era_table
from jumin.core.movement_kind import MovementKind
from jumin.registry.models import Initiation, Status
from jumin.registry.planning.readers import local_today, read_effective, selected_residents
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import snapshot_of


def plan_rebuild(data: dict[str, Any]) -> Plan:
    """改製 of the chosen current residents (one household); 改製日 default today."""
    plan = Plan(MovementKind.REBUILD, "rebuild_add", Initiation.EX_OFFICIO)
    if not data.get("effective"):
        data = {**data, "effective": era_table().format(local_today())}
    read_effective(plan, data, "改製日")
    plan.notified_on = local_today()
    plan.remark = str(data.get("remark") or "").strip()
    plan.ex_officio_record = {"basis": "改製", "reason": plan.remark}
    on = plan.effective_sort.isoformat() if plan.effective_sort else None
    for resident in selected_residents(plan, data):
        before = snapshot_of(resident)
        removed = {
            **before,
            "status": Status.REMOVED.value,
            "removal_reason": "改製",
            "removed_text": plan.effective_text,
            "removed_sort": on,
            "_reason": "rebuild_remove",
        }
        rebuilt = {**before, "rebuilt_on": on, "rebuild_no": resident.rebuild_no + 1, "_reason": "rebuild_add"}
        plan.items.append(PlannedItem(resident.atena_no, resident.history_no, removed))
        plan.items.append(PlannedItem(resident.atena_no, resident.history_no + 1, rebuilt))
    return plan
