"""転入, 転居 and 転出 (4.1.1–4.1.3), with 未届転入, 再転入 and 特例転出."""

from __future__ import annotations

from typing import Any

from jumin.core.movement_kind import MovementKind
from jumin.core.periods import move_out_notified_late
from jumin.core.reasons import REASONS
from jumin.registry import hooks
from jumin.registry.models import Initiation, NationalityKind, Resident, Status
from jumin.registry.planning.household_rules import (
    household_head_name,
    remaining_household,
    reset_relationships,
    set_household,
)
from jumin.registry.planning.persons import carry_over, entered_person, reentry, reentry_checks
from jumin.registry.planning.readers import (
    ADDRESS_KEYS,
    base_item,
    entered_address,
    household_members,
    read_effective,
    read_notified,
    selected_residents,
)
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import Snapshot, display_name, snapshot_of


def plan_move_in(data: dict[str, Any]) -> Plan:
    """転入 (4.1.1): new persons into a new household, or joining an existing one."""
    reason = str(data.get("reason") or "domestic_move_in")
    plan = Plan(MovementKind.MOVE_IN, reason, str(data.get("initiation") or Initiation.NOTIFICATION))
    if reason not in ("domestic_move_in", "abroad_move_in"):
        plan.error("move_in.reason", "転入の異動事由は国内転入か国外転入等です。")
    read_effective(plan, data, "転入日（住民となった日）")
    read_notified(plan, data)
    persons = list(data.get("persons") or [])
    if not persons:
        plan.error("move_in.no_person", "転入者を1人以上入力してください。")
    previous = _previous_address(plan, data) if reason == "domestic_move_in" else {}
    household = data.get("household") or {"mode": "new"}
    joining = household.get("mode") == "join"
    existing: list[Resident] = []
    if joining:
        household_no = str(household.get("household_no") or "")
        existing = household_members(household_no)
        if not existing:
            plan.error("household.not_found", "入る世帯が見つかりません（世帯番号を確認してください）。")
        address = {k: getattr(existing[0], k) for k in ADDRESS_KEYS} if existing else {}
    else:
        household_no = plan.new_household_no()
        address = entered_address(plan, data.get("address") or {}, "住所")
    snaps: list[Snapshot] = []
    bases: dict[str, int] = {}  # 再転入: 宛名番号 -> the 除票's 履歴番号
    for entered in persons:
        snap, reentry_of = _move_in_person(plan, entered, bases)
        became = plan.effective_text
        snap.update(
            status=Status.CURRENT,
            became_resident_text=became,
            address_set_text=became,
            became_resident_sort=plan.effective_sort.isoformat() if plan.effective_sort else None,
            address_set_sort=plan.effective_sort.isoformat() if plan.effective_sort else None,
            notified_on=plan.notified_on.isoformat() if plan.notified_on else None,
        )
        if entered.get("born_before_move_in"):  # 転入届 with 出生届 (4.1.0.1): 転入前住所 blank (4.2.1.1)
            _born_before_move_in(plan, snap)
        else:
            snap.update(previous)
        if snap["nationality_kind"] == NationalityKind.FOREIGN:
            snap.update(foreign_resident_since_text=became, foreign_resident_since_sort=snap["became_resident_sort"])
        reentry_checks(plan, snap, reentry_of)
        snaps.append(snap)
    heads = [s for s in snaps if s.get("is_head")]
    if joining:
        _heads_joining(plan, existing, heads)
        head_members = [snapshot_of(m) for m in existing] + snaps
        set_household(snaps, household_no, address)
        for snap in snaps:
            snap["head_name"] = household_head_name(head_members)
    else:
        if len(heads) > 1:
            plan.error("household.two_heads", "世帯主は1人だけです。")
        if not heads:
            plan.alert(
                "household.no_head", "世帯主がいない世帯として記録します（世帯主を続柄「世帯主」で入力できます）。"
            )
        set_household(snaps, household_no, address)
    plan.items.extend(PlannedItem(s["atena_no"], bases.get(s["atena_no"]), s) for s in snaps)
    plan.households.add(household_no)
    return plan


def _previous_address(plan: Plan, data: dict[str, Any]) -> Snapshot:
    """転入前住所 of a 国内転入.  未届転入 (4.1.1.4, 4.2.1.1): the latest address where the person
    lived without notifying, shown with 「（未届）」 (``previous_address_unreported``), a 留意事項,
    and the 最終登録住所地 (the address of the last 住民票; not a 記載事項).  「不明」 is entered
    as the address when it is unknown."""
    entered = data.get("previous_address") or {}
    previous = entered_address(plan, entered, "転入前住所")
    unreported = bool(entered.get("unreported"))
    last_registered = str(entered.get("last_registered") or "").strip() if unreported else ""
    if unreported:
        plan.remark = f"転入前住所は未届の住所（最終登録住所地 {last_registered or '未入力'}）"
        if not last_registered:
            plan.alert(
                "move_in.last_registered", "未届転入です。最終登録住所地（住民票があった住所）を入力してください。"
            )
    return {
        "previous_address": previous["address"],
        "previous_postcode": previous["postcode"],
        "previous_address_code": previous["address_code"],
        "previous_banchi": previous["banchi"],
        "previous_katagaki": previous["katagaki"],
        "previous_address_unreported": unreported,
        "last_registered_address": last_registered,
    }


def _move_in_person(plan: Plan, entered: dict[str, Any], bases: dict[str, int]) -> tuple[Snapshot, str]:
    """One person of a 転入: a new person, or a 再転入 (``reentry_of``) keeping the 宛名番号."""
    data, old = reentry(plan, entered)
    if old is not None and old.atena_no in bases:
        plan.error("move_in.reentry_twice", "同じ除票を2人の再転入に指定しています。", old.atena_no)
        old = None
    snap = entered_person(plan, data, old.atena_no if old else plan.new_atena_no())
    if old is None:
        return snap, ""
    carry_over(snap, old)
    bases[old.atena_no] = old.history_no
    return snap, old.atena_no


def _born_before_move_in(plan: Plan, snap: Snapshot) -> None:
    """A child born before the 転入 whose 出生届 comes with the 転入届: 異動事由 転入 (4.1.0.1),
    転入前住所 blank (4.2.1.1).  A child born after the 転入日 is a 出生."""
    born, became = snap["birth_sort"], snap["became_resident_sort"]
    if born and became and born > became:
        plan.error("move_in.born_after", "転入日より後に生まれた子は出生として記録してください。", snap["atena_no"])


def _heads_joining(plan: Plan, existing: list[Resident], heads: list[Snapshot]) -> None:
    """転入 into an existing household: at most one head, and only into a household without
    one — whose members' records then change: 世帯主氏名."""
    if heads and any(m.is_head for m in existing):
        plan.error("household.two_heads", "入る世帯には世帯主がいます。転入者の続柄を世帯主以外にしてください。")
    elif len(heads) > 1:
        plan.error("household.two_heads", "世帯主は1人だけです。")
    elif heads:
        for member in existing:
            item = base_item(member)
            item.snapshot["head_name"] = display_name(heads[0])
            plan.items.append(item)


def plan_relocation(data: dict[str, Any]) -> Plan:
    """転居 (4.1.2): move within the city — the whole household, or some members into a new
    household or an existing one at the new address.  Moving to the same address (another
    dwelling at the same 地番) is a 転居 too (4.1.2.1)."""
    plan = Plan(MovementKind.RELOCATION, "relocation", str(data.get("initiation") or Initiation.NOTIFICATION))
    read_effective(plan, data, "転居日（住所を定めた日）")
    read_notified(plan, data)
    movers = selected_residents(plan, data)
    if not movers:
        return plan
    household_no = movers[0].household_no
    everyone = household_members(household_no)
    whole = {m.atena_no for m in movers} == {m.atena_no for m in everyone}
    destination = data.get("destination") or {}
    mode = destination.get("mode") or ("same" if whole else "new")
    set_on = plan.effective_sort.isoformat() if plan.effective_sort else None
    snaps = []
    for mover in movers:
        snap = snapshot_of(mover)
        snap.update(
            moved_from_address=mover.address,
            moved_from_banchi=mover.banchi,
            moved_from_katagaki=mover.katagaki,
            address_set_text=plan.effective_text,
            address_set_sort=set_on,
            notified_on=plan.notified_on.isoformat() if plan.notified_on else None,
        )
        snaps.append(PlannedItem(mover.atena_no, mover.history_no, snap))
    if mode == "join":
        target_no = str(destination.get("household_no") or "")
        target = household_members(target_no)
        if not target:
            plan.error("household.not_found", "入る世帯が見つかりません。")
            return plan
        address = {k: getattr(target[0], k) for k in ADDRESS_KEYS}
        reset_relationships(plan, [s.snapshot for s in snaps], data, joining=True)
        set_household([s.snapshot for s in snaps], target_no, address)
        for item in snaps:
            item.snapshot["head_name"] = household_head_name([snapshot_of(m) for m in target])
        plan.households.add(target_no)
    else:
        address = entered_address(plan, destination.get("address") or {}, "転居先の住所")
        new_no = household_no if (whole and mode != "new") else plan.new_household_no()
        if new_no != household_no:
            reset_relationships(plan, [s.snapshot for s in snaps], data, joining=False)
        set_household([s.snapshot for s in snaps], new_no, address)
        plan.households.add(new_no)
    plan.items.extend(snaps)
    if not whole:
        remaining_household(plan, household_no, {m.atena_no for m in movers})
    return plan


def plan_move_out(data: dict[str, Any]) -> Plan:
    """転出 (4.1.3): 転出予定日 may be after the 届出日; a 届出 more than 14 days after the move
    must be recorded by 職権 (4.1.3.0.1)."""
    reason = str(data.get("reason") or "domestic_move_out")
    initiation = str(data.get("initiation") or Initiation.NOTIFICATION)
    plan = Plan(MovementKind.MOVE_OUT, reason, initiation)
    if reason not in ("domestic_move_out", "abroad_move_out"):
        plan.error("move_out.reason", "転出の異動事由は国内転出か国外転出です。")
    read_effective(plan, data, "転出予定日（転出した日）", future_allowed=True)
    read_notified(plan, data)
    if (
        plan.effective_sort
        and plan.notified_on
        and initiation == Initiation.NOTIFICATION
        and move_out_notified_late(plan.effective_sort, plan.notified_on)
    ):
        plan.error("move_out.late", "転出から14日を過ぎた届出は、届出ではなく職権で記録してください。")
    destination = entered_address(plan, data.get("destination") or {}, "転出先")
    movers = selected_residents(plan, data)
    for mover in movers:
        snap = snapshot_of(mover)
        snap.update(
            status=Status.REMOVED,
            removal_reason=REASONS[reason].label if reason in REASONS else "",
            removed_text=plan.effective_text,
            removed_sort=plan.effective_sort.isoformat() if plan.effective_sort else None,
            planned_move_out_on=plan.effective_sort.isoformat() if plan.effective_sort else None,
            destination=destination["address"],
            destination_postcode=destination["postcode"],
            destination_code=destination["address_code"],
            destination_banchi=destination["banchi"],
            destination_katagaki=destination["katagaki"],
        )
        plan.items.append(PlannedItem(mover.atena_no, mover.history_no, snap))
    if data.get("special_move_out"):
        _special_move_out(plan, movers)
    if movers:
        remaining_household(plan, movers[0].household_no, {m.atena_no for m in movers})
    return plan


def _special_move_out(plan: Plan, movers: list[Resident]) -> None:
    """特例転出 (法24条の2, 4.1.3.0.4): a 国内転出 notified in time by a holder of an active
    個人番号カード/住基カード (with the 世帯員 moving together).  The flag travels in each item
    (``_special_move_out``); 市町村CS sends the 転出証明書情報 after the 本登録."""
    if plan.reason != "domestic_move_out" or plan.initiation != Initiation.NOTIFICATION:
        plan.error("move_out.special_kind", "特例転出にできるのは、届出による国内転出だけです。")
    if plan.effective_sort and plan.notified_on and move_out_notified_late(plan.effective_sort, plan.notified_on):
        plan.error("move_out.special_late", "転出から14日を過ぎた届出は特例転出にできません。")
    if movers and not hooks.holders_of_cards(m.atena_no for m in movers):
        plan.error(
            "move_out.special_no_card",
            "特例転出は、有効な個人番号カードまたは住基カードを持つ方（とその世帯員）だけが届け出られます。",
        )
    for item in plan.items:
        item.snapshot["_special_move_out"] = True
