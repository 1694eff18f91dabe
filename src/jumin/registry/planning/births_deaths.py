"""出生 (4.2.1.2) and 死亡 (4.2.2.1): 職権 movements from the 戸籍届出."""

from __future__ import annotations

from typing import Any

from jumin.core.movement_kind import MovementKind
from jumin.registry.models import Initiation, NationalityKind, Status
from jumin.registry.planning.household_rules import household_head_name, remaining_household, set_household
from jumin.registry.planning.persons import entered_person
from jumin.registry.planning.readers import (
    ADDRESS_KEYS,
    household_members,
    read_effective,
    read_notified,
    selected_residents,
)
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import snapshot_of


def plan_birth(data: dict[str, Any]) -> Plan:
    """出生 (4.2.1.2, 職権記載): a child born into a household; 本籍・筆頭者 quoted from the
    household (4.2.0.3) when not entered."""
    plan = Plan(MovementKind.BIRTH, "birth", Initiation.EX_OFFICIO)
    household_no = str(data.get("household_no") or "")
    members = household_members(household_no)
    if not members:
        plan.error("household.not_found", "出生子が入る世帯が見つかりません。")
        return plan
    person = dict(data.get("person") or {})
    person.setdefault("birth", data.get("effective"))
    if (
        not person.get("honseki")
        and person.get("nationality_kind", NationalityKind.JAPANESE) == NationalityKind.JAPANESE
    ):
        parent = next((m for m in members if m.honseki), None)
        if parent is not None:
            person.update(honseki=parent.honseki, koseki_head=parent.koseki_head, honseki_kind=parent.honseki_kind)
    data = {**data, "effective": person.get("birth")}
    read_effective(plan, data, "出生日", uncertain=True)
    read_notified(plan, data, "出生届の届出日")
    snap = entered_person(plan, person, plan.new_atena_no())
    sort = plan.effective_sort.isoformat() if plan.effective_sort else None
    snap.update(
        status=Status.CURRENT,
        became_resident_text=plan.effective_text,
        became_resident_sort=sort,
        address_set_text=plan.effective_text,
        address_set_sort=sort,
        notified_on=plan.notified_on.isoformat() if plan.notified_on else None,
    )
    if snap["is_head"]:
        plan.error("birth.head", "出生子を世帯主にはできません。")
    address = {k: getattr(members[0], k) for k in ADDRESS_KEYS}
    set_household([snap], household_no, address)
    snap["head_name"] = household_head_name([snapshot_of(m) for m in members])
    plan.items.append(PlannedItem(snap["atena_no"], None, snap))
    plan.households.add(household_no)
    return plan


def plan_death(data: dict[str, Any]) -> Plan:
    """死亡 (4.2.2.1, 職権消除).  The 異動日 may be an uncertain date (1.1.8)."""
    plan = Plan(MovementKind.DEATH, "death", Initiation.EX_OFFICIO)
    read_effective(plan, data, "死亡日", uncertain=True)
    read_notified(plan, data, "死亡届の届出日")
    persons = selected_residents(plan, data)
    for person in persons:
        snap = snapshot_of(person)
        snap.update(
            status=Status.REMOVED,
            removal_reason="死亡",
            removed_text=plan.effective_text,
            removed_sort=plan.effective_sort.isoformat() if plan.effective_sort else None,
        )
        plan.items.append(PlannedItem(person.atena_no, person.history_no, snap))
    if persons:
        remaining_household(plan, persons[0].household_no, {p.atena_no for p in persons})
    return plan
