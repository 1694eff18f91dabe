"""Planners of the movements that concern foreign residents only (spec 4.5.1–4.5.5).

* 法第30条の46転入 (4.5.1) and 法第30条の47届出 (4.5.2) record a new foreign resident like a
  国外転入 (reason ``abroad_move_in``, 「国外転入等」 of 1.2.2): they are :func:`plan_move_in`
  with the category of 法30条の45 restricted to 中長期在留者・特別永住者・一時庇護許可者・
  仮滞在許可者, the 転入前住所 optional (a foreign address as text) and the article written
  into the movement: its ``kind`` (``article_30_46`` / ``article_30_47``, labelled
  「法第30条の46転入」「法第30条の47届出」) and the 留意事項 of the movement and of every history
  row it writes.
* 帰化 (4.5.3) and 国籍取得 (4.5.4) turn a foreign resident's record into a Japanese one;
  国籍喪失 (4.5.5) the reverse.

How a change of 住民種別 is represented: the standard creates a new 住民票 and removes the
old one, carrying the 宛名番号 over.  In this register a person is the chain of history rows
of one 宛名番号, so the change is ONE new history row of the same 宛名番号 (reason
``naturalization_add`` 「職権記載（帰化等）」 or ``nationality_loss_add``
「職権記載（国籍喪失）」): the row before it — the last state of the old 住民票, with every
item of the other kind — stays in the history unchanged; the new row carries over what the
standard carries over, takes the entered items of the new kind, and has every item of the
old kind cleared.  The removal of the old 住民票 (``naturalization_remove`` /
``nationality_loss_remove``) is therefore implied by the same row: statistics that count
both sides by nationality (異動集計表) count such a row once as 記載 in the new group and
once as 消除 in the old one.  A cancellation (4.6) restores the old record like any other
movement.
"""

from __future__ import annotations

from typing import Any

from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.core.movement_kind import KIND_LABELS, MovementKind
from jumin.core.uncertain_date import Calendar, parse_uncertain_date
from jumin.registry.models import FuriganaStatus, Initiation, NationalityKind, ResidenceCategory, Resident, Status
from jumin.registry.planning.moves import plan_move_in
from jumin.registry.planning.persons import entered_person
from jumin.registry.planning.readers import household_members, read_effective, read_notified, selected_residents
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import Snapshot, blank_snapshot, display_name, snapshot_of

ARTICLE_30_46 = MovementKind.ARTICLE_30_46
ARTICLE_30_47 = MovementKind.ARTICLE_30_47
NATURALIZATION = MovementKind.NATURALIZATION
NATIONALITY_ACQUISITION = MovementKind.NATIONALITY_ACQUISITION
NATIONALITY_LOSS = MovementKind.NATIONALITY_LOSS

_ARTICLE_REMARKS: dict[str, str] = {
    ARTICLE_30_46: "住民基本台帳法第30条の46の規定による転入の届出",
    ARTICLE_30_47: "住民基本台帳法第30条の47の規定による届出",
}

# The categories of 法30条の45 a 30条の46/30条の47 届出 is made for; the two 経過滞在者 are
# recorded by 出生 and by 国籍喪失 instead.
ARTICLE_CATEGORIES = (
    ResidenceCategory.MID_LONG_TERM,
    ResidenceCategory.SPECIAL_PERMANENT,
    ResidenceCategory.TEMPORARY_REFUGE,
    ResidenceCategory.PROVISIONAL_STAY,
)
_LANDING_LABELS = {
    ResidenceCategory.TEMPORARY_REFUGE: "上陸期間",
    ResidenceCategory.PROVISIONAL_STAY: "仮滞在期間",
}

# Items of a foreign resident's record only (法30条の45, 施行令30条の25〜27) and their values
# in a Japanese resident's record.
FOREIGN_ONLY: dict[str, Any] = {
    "name_alphabet": "",
    "alias": "",
    "alias_furigana": "",
    "alias_history": [],
    "prefer_alias": False,
    "nationality": "",
    "foreign_resident_since_text": "",
    "foreign_resident_since_sort": None,
    "residence_category": "",
    "residence_status": "",
    "period_of_stay": "",
    "stay_expires_on": None,
    "residence_card_no": "",
    "special_permanent_cert_no": "",
    "landing_period": "",
    "residence_notified": False,
    "landing_permit_move_in": False,
    "old_registration_text": "",
}
# Items of a Japanese resident's record only (法7条5号 本籍・筆頭者, 施行令30条の13 旧氏).
_BLANK = blank_snapshot()
JAPANESE_ONLY: dict[str, Any] = {
    key: _BLANK[key]
    for key in (
        "honseki_kind",
        "honseki",
        "koseki_head",
        "former_surname",
        "former_surname_furigana",
        "former_surname_furigana_status",
    )
}


# -- 法第30条の46転入 / 法第30条の47届出 (4.5.1, 4.5.2) ----------------------------------------


def plan_article_30_46(data: dict[str, Any]) -> Plan:
    """法第30条の46転入 (4.5.1): a foreigner who came from abroad and sets an address here."""
    return _plan_article(ARTICLE_30_46, data)


def plan_article_30_47(data: dict[str, Any]) -> Plan:
    """法第30条の47届出 (4.5.2): a foreigner living here who newly became 中長期在留者等.
    The 異動日 is the day they became so (外国人住民となった年月日); the 住所を定めた年月日 may
    be earlier (``address_set``)."""
    return _plan_article(ARTICLE_30_47, data)


def _plan_article(kind: str, data: dict[str, Any]) -> Plan:
    persons = [dict(p) for p in data.get("persons") or []]
    for entered in persons:
        entered.setdefault("nationality_kind", NationalityKind.FOREIGN)
    plan = plan_move_in({**data, "reason": "abroad_move_in", "previous_address": None, "persons": persons})
    plan.kind = kind
    plan.remark = _remark(_ARTICLE_REMARKS[kind], data)
    planned = plan.items[len(plan.items) - len(persons) :]  # plan_move_in adds the persons last, in order
    previous = {key: str(value or "").strip() for key, value in (data.get("previous_address") or {}).items()}
    address_set = _address_set(plan, data) if kind == ARTICLE_30_47 else None
    for entered, item in zip(persons, planned, strict=True):
        snap = item.snapshot
        _article_person(plan, kind, entered, snap)
        if previous.get("address"):  # 国外 or blank (4.5.1); a 30条の47 届出 may name one too
            snap.update(
                previous_address=previous["address"],
                previous_postcode=previous.get("postcode", ""),
                previous_address_code=previous.get("address_code", ""),
                previous_banchi=previous.get("banchi", ""),
                previous_katagaki=previous.get("katagaki", ""),
            )
        if address_set is not None:
            snap["address_set_text"], snap["address_set_sort"] = address_set
    return plan


def _article_person(plan: Plan, kind: str, entered: dict[str, Any], snap: Snapshot) -> None:
    atena_no = snap["atena_no"]
    if snap["nationality_kind"] != NationalityKind.FOREIGN:
        plan.error(
            "foreign_move_in.not_foreign",
            f"{KIND_LABELS[kind]}は外国人住民の届出です。日本人の転入は転入として入力してください。",
            atena_no,
        )
        return
    category = snap["residence_category"]
    if category and category not in ARTICLE_CATEGORIES:
        plan.error(
            "foreign_move_in.category",
            f"{KIND_LABELS[kind]}の対象は中長期在留者・特別永住者・一時庇護許可者・仮滞在許可者です。",
            atena_no,
        )
    _landing(plan, snap, entered)
    if entered.get("landing_permit_move_in") and category == ResidenceCategory.MID_LONG_TERM:
        # 上陸許可証（旅券の上陸許可）による転入: the 在留カード is issued later, so its number
        # may be blank until the 法務省通知 brings it (4.5.6).
        snap["landing_permit_move_in"] = True
        plan.issues = [
            i
            for i in plan.issues
            if not (i.atena_no == atena_no and i.code == "foreign.required" and "在留カードの番号" in i.message)
        ]
    # The 届出 under 30条の46/30条の47 with the card is also the 入管法 住居地届出 (入管法19条の9).
    snap["residence_notified"] = category in (ResidenceCategory.MID_LONG_TERM, ResidenceCategory.SPECIAL_PERMANENT)
    current = Resident.objects.filter(status=Status.CURRENT)
    if (snap["residence_card_no"] and current.filter(residence_card_no=snap["residence_card_no"]).exists()) or (
        snap["special_permanent_cert_no"]
        and current.filter(special_permanent_cert_no=snap["special_permanent_cert_no"]).exists()
    ):
        plan.error(
            "foreign_move_in.duplicate_card",
            "この在留カード等の番号の方は既に住民として記録されています。",
            atena_no,
        )


def _landing(plan: Plan, snap: Snapshot, entered: dict[str, Any]) -> None:
    """上陸期間 (一時庇護許可者) / 仮滞在期間 (仮滞在許可者): required (1.1.6)."""
    snap["landing_period"] = str(entered.get("landing_period") or "").strip()
    label = _LANDING_LABELS.get(snap["residence_category"])
    if label and not snap["landing_period"]:
        plan.error("foreign.required", f"{label}を入力してください。", snap["atena_no"])


def _address_set(plan: Plan, data: dict[str, Any]) -> tuple[str, str | None] | None:
    """住所を定めた年月日 of a 30条の47 届出: entered, or the 異動日; not after it."""
    value = str(data.get("address_set") or "").strip()
    if not value:
        return None
    try:
        parsed = parse_uncertain_date(value, era_table(), calendar=Calendar.WAREKI)
    except DomainError as error:
        plan.error(error.code, f"住所を定めた年月日: {error.message}")
        return None
    day = parsed.internal_date(era_table())
    if day is not None and plan.effective_sort is not None and day > plan.effective_sort:
        plan.error(
            "foreign_move_in.address_set_after",
            "住所を定めた年月日は中長期在留者等となった日（異動日）以前の日付にしてください。",
        )
    return parsed.text, day.isoformat() if day else None


def _remark(note: str, data: dict[str, Any]) -> str:
    entered = str(data.get("remark") or "").strip()
    return f"{note}\u3000{entered}" if entered else note


# -- 帰化・国籍取得 (4.5.3, 4.5.4) --------------------------------------------------------------


def plan_naturalization(data: dict[str, Any]) -> Plan:
    """帰化 (4.5.3): 職権記載 of a Japanese 住民票 for a foreign resident (see the module)."""
    return _plan_to_japanese(NATURALIZATION, data)


def plan_nationality_acquisition(data: dict[str, Any]) -> Plan:
    """国籍取得 (4.5.4, 国籍法3条・17条): as 帰化."""
    return _plan_to_japanese(NATIONALITY_ACQUISITION, data)


# What the counter enters for the new record; everything else is carried over.
JAPANESE_ENTERED = (
    "surname",
    "given_name",
    "furigana_surname",
    "furigana_given_name",
    "furigana_confirmed",
    "honseki_kind",
    "honseki",
    "koseki_head",
    "birth",
)
FOREIGN_ENTERED = (
    "surname",
    "given_name",
    "furigana_surname",
    "furigana_given_name",
    "name_alphabet",
    "nationality",
    "residence_category",
    "residence_status",
    "period_of_stay",
    "stay_expires_on",
    "residence_card_no",
    "special_permanent_cert_no",
    "landing_period",
    "birth",
)


def _entered(plan: Plan, entered: dict[str, Any], allowed: tuple[str, ...], atena_no: str) -> dict[str, Any]:
    unknown = sorted(set(entered) - set(allowed) - {"atena_no"})
    if unknown:
        plan.error("movement.field", "この異動では入力できない項目があります: " + "、".join(unknown), atena_no)
    return {key: value for key, value in entered.items() if key in allowed}


def _persons(plan: Plan, data: dict[str, Any]) -> list[tuple[Resident, dict[str, Any]]]:
    """The residents named by ``persons[].atena_no`` (current, one household, each once)."""
    entered = [dict(p) for p in data.get("persons") or []]
    atena_nos = [str(p.get("atena_no") or "") for p in entered]
    if len(set(atena_nos)) != len(atena_nos):
        plan.error("movement.duplicate_person", "同じ方が2回入力されています。")
        return []
    residents = selected_residents(plan, {"atena_nos": atena_nos})
    if plan.errors:
        return []
    return list(zip(residents, entered, strict=True))


def _plan_to_japanese(kind: str, data: dict[str, Any]) -> Plan:
    label = KIND_LABELS[kind]
    plan = Plan(kind, "naturalization_add", str(data.get("initiation") or Initiation.EX_OFFICIO))
    read_effective(plan, data, f"{label}の日")
    read_notified(plan, data, "戸籍の届出・通知の日")
    plan.remark = _remark(f"{label}により日本人住民票を記載（外国人住民票を消除）", data)
    plan.ex_officio_record = {"basis": label}
    for resident, entered in _persons(plan, data):
        atena_no = resident.atena_no
        if resident.nationality_kind != NationalityKind.FOREIGN:
            plan.error(
                "naturalization.not_foreign",
                f"{label}の対象は外国人住民です（{resident.name} は日本人住民です）。",
                atena_no,
            )
            continue
        since = resident.foreign_resident_since_sort
        if plan.effective_sort is not None and since is not None and plan.effective_sort < since:
            plan.error(
                "naturalization.before_foreign_since",
                f"{label}の日が外国人住民となった年月日より前です。",
                atena_no,
            )
        plan.items.append(PlannedItem(atena_no, resident.history_no, _japanese(plan, resident, entered)))
    _follow_head_name(plan)
    return plan


def _japanese(plan: Plan, resident: Resident, entered: dict[str, Any]) -> Snapshot:
    """The Japanese 住民票: 住所(方書), 生年月日 (now in 和暦), 性別, 続柄, 住定日, 住民票コード,
    宛名番号, 個人番号 and 転入前住所 carried over; 氏名・振り仮名 and 本籍・筆頭者 entered;
    外国人住民となった年月日 becomes 住民となった年月日; every foreign-only item cleared."""
    base = snapshot_of(resident)
    atena_no = resident.atena_no
    values = {"birth": base["birth_text"], **_entered(plan, entered, JAPANESE_ENTERED, atena_no)}
    values.update(
        nationality_kind=NationalityKind.JAPANESE,
        sex=base["sex"],
        relationship=base["relationship"],
        family_of=base["family_of"],
    )
    # 生年月日 in 和暦 now (1.1.9): an exact 西暦 date converts; an uncertain one must be entered.
    checked = entered_person(plan, values, atena_no)
    snap = dict(base)
    snap.update(FOREIGN_ONLY, alias_history=[])
    for key in (
        "nationality_kind",
        "surname",
        "given_name",
        "furigana_surname",
        "furigana_given_name",
        "furigana_status",
        "birth_text",
        "birth_sort",
        "honseki_kind",
        "honseki",
        "koseki_head",
    ):
        snap[key] = checked[key]
    snap.update(
        became_resident_text=base["foreign_resident_since_text"] or base["became_resident_text"],
        became_resident_sort=base["foreign_resident_since_sort"] or base["became_resident_sort"],
        notified_on=plan.notified_on.isoformat() if plan.notified_on else None,
    )
    return snap


def _follow_head_name(plan: Plan) -> None:
    """When the head's name changes with the new record, every member's 世帯主氏名 follows
    (as with a correction of the head's name, 4.2.3.1)."""
    heads = [item.snapshot for item in plan.items if item.snapshot.get("is_head")]
    if not heads or plan.errors:
        return
    head = heads[0]
    head_name = display_name(head)
    planned = {item.atena_no: item for item in plan.items}
    for member in household_members(head["household_no"]):
        if member.atena_no in planned:
            planned[member.atena_no].snapshot["head_name"] = head_name
        elif member.head_name != head_name:
            snap = snapshot_of(member)
            snap["head_name"] = head_name
            plan.items.append(PlannedItem(member.atena_no, member.history_no, snap))
    plan.households.add(head["household_no"])


# -- 国籍喪失 (4.5.5) -------------------------------------------------------------------------


def plan_nationality_loss(data: dict[str, Any]) -> Plan:
    """国籍喪失 (4.5.5): 職権記載 of a foreign 住民票 for a Japanese resident who lost the
    nationality.  Carried over as at 帰化; 国籍・地域, 氏名 and the 法30条の45 区分 with its
    items are entered (checked as at 転入); 外国人住民となった年月日 is the later of the
    国籍喪失の日 and the 住民となった年月日; the 住民となった年月日 is never printed as
    旧外登法による登録年月日 (4.5.5 X)."""
    plan = Plan(NATIONALITY_LOSS, "nationality_loss_add", str(data.get("initiation") or Initiation.EX_OFFICIO))
    read_effective(plan, data, "国籍喪失の日")
    read_notified(plan, data, "戸籍の届出・通知の日")
    plan.remark = _remark("国籍喪失により外国人住民票を記載（日本人住民票を消除）", data)
    plan.ex_officio_record = {"basis": "国籍喪失"}
    for resident, entered in _persons(plan, data):
        if resident.nationality_kind != NationalityKind.JAPANESE:
            plan.error(
                "nationality_loss.not_japanese",
                f"国籍喪失の対象は日本人住民です（{resident.name} は外国人住民です）。",
                resident.atena_no,
            )
            continue
        plan.items.append(PlannedItem(resident.atena_no, resident.history_no, _foreigner(plan, resident, entered)))
    _follow_head_name(plan)
    return plan


def _foreigner(plan: Plan, resident: Resident, entered: dict[str, Any]) -> Snapshot:
    base = snapshot_of(resident)
    atena_no = resident.atena_no
    values = {
        "surname": base["surname"],
        "given_name": base["given_name"],
        "furigana_surname": base["furigana_surname"],
        "furigana_given_name": base["furigana_given_name"],
        "birth": base["birth_text"],
        "residence_category": ResidenceCategory.TRANSITIONAL_LOSS,
        **_entered(plan, entered, FOREIGN_ENTERED, atena_no),
    }
    values.update(
        nationality_kind=NationalityKind.FOREIGN,
        sex=base["sex"],
        relationship=base["relationship"],
        family_of=base["family_of"],
    )
    # 生年月日 in 西暦 now (1.1.9); the 30条の45 items are checked as at 転入 (planning._foreign).
    checked = entered_person(plan, values, atena_no)
    if checked["residence_category"] == ResidenceCategory.TRANSITIONAL_BIRTH:
        plan.error("nationality_loss.category", "国籍喪失の方は出生による経過滞在者にはなりません。", atena_no)
    _landing(plan, checked, values)
    snap = dict(base)
    snap.update(JAPANESE_ONLY)
    for key in (
        *FOREIGN_ONLY,
        "nationality_kind",
        "surname",
        "given_name",
        "furigana_surname",
        "furigana_given_name",
        "birth_text",
        "birth_sort",
    ):
        snap[key] = checked[key]
    snap.update(
        furigana_status=FuriganaStatus.NOT_RECORDED,  # kept for search only (1.1.2)
        notified_on=plan.notified_on.isoformat() if plan.notified_on else None,
    )
    snap["foreign_resident_since_text"], snap["foreign_resident_since_sort"] = _foreign_since(plan, base)
    return snap


def _foreign_since(plan: Plan, base: Snapshot) -> tuple[str, str | None]:
    """外国人住民となった年月日 = the later of 国籍喪失の日 and 住民となった年月日 (4.5.5)."""
    lost = plan.effective_sort.isoformat() if plan.effective_sort else None
    became = base["became_resident_sort"]
    if became and (lost is None or became > lost):
        return base["became_resident_text"], became
    return plan.effective_text, lost
