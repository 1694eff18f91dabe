"""Planners of corrections and of the items a person requests (spec 4.2.2.2, 4.2.3, 1.1.7):
職権修正, 軽微な修正, 誤記修正, 失踪, 旧氏の記載・変更・削除, 通称の記載・削除.

A correction names the items it changes; only items of the 住民票 that a correction may
touch are accepted (numbers and the household have their own movements).  When a head of
household's name changes, every member's 世帯主氏名 changes with it (4.2.3.1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from jumin.core.kana import is_katakana_name
from jumin.core.movement_kind import MovementKind
from jumin.registry.models import FuriganaStatus, Initiation, NationalityKind, Status
from jumin.registry.planning.household_rules import remaining_household
from jumin.registry.planning.persons import entered_person
from jumin.registry.planning.readers import (
    entered_address,
    household_members,
    local_today,
    one_resident,
    read_effective,
    read_notified,
    selected_residents,
)
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import display_name, snapshot_of

CORRECTABLE = (
    "surname",
    "given_name",
    "furigana_surname",
    "furigana_given_name",
    "furigana_confirmed",
    "name_alphabet",
    "birth",
    "sex",
    "honseki_kind",
    "honseki",
    "koseki_head",
    "nationality",
    "residence_category",
    "residence_status",
    "period_of_stay",
    "stay_expires_on",
    "residence_card_no",
    "special_permanent_cert_no",
    "notes",
)
MINOR_ADDRESS = ("address", "postcode", "address_code", "banchi", "katagaki")
REASONS = {"ex_officio": "ex_officio_correction", "minor": "minor_correction", "clerical": "clerical_correction"}


def plan_correction(data: dict[str, Any]) -> Plan:
    """職権修正・軽微な修正・誤記修正 of one person's items (4.2.3).  誤記修正 keeps the wrong
    row and adds the corrected one (``corrects`` names the row; default the latest)."""
    kind = str(data.get("correction") or "ex_officio")
    plan = Plan(MovementKind.CORRECTION, REASONS.get(kind, ""), Initiation.EX_OFFICIO)
    if kind not in REASONS:
        plan.error("correction.kind", "修正の種類は職権修正・軽微な修正・誤記修正のいずれかです。")
        return plan
    plan.effective_text, plan.effective_sort = "", None
    if data.get("effective"):
        read_effective(plan, data, "修正の日")
    read_notified(plan, data, "戸籍の届出・通知の日")
    resident = one_resident(plan, data)
    changes = dict(data.get("changes") or {})
    allowed = CORRECTABLE + (MINOR_ADDRESS if kind == "minor" else ())
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        plan.error("correction.field", "この修正では変更できない項目があります: " + "、".join(unknown))
    if not changes:
        plan.error("correction.nothing", "修正する項目を入力してください。")
    if resident is None or plan.errors:
        return plan
    base = snapshot_of(resident)
    revised = _revised(plan, base, changes)
    if kind == "clerical":
        plan.ex_officio_record = {"corrects": {resident.atena_no: int(data.get("corrects") or resident.history_no)}}
    plan.items.append(PlannedItem(resident.atena_no, resident.history_no, revised))
    _follow_in_household(plan, resident, base, revised, changes)
    return plan


def _follow_in_household(
    plan: Plan, resident: Any, base: dict[str, Any], revised: dict[str, Any], changes: dict[str, Any]
) -> None:
    """Items the whole household shares follow the correction: the head's name becomes every
    member's 世帯主氏名 (4.2.3.1), and an address corrected by a 軽微な修正 (住居表示, 地番変更 …)
    is every member's address."""
    new_head_name = resident.is_head and display_name(revised) != display_name(base)
    address = {key: revised[key] for key in MINOR_ADDRESS if key in changes}
    if new_head_name:
        revised["head_name"] = display_name(revised)
    if not (new_head_name or address):
        return
    for member in household_members(resident.household_no):
        if member.atena_no == resident.atena_no:
            continue
        snap = snapshot_of(member)
        if new_head_name:
            snap["head_name"] = display_name(revised)
        snap.update(address)
        plan.items.append(PlannedItem(member.atena_no, member.history_no, snap))


def _revised(plan: Plan, base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The person with the changed items, validated like at 転入."""
    entered = {
        "surname": base["surname"],
        "given_name": base["given_name"],
        "furigana_surname": base["furigana_surname"],
        "furigana_given_name": base["furigana_given_name"],
        "furigana_confirmed": base["furigana_status"] == FuriganaStatus.CONFIRMED,
        "name_alphabet": base["name_alphabet"],
        "birth": base["birth_text"],
        "sex": base["sex"],
        "relationship": base["relationship"],
        "honseki_kind": base["honseki_kind"] or "address",
        "honseki": base["honseki"],
        "koseki_head": base["koseki_head"],
        "nationality_kind": base["nationality_kind"],
        "nationality": base["nationality"],
        "residence_category": base["residence_category"],
        "residence_status": base["residence_status"],
        "period_of_stay": base["period_of_stay"],
        "stay_expires_on": base["stay_expires_on"],
        "residence_card_no": base["residence_card_no"],
        "special_permanent_cert_no": base["special_permanent_cert_no"],
        "notes": base["notes"],
        "resident_code": base["resident_code"],
        **changes,
    }
    person = entered_person(plan, entered, base["atena_no"], card_pending=bool(base.get("landing_permit_move_in")))
    revised = dict(base)
    for key in (
        "surname",
        "given_name",
        "furigana_surname",
        "furigana_given_name",
        "furigana_status",
        "name_alphabet",
        "birth_text",
        "birth_sort",
        "sex",
        "honseki_kind",
        "honseki",
        "koseki_head",
        "nationality",
        "residence_category",
        "residence_status",
        "period_of_stay",
        "stay_expires_on",
        "residence_card_no",
        "special_permanent_cert_no",
        "notes",
    ):
        revised[key] = person[key]
    for key in MINOR_ADDRESS:
        if key in changes:
            revised[key] = str(changes[key])
    return revised


def plan_disappearance(data: dict[str, Any]) -> Plan:
    """失踪 (4.2.2.2): 職権消除 on the notice of a 失踪宣告 from the 本籍地."""
    plan = Plan(MovementKind.DISAPPEARANCE, "ex_officio_remove", Initiation.EX_OFFICIO)
    read_effective(plan, data, "失踪宣告により死亡とみなされる日", uncertain=True)
    read_notified(plan, data, "通知の日")
    resident = one_resident(plan, data)
    if resident is None or plan.errors:
        return plan
    snap = snapshot_of(resident)
    snap.update(
        status=Status.REMOVED,
        removal_reason="失踪宣告",
        removed_text=plan.effective_text,
        removed_sort=plan.effective_sort.isoformat() if plan.effective_sort else None,
    )
    plan.items.append(PlannedItem(resident.atena_no, resident.history_no, snap))
    remaining_household(plan, resident.household_no, {resident.atena_no})
    return plan


UNKNOWN = "不明"


def plan_ex_officio_removal(data: dict[str, Any]) -> Plan:
    """職権消除 (4.2.0.1; 住基法8条, 施行令12条): a 実態調査 found that persons no longer live at
    their address and no 転出届 came.  Where they went is often unknown: the 転出先 is then
    「不明」 (``destination_unknown``, or no address entered); a known one is recorded like a 転出先.
    The 異動日 — the day they ceased to live here — may be uncertain (「令和8年10月頃」, 1.1.8).
    The grounds (``grounds``: what the 実態調査 found) go into the 職権記録書; the members who stay
    are handled as for any leaving (4.0.4)."""
    plan = Plan(MovementKind.EX_OFFICIO_REMOVAL, "ex_officio_remove", Initiation.EX_OFFICIO)
    read_effective(plan, data, "消除の事由が生じた日（住所を失った日）", uncertain=True)
    read_notified(plan, data, "職権で処理する日")
    grounds = str(data.get("grounds") or "").strip()
    if not grounds:
        plan.error("removal.grounds", "職権消除の理由（実態調査の結果など）を入力してください。")
    plan.ex_officio_record = {"basis": "実態調査", "reason": grounds[:500]}
    entered = data.get("destination") or {}
    if data.get("destination_unknown") or not str(entered.get("address") or "").strip():
        destination = {"address": UNKNOWN, "postcode": "", "address_code": "", "banchi": "", "katagaki": ""}
    else:
        destination = entered_address(plan, entered, "転出先")
    persons = selected_residents(plan, data)
    for person in persons:
        snap = snapshot_of(person)
        snap.update(
            status=Status.REMOVED,
            removal_reason="職権消除",
            removed_text=plan.effective_text,
            removed_sort=plan.effective_sort.isoformat() if plan.effective_sort else None,
            destination=destination["address"],
            destination_postcode=destination["postcode"],
            destination_code=destination["address_code"],
            destination_banchi=destination["banchi"],
            destination_katagaki=destination["katagaki"],
        )
        plan.items.append(PlannedItem(person.atena_no, person.history_no, snap))
    if persons:
        remaining_household(plan, persons[0].household_no, {p.atena_no for p in persons})
    return plan


def plan_former_surname(data: dict[str, Any]) -> Plan:
    """旧氏の記載・変更・削除 on request (1.1.7); since 2025 with its 振り仮名."""
    action = str(data.get("action") or "record")
    reasons = {"record": "former_surname_record", "change": "former_surname_change", "delete": "former_surname_delete"}
    plan = Plan(MovementKind.FORMER_SURNAME, reasons.get(action, ""), Initiation.REQUEST)
    if action not in reasons:
        plan.error("former_surname.action", "旧氏の記載・変更・削除のいずれかを選んでください。")
        return plan
    read_notified(plan, data, "請求日")
    plan.requested_on = plan.notified_on
    resident = one_resident(plan, data)
    if resident is None:
        return plan
    if resident.nationality_kind != NationalityKind.JAPANESE:
        plan.error("former_surname.foreign", "旧氏は日本人住民だけが記載できます。", resident.atena_no)
    snap = snapshot_of(resident)
    if action == "delete":
        if not resident.former_surname:
            plan.error("former_surname.none", "記載されている旧氏がありません。", resident.atena_no)
        snap.update(former_surname="", former_surname_furigana="")
    else:
        surname = str(data.get("former_surname") or "").strip()
        furigana = str(data.get("former_surname_furigana") or "").strip()
        if not surname or not furigana:
            plan.error(
                "former_surname.required",
                "旧氏と旧氏の振り仮名を入力してください（振り仮名は旧氏と一緒に請求します）。",
                resident.atena_no,
            )
        elif not is_katakana_name(furigana):
            plan.error("former_surname.furigana", "旧氏の振り仮名は全角カタカナで入力してください。", resident.atena_no)
        if action == "record" and resident.former_surname:
            plan.error("former_surname.exists", "旧氏は記載済みです。変更として請求してください。", resident.atena_no)
        snap.update(former_surname=surname, former_surname_furigana=furigana)
    plan.items.append(PlannedItem(resident.atena_no, resident.history_no, snap))
    return plan


def plan_alias(data: dict[str, Any]) -> Plan:
    """通称の記載・削除 on 申出 (1.1.7, foreign residents), with its history of 記載/削除."""
    action = str(data.get("action") or "record")
    plan = Plan(MovementKind.ALIAS, "alias_record" if action == "record" else "alias_delete", Initiation.REQUEST)
    read_notified(plan, data, "申出日")
    plan.requested_on = plan.notified_on
    resident = one_resident(plan, data)
    if resident is None:
        return plan
    if resident.nationality_kind != NationalityKind.FOREIGN:
        plan.error("alias.japanese", "通称は外国人住民だけが記載できます。", resident.atena_no)
    snap = snapshot_of(resident)
    history = list(snap.get("alias_history") or [])
    municipality = settings.JUMIN_MUNICIPALITY["name"]
    today = (plan.notified_on or local_today()).isoformat()
    if action == "record":
        alias = str(data.get("alias") or "").strip()
        if not alias:
            plan.error("alias.required", "通称を入力してください。", resident.atena_no)
        if resident.alias:
            plan.error("alias.exists", "通称は記載済みです。先に削除してください。", resident.atena_no)
        snap.update(
            alias=alias,
            alias_furigana=str(data.get("alias_furigana") or "").strip(),
            alias_furigana_status=FuriganaStatus.CONFIRMED
            if data.get("alias_furigana_confirmed")
            else FuriganaStatus.UNCONFIRMED,
        )
        history.append({"alias": alias, "recorded_on": today, "recorded_in": municipality})
    else:
        if not resident.alias:
            plan.error("alias.none", "記載されている通称がありません。", resident.atena_no)
        for entry in history:
            if entry.get("alias") == resident.alias and not entry.get("deleted_on"):
                entry.update(deleted_on=today, deleted_in=municipality)
        snap.update(alias="", alias_furigana="", alias_furigana_status=FuriganaStatus.UNCONFIRMED)
    snap["alias_history"] = history
    plan.items.append(PlannedItem(resident.atena_no, resident.history_no, snap))
    return plan
