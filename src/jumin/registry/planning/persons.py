"""Persons entered at the counter (転入・出生): their items validated one by one, and the
再転入 of a person whose 除票 is in the main tables."""

from __future__ import annotations

from typing import Any

from jumin.conf.domain import era_table
from jumin.core.check_digits import normalize_number_input, validate_individual_number, validate_resident_code
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.core.kana import is_katakana_name
from jumin.core.relationship import HEAD, parse_relationship
from jumin.core.uncertain_date import Calendar
from jumin.registry.models import FuriganaStatus, HonsekiKind, NationalityKind, ResidenceCategory, Resident, Sex, Status
from jumin.registry.numbers import individual_number_lookup
from jumin.registry.planning.readers import entered_date, entered_uncertain_date, in_window, local_today
from jumin.registry.planning.types import Plan
from jumin.registry.snapshots import Snapshot, blank_snapshot

TEXT_ITEMS = (
    "surname",
    "given_name",
    "furigana_surname",
    "furigana_given_name",
    "name_alphabet",
    "nationality",
    "former_surname",
    "former_surname_furigana",
    "alias",
    "alias_furigana",
    "residence_status",
    "period_of_stay",
    "residence_card_no",
    "special_permanent_cert_no",
    "notes",
)
"""A new person's items taken as entered (trimmed text); also what a 再転入 defaults from the 除票."""


def entered_person(plan: Plan, data: dict[str, Any], atena_no: str, *, card_pending: bool = False) -> Snapshot:
    """A new person's items (転入・出生): validated one by one; problems become issues."""
    snap = blank_snapshot()
    snap["atena_no"] = atena_no
    kind = data.get("nationality_kind") or NationalityKind.JAPANESE
    if kind not in NationalityKind.values:
        plan.error("person.kind", "住民種別が正しくありません。", atena_no)
        kind = NationalityKind.JAPANESE
    snap["nationality_kind"] = kind
    for key in TEXT_ITEMS:
        snap[key] = str(data.get(key) or "").strip()
    japanese = kind == NationalityKind.JAPANESE
    if japanese and not (snap["surname"] and snap["given_name"]):
        plan.error("person.name", "氏と名を入力してください。", atena_no)
    if not japanese and not (snap["name_alphabet"] or snap["surname"]):
        plan.error("person.name", "外国人住民の氏名（アルファベットまたは漢字）を入力してください。", atena_no)
    for key, label in (("furigana_surname", "氏の振り仮名"), ("furigana_given_name", "名の振り仮名")):
        if snap[key] and not is_katakana_name(snap[key]):
            plan.error("person.furigana", f"{label}は全角カタカナで入力してください。", atena_no)
    snap["furigana_status"] = (
        FuriganaStatus.NOT_RECORDED
        if not japanese
        else FuriganaStatus.CONFIRMED
        if data.get("furigana_confirmed")
        else FuriganaStatus.UNCONFIRMED
    )
    birth = entered_uncertain_date(
        plan,
        data.get("birth"),
        "生年月日",
        uncertain=True,
        atena_no=atena_no,
        calendar=Calendar.WAREKI if japanese else Calendar.SEIREKI,
    )
    if birth is not None:
        snap["birth_text"], birth_sort = birth
        snap["birth_sort"] = birth_sort.isoformat() if birth_sort else None
        if birth_sort is not None and birth_sort > local_today():
            plan.error("person.birth_future", "生年月日が未来の日付です。", atena_no)
        else:
            in_window(plan, DateKind.BIRTH, birth_sort, "生年月日", atena_no)
    sex = str(data.get("sex") or "")
    if sex not in Sex.values:
        plan.error("person.sex", "性別を選んでください。", atena_no)
    snap["sex"] = sex
    entered_relationship(plan, snap, data, atena_no)
    _honseki(plan, snap, data, japanese, atena_no)
    _numbers(plan, snap, data, atena_no)
    if not japanese:
        _foreign(plan, snap, data, atena_no, card_pending=card_pending)
    return snap


def entered_relationship(plan: Plan, snap: Snapshot, data: dict[str, Any], atena_no: str) -> None:
    try:
        relationship = parse_relationship(str(data.get("relationship") or ""))
    except DomainError as error:
        plan.error(error.code, f"続柄: {error.message}", atena_no)
        return
    snap["relationship"] = relationship.text
    snap["is_head"] = relationship.text == HEAD
    snap["family_of"] = str(data.get("family_of") or "")


def _honseki(plan: Plan, snap: Snapshot, data: dict[str, Any], japanese: bool, atena_no: str) -> None:
    if not japanese:
        return
    kind = str(data.get("honseki_kind") or HonsekiKind.ADDRESS)
    if kind not in HonsekiKind.values:
        plan.error("person.honseki_kind", "本籍の区分が正しくありません。", atena_no)
        return
    snap["honseki_kind"] = kind
    snap["honseki"] = str(data.get("honseki") or "").strip() if kind == HonsekiKind.ADDRESS else ""
    snap["koseki_head"] = str(data.get("koseki_head") or "").strip() if kind == HonsekiKind.ADDRESS else ""
    if kind == HonsekiKind.ADDRESS and not (snap["honseki"] and snap["koseki_head"]):
        plan.error(
            "person.honseki",
            "本籍と筆頭者を入力してください（ない場合は「本籍なし」「本籍不明」を選びます）。",
            atena_no,
        )


def _numbers(plan: Plan, snap: Snapshot, data: dict[str, Any], atena_no: str) -> None:
    number = normalize_number_input(str(data.get("individual_number") or ""))
    if number:
        try:
            validate_individual_number(number)
        except DomainError as error:
            plan.error(error.code, error.message, atena_no)
        else:
            snap["_individual_number"] = number  # sealed when the movement is stored
    code = normalize_number_input(str(data.get("resident_code") or ""))
    if code:
        try:
            snap["resident_code"] = validate_resident_code(code)
        except DomainError as error:
            plan.error(error.code, error.message, atena_no)


def _foreign(plan: Plan, snap: Snapshot, data: dict[str, Any], atena_no: str, *, card_pending: bool) -> None:
    """法30条の45: 国籍・地域, 区分 and the items of the 区分.  ``card_pending``: the person is on
    record as moved in with a 上陸許可証, so the 在留カード may still be missing (its number comes
    with the 法務省通知, 4.5.6)."""
    if not snap["nationality"]:
        plan.error("foreign.nationality", "国籍・地域を入力してください。", atena_no)
    category = str(data.get("residence_category") or "")
    if category not in ResidenceCategory.values:
        plan.error("foreign.category", "法第30条の45の区分を選んでください。", atena_no)
        return
    snap["residence_category"] = category
    if category == ResidenceCategory.MID_LONG_TERM:
        required = [("residence_status", "在留資格"), ("period_of_stay", "在留期間")]
        if not card_pending:
            required.append(("residence_card_no", "在留カードの番号"))
        for key, label in required:
            if not snap[key]:
                plan.error("foreign.required", f"{label}を入力してください。", atena_no)
        expires = data.get("stay_expires_on")
        if expires:
            day = entered_date(plan, expires, "在留期間の満了の日", kind=DateKind.STAY_EXPIRY, atena_no=atena_no)
            snap["stay_expires_on"] = day.isoformat() if day else None
        elif snap["period_of_stay"] != "無期限":
            plan.error("foreign.required", "在留期間の満了の日を入力してください。", atena_no)
    if category == ResidenceCategory.SPECIAL_PERMANENT and not snap["special_permanent_cert_no"]:
        plan.error("foreign.required", "特別永住者証明書の番号を入力してください。", atena_no)
    for key in ("residence_card_no", "special_permanent_cert_no"):
        value = snap[key].upper()
        snap[key] = value
        if value and not (len(value) == 12 and value[:2].isalpha() and value[2:10].isdigit() and value[10:].isalpha()):
            plan.error("foreign.card_no", "在留カード等の番号は英字2桁・数字8桁・英字2桁の12桁です。", atena_no)


def reentry_checks(plan: Plan, snap: Snapshot, reentry_of: str = "") -> None:
    """4.1.1.2: a matching 除票 by 個人番号/住民票コード/在留カード番号 blocks a new record;
    氏名・性別・生年月日 alone only warns.  The 除票 being re-entered (``reentry_of``) is no match."""
    removed = Resident.objects.filter(status=Status.REMOVED).exclude(atena_no=reentry_of)
    blocking = []
    if snap.get("_individual_number"):
        blocking.append(removed.filter(individual_number_lookup=individual_number_lookup(snap["_individual_number"])))
    if snap.get("resident_code"):
        blocking.append(removed.filter(resident_code=snap["resident_code"]))
    if snap.get("residence_card_no"):
        blocking.append(removed.filter(residence_card_no=snap["residence_card_no"]))
    for query in blocking:
        match = query.first()
        if match is not None:
            plan.error(
                "move_in.reentry",
                f"この方は再転入者です（除票 宛名番号 {match.atena_no}）。"
                "再転入として処理してください（転入者に再転入の除票の宛名番号を指定します）。",
                snap["atena_no"],
                related_atena_no=match.atena_no,
            )
            return
    if (
        snap.get("birth_text")
        and removed.filter(
            surname=snap["surname"], given_name=snap["given_name"], sex=snap["sex"], birth_text=snap["birth_text"]
        ).exists()
    ):
        plan.alert(
            "move_in.possible_reentry",
            "氏名・性別・生年月日が同じ除票があります。再転入者でないか確認してください。",
            snap["atena_no"],
        )
    current = Resident.objects.filter(status=Status.CURRENT)
    if (
        snap.get("_individual_number")
        and current.filter(individual_number_lookup=individual_number_lookup(snap["_individual_number"])).exists()
    ):
        plan.error("person.duplicate_number", "この個人番号の方は既に住民として記録されています。", snap["atena_no"])


_REENTRY_DEFAULTS = (
    "nationality_kind",
    *TEXT_ITEMS,
    "sex",
    "relationship",
    "honseki_kind",
    "honseki",
    "koseki_head",
    "residence_category",
    "resident_code",
)


DEAD = ("死亡", "失踪宣告")
"""消除事由 after which a person cannot move in again (a wrong one is undone by 異動の取消し)."""


def reentry(plan: Plan, entered: dict[str, Any]) -> tuple[dict[str, Any], Resident | None]:
    """再転入 (4.1.1.2): ``reentry_of`` names the 除票 (in the main tables) of a person who lived
    here before.  Its items are the defaults of what was entered (entered values win); the
    person keeps the 宛名番号 and gets a new history row."""
    atena_no = str(entered.get("reentry_of") or "").strip()
    if not atena_no:
        return entered, None
    old = Resident.objects.filter(atena_no=atena_no, status=Status.REMOVED).first()
    if old is None:
        plan.error(
            "move_in.reentry_not_found",
            f"再転入の除票（宛名番号 {atena_no}）が見つかりません。現存の住民や除票DBの除票は指定できません。",
        )
        return entered, None
    if old.removal_reason in DEAD:
        plan.error(
            "move_in.reentry_dead",
            f"宛名番号 {atena_no} の方は{old.removal_reason}により消除されています。再転入はできません"
            "（誤りであれば、その異動の取消しで記録を戻してください）。",
        )
        return entered, None
    defaults: dict[str, Any] = {key: getattr(old, key) for key in _REENTRY_DEFAULTS}
    defaults.update(
        birth=old.birth_text,
        furigana_confirmed=old.furigana_status == FuriganaStatus.CONFIRMED,
        stay_expires_on=era_table().format(old.stay_expires_on) if old.stay_expires_on else "",
    )
    return {**defaults, **{k: v for k, v in entered.items() if v not in (None, "")}}, old


def carry_over(snap: Snapshot, old: Resident) -> None:
    """Items of the 除票 that are not entered again: the sealed 個人番号 (bound to the same
    宛名番号) unless a number was entered, the histories and the 改製 count."""
    if not snap.get("_individual_number"):
        snap.update(
            individual_number_ct=old.individual_number_ct, individual_number_lookup=old.individual_number_lookup
        )
    snap.update(
        former_surname_furigana_status=old.former_surname_furigana_status,
        alias_history=old.alias_history,
        prefer_alias=old.prefer_alias,
        old_registration_text=old.old_registration_text,
        adult_ward=old.adult_ward,
        rebuild_no=old.rebuild_no,
        rebuilt_on=old.rebuilt_on.isoformat() if old.rebuilt_on else None,
    )
