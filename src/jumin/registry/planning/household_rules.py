"""Household rules shared by the movements: 世帯主氏名, members left behind, 続柄 re-set when
members form or join a household, and whether records fit their households."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jumin.core.relationship import HEAD
from jumin.registry.models import Initiation, Resident, Status
from jumin.registry.planning.persons import entered_relationship
from jumin.registry.planning.readers import ADDRESS_KEYS, base_item, household_members
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import Snapshot, display_name, snapshot_of


def household_head_name(members: Iterable[Snapshot]) -> str:
    heads = [m for m in members if m.get("is_head")]
    return display_name(heads[0]) if heads else ""


def set_household(members: list[Snapshot], household_no: str, address: dict[str, str] | None) -> None:
    head = household_head_name(members)
    for snap in members:
        snap["household_no"] = household_no
        snap["head_name"] = head
        if address is not None:
            snap.update(address)


def consequential(item: PlannedItem, reason: str) -> PlannedItem:
    """A change the movement makes to a person it does not move: the row carries its own
    事由 and is 職権 — never the 転出/死亡/転居 of the person who left (the history, 住基ネット
    and the linked systems see the change that happened to this person)."""
    item.snapshot.update(_reason=reason, _initiation=Initiation.EX_OFFICIO.value)
    return item


def remaining_household(plan: Plan, household_no: str, leaving: set[str]) -> None:
    """4.0.4: members left behind by a 転出/死亡/転居/分離.  When the head leaves and one
    member remains, that member becomes head by 職権 (a 世帯主変更 row of her own); two or
    more get an alert (a household without head is allowed, 1.1.10, until a 世帯主変更 is
    entered) and a 職権修正 of their 世帯主氏名."""
    remaining = [m for m in household_members(household_no) if m.atena_no not in leaving]
    if not remaining:
        return
    head_leaves = any(m.is_head for m in Resident.objects.filter(atena_no__in=leaving, household_no=household_no))
    if not head_leaves:
        return
    if len(remaining) == 1:
        item = base_item(remaining[0])
        item.snapshot.update(is_head=True, relationship=HEAD, head_name=display_name(item.snapshot), family_of="")
        plan.items.append(consequential(item, "head_change"))
        plan.alert(
            "household.head_by_ex_officio",
            f"残る世帯員 {remaining[0].name} を職権で世帯主とします（世帯主変更通知書）。",
            remaining[0].atena_no,
        )
        return
    for member in remaining:
        item = base_item(member)
        item.snapshot["head_name"] = ""
        plan.items.append(consequential(item, "ex_officio_correction"))
    plan.alert(
        "household.headless", "世帯主がいなくなります。先に世帯主変更を行うか、このまま世帯主不在として記録します。"
    )


def reset_relationships(plan: Plan, snaps: list[Snapshot], data: dict[str, Any], *, joining: bool) -> None:
    """Re-set 続柄 of members who form or join a household (4.1.4.2)."""
    entered = {str(k): str(v) for k, v in (data.get("relationships") or {}).items()}
    for snap in snaps:
        if snap["atena_no"] not in entered:
            plan.error(
                "household.relationship", f"{display_name(snap)} の新しい続柄を入力してください。", snap["atena_no"]
            )
            continue
        entered_relationship(plan, snap, {"relationship": entered[snap["atena_no"]]}, snap["atena_no"])
    heads = [s for s in snaps if s.get("is_head")]
    if joining and heads:
        plan.error("household.two_heads", "入る世帯には世帯主がいます。")
    if not joining and len(heads) != 1:
        plan.error("household.head_required", "新しい世帯の世帯主を1人決めてください。")


def households_conflict(records: dict[str, Snapshot], household_nos: Iterable[str]) -> bool:
    """Whether writing ``records`` (宛名番号 -> snapshot) would leave one of the households
    inconsistent: more than one head, or a current member whose 世帯主氏名 or address differs
    from the others'.  A planned movement never does on the households it was planned on; a
    cancellation or an approval may, when a household has changed since."""
    for household_no in sorted(set(household_nos) - {""}):
        members = [snapshot_of(m) for m in household_members(household_no) if m.atena_no not in records]
        members += [s for s in records.values() if s["household_no"] == household_no and s["status"] == Status.CURRENT]
        head = household_head_name(members)
        if (
            sum(1 for m in members if m["is_head"]) > 1
            or any(m["head_name"] != head for m in members)
            or len({tuple(m[key] for key in ADDRESS_KEYS) for m in members}) > 1
        ):
            return True
    return False
