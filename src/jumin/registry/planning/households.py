"""Planners of the household movements of spec 4.1.4: 世帯合併, 世帯変更, 世帯主変更.

世帯分離 is in :mod:`jumin.registry.planning`.  All keep the address (an address change
combined with a 世帯変更 is a function the standard forbids, 4.1.4.1 X) and re-set the 続柄
of the persons whose head changes (4.1.4.2)."""

from __future__ import annotations

from typing import Any

from jumin.core.movement_kind import MovementKind
from jumin.core.relationship import HEAD
from jumin.registry.models import Initiation, Resident
from jumin.registry.planning.household_rules import remaining_household, reset_relationships, set_household
from jumin.registry.planning.persons import entered_relationship
from jumin.registry.planning.readers import (
    ADDRESS_KEYS,
    household_members,
    read_effective,
    read_notified,
    selected_residents,
)
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import display_name, snapshot_of


def _address_of(resident: Resident) -> tuple[str, ...]:
    """Every item of the address (住所・郵便番号・住所コード・番地・方書): another 方書 is another dwelling."""
    return tuple(getattr(resident, key) for key in ADDRESS_KEYS)


def _entered_relationships(data: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (data.get("relationships") or {}).items() if v}


def _reset(plan: Plan, items: list[PlannedItem], entered: dict[str, str]) -> None:
    for item in items:
        atena_no = item.atena_no
        if atena_no not in entered:
            plan.error(
                "household.relationship", f"{display_name(item.snapshot)} の新しい続柄を入力してください。", atena_no
            )
            continue
        entered_relationship(plan, item.snapshot, {"relationship": entered[atena_no]}, atena_no)


def plan_household_merge(data: dict[str, Any]) -> Plan:
    """世帯合併: every member of one household joins another at the same address."""
    plan = Plan(MovementKind.HOUSEHOLD_MERGE, "household_merge", str(data.get("initiation") or Initiation.NOTIFICATION))
    read_effective(plan, data, "異動日")
    read_notified(plan, data)
    source_no, target_no = str(data.get("household_no") or ""), str(data.get("into_household_no") or "")
    source, target = household_members(source_no), household_members(target_no)
    if not source or not target or source_no == target_no:
        plan.error("household.not_found", "合併する世帯と合併先の世帯を正しく指定してください。")
        return plan
    if _address_of(source[0]) != _address_of(target[0]):
        plan.error(
            "household.address_differs", "住所が異なる世帯は合併できません（転居と世帯変更を別々に入力してください）。"
        )
        return plan
    items = [PlannedItem(m.atena_no, m.history_no, snapshot_of(m)) for m in source]
    _reset(plan, items, _entered_relationships(data))
    if any(i.snapshot.get("is_head") for i in items):
        plan.error(
            "household.two_heads", "合併先の世帯には世帯主がいます。合併する方の続柄を世帯主以外にしてください。"
        )
    set_household([i.snapshot for i in items], target_no, None)
    head = next((m for m in target if m.is_head), None)
    for item in items:
        item.snapshot["head_name"] = head.name if head else ""
    plan.items.extend(items)
    plan.households.update({source_no, target_no})
    return plan


def plan_household_change(data: dict[str, Any]) -> Plan:
    """世帯変更: some members move from their household into another at the same address."""
    plan = Plan(
        MovementKind.HOUSEHOLD_CHANGE, "household_change", str(data.get("initiation") or Initiation.NOTIFICATION)
    )
    read_effective(plan, data, "異動日")
    read_notified(plan, data)
    movers = selected_residents(plan, data)
    target_no = str(data.get("into_household_no") or "")
    target = household_members(target_no)
    if not movers:
        return plan
    if not target or target_no == movers[0].household_no:
        plan.error("household.not_found", "移る先の世帯を正しく指定してください。")
        return plan
    if _address_of(target[0]) != _address_of(movers[0]):
        plan.error(
            "household.address_differs", "住所が異なる世帯へは世帯変更できません（転居として入力してください）。"
        )
        return plan
    items = [PlannedItem(m.atena_no, m.history_no, snapshot_of(m)) for m in movers]
    _reset(plan, items, _entered_relationships(data))
    if any(i.snapshot.get("is_head") for i in items) and any(m.is_head for m in target):
        plan.error("household.two_heads", "移る先の世帯には世帯主がいます。")
    elif sum(1 for i in items if i.snapshot.get("is_head")) > 1:
        plan.error("household.two_heads", "世帯主は1人だけです。")
    set_household([i.snapshot for i in items], target_no, None)
    head = next((m for m in target if m.is_head), None)
    new_head = next((i.snapshot for i in items if i.snapshot.get("is_head")), None)
    head_name = head.name if head else display_name(new_head) if new_head else ""
    for item in items:
        item.snapshot["head_name"] = head_name
    if new_head is not None and head is None:  # the members of a household without head get one
        for member in target:
            snap = snapshot_of(member)
            snap["head_name"] = head_name
            items.append(PlannedItem(member.atena_no, member.history_no, snap))
    plan.items.extend(items)
    plan.households.add(target_no)
    remaining_household(plan, movers[0].household_no, {m.atena_no for m in movers})
    return plan


def plan_head_change(data: dict[str, Any]) -> Plan:
    """世帯主変更 with the 続柄 of every member re-set (4.1.4.2)."""
    plan = Plan(MovementKind.HEAD_CHANGE, "head_change", str(data.get("initiation") or Initiation.NOTIFICATION))
    read_effective(plan, data, "異動日")
    read_notified(plan, data)
    household_no = str(data.get("household_no") or "")
    members = household_members(household_no)
    if not members:
        plan.error("household.not_found", "世帯が見つかりません。")
        return plan
    items = [PlannedItem(m.atena_no, m.history_no, snapshot_of(m)) for m in members]
    _reset(plan, items, _entered_relationships(data))
    heads = [i for i in items if i.snapshot.get("relationship") == HEAD]
    if len(heads) != 1:
        plan.error("household.head_required", "新しい世帯主を1人決めてください（続柄「世帯主」）。")
        return plan
    if heads[0].atena_no == next((m.atena_no for m in members if m.is_head), None):
        plan.error("household.same_head", "世帯主が変わっていません。")
    set_household([i.snapshot for i in items], household_no, None)
    plan.items.extend(items)
    plan.households.add(household_no)
    return plan


def plan_household_split(data: dict[str, Any]) -> Plan:
    """世帯分離 (4.1.4.1): members leave to form a new household at the same address."""
    plan = Plan(MovementKind.HOUSEHOLD_SPLIT, "household_split", str(data.get("initiation") or Initiation.NOTIFICATION))
    read_effective(plan, data, "異動日")
    read_notified(plan, data)
    movers = selected_residents(plan, data)
    if not movers:
        return plan
    household_no = movers[0].household_no
    if {m.atena_no for m in movers} == {m.atena_no for m in household_members(household_no)}:
        plan.error("household.split_all", "世帯員全員は分離できません。")
        return plan
    new_no = plan.new_household_no()
    snaps = [PlannedItem(m.atena_no, m.history_no, snapshot_of(m)) for m in movers]
    reset_relationships(plan, [s.snapshot for s in snaps], data, joining=False)
    set_household([s.snapshot for s in snaps], new_no, None)
    plan.items.extend(snaps)
    plan.households.add(new_no)
    remaining_household(plan, household_no, {m.atena_no for m in movers})
    return plan
