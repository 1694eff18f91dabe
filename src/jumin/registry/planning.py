"""Planning a movement: from what the counter entered to the proposed snapshots, with the
checks of the standard as errors (cannot proceed) or alerts (warn, may proceed).

Each planner takes the entered data (a dict, from a form or the API) and returns a
:class:`Plan`; nothing is written here (new persons and households get placeholder numbers,
numbered when the movement is stored).  Messages are Japanese and say what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from jumin.conf.domain import check_date, era_table
from jumin.core.check_digits import normalize_number_input, validate_individual_number, validate_resident_code
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.core.kana import is_katakana_name
from jumin.core.periods import move_out_notified_late
from jumin.core.reasons import REASONS, Category, cancellation_reason
from jumin.core.relationship import HEAD, parse_relationship
from jumin.core.uncertain_date import Calendar, Pattern, parse_uncertain_date
from jumin.registry import hooks
from jumin.registry.models import (
    FuriganaStatus,
    HonsekiKind,
    Initiation,
    Movement,
    NationalityKind,
    ResidenceCategory,
    Resident,
    ResidentHistory,
    Sex,
    Status,
)
from jumin.registry.numbers import individual_number_lookup
from jumin.registry.snapshots import Snapshot, blank_snapshot, display_name, snapshot_of

ERROR = "error"
ALERT = "alert"
NEW_ATENA = "新規宛名"
NEW_HOUSEHOLD = "新規世帯"


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    level: str = ERROR
    atena_no: str = ""


@dataclass
class PlannedItem:
    atena_no: str
    base_history_no: int | None
    snapshot: Snapshot


@dataclass
class Plan:
    kind: str
    reason: str
    initiation: str
    effective_text: str = ""
    effective_sort: date | None = None
    notified_on: date | None = None
    requested_on: date | None = None
    notifier: str = ""
    remark: str = ""
    items: list[PlannedItem] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    cancels: Movement | None = None
    households: set[str] = field(default_factory=set)
    ex_officio_record: dict[str, Any] = field(default_factory=dict)
    new_numbers: int = 0

    def new_atena_no(self) -> str:
        """A placeholder; the real 宛名番号 is numbered when the movement is stored."""
        self.new_numbers += 1
        return f"{NEW_ATENA}{self.new_numbers}"

    def new_household_no(self) -> str:
        self.new_numbers += 1
        return f"{NEW_HOUSEHOLD}{self.new_numbers}"

    def error(self, code: str, message: str, atena_no: str = "") -> None:
        self.issues.append(Issue(code, message, ERROR, atena_no))

    def alert(self, code: str, message: str, atena_no: str = "") -> None:
        issue = Issue(code, message, ALERT, atena_no)
        if issue not in self.issues:
            self.issues.append(issue)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == ERROR]

    @property
    def alerts(self) -> list[Issue]:
        return [i for i in self.issues if i.level == ALERT]


# -- reading what was entered ---------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _date(
    plan: Plan, value: Any, label: str, *, required: bool = True, kind: DateKind | None = None, atena_no: str = ""
) -> date | None:
    """A calendar date typed in 和暦 or 西暦; inside the window of ``kind`` (core.date_rules)."""
    text = str(value or "").strip()
    if not text:
        if required:
            plan.error("input.required", f"{label}を入力してください。", atena_no)
        return None
    try:
        day = era_table().parse(text)
    except DomainError as error:
        plan.error(error.code, f"{label}: {error.message}", atena_no)
        return None
    return day if _in_window(plan, kind, day, label, atena_no) else None


def _in_window(plan: Plan, kind: DateKind | None, day: date | None, label: str, atena_no: str = "") -> bool:
    """Adds the error ``date.too_early`` / ``date.too_late`` when ``day`` is outside the
    accepted range of its kind (issue 14: 届出日 0001-01-01 broke every screen later)."""
    if kind is None or day is None:
        return True
    try:
        check_date(kind, day, label=label)
    except DomainError as error:
        plan.error(error.code, error.message, atena_no)
        return False
    return True


def _uncertain(
    plan: Plan,
    value: Any,
    label: str,
    *,
    uncertain: bool,
    calendar: Calendar | None = Calendar.WAREKI,
    atena_no: str = "",
) -> tuple[str, date | None] | None:
    """A date item of 1.1.8: kept as written (和暦 unless ``calendar`` says otherwise, 1.1.9 —
    a 西暦 exact date is converted); a 戸籍 date not on the calendar is accepted after the
    operator confirms the alert ``date.non_calendar``."""
    text = str(value or "").strip()
    if not text:
        plan.error("input.required", f"{label}を入力してください。", atena_no)
        return None
    try:
        parsed = parse_uncertain_date(
            text, era_table(), allow_uncertain=uncertain, allow_non_calendar=uncertain, calendar=calendar
        )
    except DomainError as error:
        plan.error(error.code, f"{label}: {error.message}", atena_no)
        return None
    if parsed.pattern is Pattern.NON_CALENDAR:
        plan.alert(
            "date.non_calendar",
            f"{label}は暦に存在しない日付です。戸籍のとおりであることを確認してください。",
            atena_no,
        )
    return parsed.text, parsed.internal_date(era_table())


def _effective(
    plan: Plan, data: dict[str, Any], label: str, *, future_allowed: bool = False, uncertain: bool = False
) -> None:
    """異動日 (4.0.3): required, in 和暦 (1.1.9); not after today except for 転出 (up to the
    window of 転出予定日)."""
    value = data.get("effective")
    parsed = _uncertain(plan, value, label, uncertain=uncertain)
    if parsed is None:
        return
    plan.effective_text, plan.effective_sort = parsed
    if not future_allowed and plan.effective_sort is not None and plan.effective_sort > _today():
        plan.error("date.future", f"{label}は今日以前の日付にしてください。")
        return
    kind = DateKind.PLANNED_MOVE_OUT if future_allowed else DateKind.EFFECTIVE
    if not _in_window(plan, kind, plan.effective_sort, label):
        plan.effective_sort = None


NOTIFIED_AFTER_EFFECTIVE = frozenset(
    {
        "move_in",
        "relocation",
        "household_split",
        "household_merge",
        "household_change",
        "head_change",
        "article_30_46",
        "article_30_47",
        "birth",
        "death",
        "disappearance",
        "naturalization",
        "nationality_acquisition",
        "nationality_loss",
    }
)
"""Movements whose 届出・通知 follows the event (法22条〜25条, 30条の46・47, 戸籍法): a 届出日
before the 異動日 is an alert.  Not 転出, which is notified in advance (法24条)."""


def _notified(plan: Plan, data: dict[str, Any], label: str = "届出日") -> None:
    """届出日 (4.1.0.2): default today, not after today, not before the law (core.date_rules);
    before the 異動日 an alert for the movements that are notified after the event."""
    value = data.get("notified_on")
    plan.notified_on = _date(plan, value, label) if value else _today()
    if plan.notified_on is None:
        return
    if plan.notified_on > _today():
        plan.error("date.future", f"{label}は今日以前の日付にしてください。")
    elif not _in_window(plan, DateKind.NOTIFIED, plan.notified_on, label):
        plan.notified_on = None
    elif plan.kind in NOTIFIED_AFTER_EFFECTIVE and plan.effective_sort and plan.notified_on < plan.effective_sort:
        plan.alert(
            "date.notified_before_effective",
            f"{label}が異動日より前です。日付の誤りがないか確認してください。",
        )


def _current(atena_no: str) -> Resident | None:
    return Resident.objects.filter(atena_no=atena_no, status=Status.CURRENT).first()


def _members(household_no: str) -> list[Resident]:
    return list(Resident.objects.filter(household_no=household_no, status=Status.CURRENT).order_by("atena_no"))


def _base(resident: Resident) -> PlannedItem:
    return PlannedItem(resident.atena_no, resident.history_no, snapshot_of(resident))


# -- persons entered at the counter ----------------------------------------------------------

_ADDRESS_KEYS = ("address", "postcode", "address_code", "banchi", "katagaki")


def _address(plan: Plan, data: dict[str, Any], label: str) -> dict[str, str]:
    address = {key: str(data.get(key) or "").strip() for key in _ADDRESS_KEYS}
    if not address["address"]:
        plan.error("input.required", f"{label}を入力してください。")
    if address["postcode"] and not (address["postcode"].isdigit() and len(address["postcode"]) == 7):
        plan.error("address.postcode", f"{label}の郵便番号は7桁の数字です。")
    return address


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


def _person(plan: Plan, data: dict[str, Any], atena_no: str, *, card_pending: bool = False) -> Snapshot:
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
    birth = _uncertain(
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
        if birth_sort is not None and birth_sort > _today():
            plan.error("person.birth_future", "生年月日が未来の日付です。", atena_no)
        else:
            _in_window(plan, DateKind.BIRTH, birth_sort, "生年月日", atena_no)
    sex = str(data.get("sex") or "")
    if sex not in Sex.values:
        plan.error("person.sex", "性別を選んでください。", atena_no)
    snap["sex"] = sex
    _relationship(plan, snap, data, atena_no)
    _honseki(plan, snap, data, japanese, atena_no)
    _numbers(plan, snap, data, atena_no)
    if not japanese:
        _foreign(plan, snap, data, atena_no, card_pending=card_pending)
    return snap


def _relationship(plan: Plan, snap: Snapshot, data: dict[str, Any], atena_no: str) -> None:
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
            day = _date(plan, expires, "在留期間の満了の日", kind=DateKind.STAY_EXPIRY, atena_no=atena_no)
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


def _reentry_checks(plan: Plan, snap: Snapshot, reentry_of: str = "") -> None:
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


def _reentry(plan: Plan, entered: dict[str, Any]) -> tuple[dict[str, Any], Resident | None]:
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


def _carry_over(snap: Snapshot, old: Resident) -> None:
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


# -- household rules ---------------------------------------------------------------------------


def _head_name(members: Iterable[Snapshot]) -> str:
    heads = [m for m in members if m.get("is_head")]
    return display_name(heads[0]) if heads else ""


def _set_household(members: list[Snapshot], household_no: str, address: dict[str, str] | None) -> None:
    head = _head_name(members)
    for snap in members:
        snap["household_no"] = household_no
        snap["head_name"] = head
        if address is not None:
            snap.update(address)


def _consequential(item: PlannedItem, reason: str) -> PlannedItem:
    """A change the movement makes to a person it does not move: the row carries its own
    事由 and is 職権 — never the 転出/死亡/転居 of the person who left (the history, 住基ネット
    and the linked systems see the change that happened to this person)."""
    item.snapshot.update(_reason=reason, _initiation=Initiation.EX_OFFICIO.value)
    return item


def _remaining_household(plan: Plan, household_no: str, leaving: set[str]) -> None:
    """4.0.4: members left behind by a 転出/死亡/転居/分離.  When the head leaves and one
    member remains, that member becomes head by 職権 (a 世帯主変更 row of her own); two or
    more get an alert (a household without head is allowed, 1.1.10, until a 世帯主変更 is
    entered) and a 職権修正 of their 世帯主氏名."""
    remaining = [m for m in _members(household_no) if m.atena_no not in leaving]
    if not remaining:
        return
    head_leaves = any(m.is_head for m in Resident.objects.filter(atena_no__in=leaving, household_no=household_no))
    if not head_leaves:
        return
    if len(remaining) == 1:
        item = _base(remaining[0])
        item.snapshot.update(is_head=True, relationship=HEAD, head_name=display_name(item.snapshot), family_of="")
        plan.items.append(_consequential(item, "head_change"))
        plan.alert(
            "household.head_by_ex_officio",
            f"残る世帯員 {remaining[0].name} を職権で世帯主とします（世帯主変更通知書）。",
            remaining[0].atena_no,
        )
        return
    for member in remaining:
        item = _base(member)
        item.snapshot["head_name"] = ""
        plan.items.append(_consequential(item, "ex_officio_correction"))
    plan.alert(
        "household.headless", "世帯主がいなくなります。先に世帯主変更を行うか、このまま世帯主不在として記録します。"
    )


# -- planners ----------------------------------------------------------------------------------


def plan_move_in(data: dict[str, Any]) -> Plan:
    """転入 (4.1.1): new persons into a new household, or joining an existing one."""
    reason = str(data.get("reason") or "domestic_move_in")
    plan = Plan("move_in", reason, str(data.get("initiation") or Initiation.NOTIFICATION))
    if reason not in ("domestic_move_in", "abroad_move_in"):
        plan.error("move_in.reason", "転入の異動事由は国内転入か国外転入等です。")
    _effective(plan, data, "転入日（住民となった日）")
    _notified(plan, data)
    persons = list(data.get("persons") or [])
    if not persons:
        plan.error("move_in.no_person", "転入者を1人以上入力してください。")
    previous = _previous_address(plan, data) if reason == "domestic_move_in" else {}
    household = data.get("household") or {"mode": "new"}
    joining = household.get("mode") == "join"
    existing: list[Resident] = []
    if joining:
        household_no = str(household.get("household_no") or "")
        existing = _members(household_no)
        if not existing:
            plan.error("household.not_found", "入る世帯が見つかりません（世帯番号を確認してください）。")
        address = {k: getattr(existing[0], k) for k in _ADDRESS_KEYS} if existing else {}
    else:
        household_no = plan.new_household_no()
        address = _address(plan, data.get("address") or {}, "住所")
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
        _reentry_checks(plan, snap, reentry_of)
        snaps.append(snap)
    heads = [s for s in snaps if s.get("is_head")]
    if joining:
        _heads_joining(plan, existing, heads)
        head_members = [snapshot_of(m) for m in existing] + snaps
        _set_household(snaps, household_no, address)
        for snap in snaps:
            snap["head_name"] = _head_name(head_members)
    else:
        if len(heads) > 1:
            plan.error("household.two_heads", "世帯主は1人だけです。")
        if not heads:
            plan.alert(
                "household.no_head", "世帯主がいない世帯として記録します（世帯主を続柄「世帯主」で入力できます）。"
            )
        _set_household(snaps, household_no, address)
    plan.items.extend(PlannedItem(s["atena_no"], bases.get(s["atena_no"]), s) for s in snaps)
    plan.households.add(household_no)
    return plan


def _previous_address(plan: Plan, data: dict[str, Any]) -> Snapshot:
    """転入前住所 of a 国内転入.  未届転入 (4.1.1.4, 4.2.1.1): the latest address where the person
    lived without notifying, shown with 「（未届）」 (``previous_address_unreported``), a 留意事項,
    and the 最終登録住所地 (the address of the last 住民票; not a 記載事項).  「不明」 is entered
    as the address when it is unknown."""
    entered = data.get("previous_address") or {}
    previous = _address(plan, entered, "転入前住所")
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
    data, old = _reentry(plan, entered)
    if old is not None and old.atena_no in bases:
        plan.error("move_in.reentry_twice", "同じ除票を2人の再転入に指定しています。", old.atena_no)
        old = None
    snap = _person(plan, data, old.atena_no if old else plan.new_atena_no())
    if old is None:
        return snap, ""
    _carry_over(snap, old)
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
            item = _base(member)
            item.snapshot["head_name"] = display_name(heads[0])
            plan.items.append(item)


def _selected(plan: Plan, data: dict[str, Any]) -> list[Resident]:
    atena_nos = [str(a) for a in data.get("atena_nos") or []]
    residents = [r for a in atena_nos if (r := _current(a)) is not None]
    if not atena_nos:
        plan.error("movement.no_person", "異動者を選んでください。")
    elif len(residents) != len(atena_nos):
        plan.error("movement.not_current", "現存する住民ではない方が含まれています。")
    households = {r.household_no for r in residents}
    if len(households) > 1:
        plan.error("movement.many_households", "一度に異動できるのは同じ世帯の方だけです。")
    plan.households.update(households)
    return residents


def plan_relocation(data: dict[str, Any]) -> Plan:
    """転居 (4.1.2): move within the city — the whole household, or some members into a new
    household or an existing one at the new address.  Moving to the same address (another
    dwelling at the same 地番) is a 転居 too (4.1.2.1)."""
    plan = Plan("relocation", "relocation", str(data.get("initiation") or Initiation.NOTIFICATION))
    _effective(plan, data, "転居日（住所を定めた日）")
    _notified(plan, data)
    movers = _selected(plan, data)
    if not movers:
        return plan
    household_no = movers[0].household_no
    everyone = _members(household_no)
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
        target = _members(target_no)
        if not target:
            plan.error("household.not_found", "入る世帯が見つかりません。")
            return plan
        address = {k: getattr(target[0], k) for k in _ADDRESS_KEYS}
        _relationships(plan, [s.snapshot for s in snaps], data, joining=True)
        _set_household([s.snapshot for s in snaps], target_no, address)
        for item in snaps:
            item.snapshot["head_name"] = _head_name([snapshot_of(m) for m in target])
        plan.households.add(target_no)
    else:
        address = _address(plan, destination.get("address") or {}, "転居先の住所")
        new_no = household_no if (whole and mode != "new") else plan.new_household_no()
        if new_no != household_no:
            _relationships(plan, [s.snapshot for s in snaps], data, joining=False)
        _set_household([s.snapshot for s in snaps], new_no, address)
        plan.households.add(new_no)
    plan.items.extend(snaps)
    if not whole:
        _remaining_household(plan, household_no, {m.atena_no for m in movers})
    return plan


def _relationships(plan: Plan, snaps: list[Snapshot], data: dict[str, Any], *, joining: bool) -> None:
    """Re-set 続柄 of members who form or join a household (4.1.4.2)."""
    entered = {str(k): str(v) for k, v in (data.get("relationships") or {}).items()}
    for snap in snaps:
        if snap["atena_no"] not in entered:
            plan.error(
                "household.relationship", f"{display_name(snap)} の新しい続柄を入力してください。", snap["atena_no"]
            )
            continue
        _relationship(plan, snap, {"relationship": entered[snap["atena_no"]]}, snap["atena_no"])
    heads = [s for s in snaps if s.get("is_head")]
    if joining and heads:
        plan.error("household.two_heads", "入る世帯には世帯主がいます。")
    if not joining and len(heads) != 1:
        plan.error("household.head_required", "新しい世帯の世帯主を1人決めてください。")


def plan_household_split(data: dict[str, Any]) -> Plan:
    """世帯分離 (4.1.4.1): members leave to form a new household at the same address."""
    plan = Plan("household_split", "household_split", str(data.get("initiation") or Initiation.NOTIFICATION))
    _effective(plan, data, "異動日")
    _notified(plan, data)
    movers = _selected(plan, data)
    if not movers:
        return plan
    household_no = movers[0].household_no
    if {m.atena_no for m in movers} == {m.atena_no for m in _members(household_no)}:
        plan.error("household.split_all", "世帯員全員は分離できません。")
        return plan
    new_no = plan.new_household_no()
    snaps = [PlannedItem(m.atena_no, m.history_no, snapshot_of(m)) for m in movers]
    _relationships(plan, [s.snapshot for s in snaps], data, joining=False)
    _set_household([s.snapshot for s in snaps], new_no, None)
    plan.items.extend(snaps)
    plan.households.add(new_no)
    _remaining_household(plan, household_no, {m.atena_no for m in movers})
    return plan


def plan_move_out(data: dict[str, Any]) -> Plan:
    """転出 (4.1.3): 転出予定日 may be after the 届出日; a 届出 more than 14 days after the move
    must be recorded by 職権 (4.1.3.0.1)."""
    reason = str(data.get("reason") or "domestic_move_out")
    initiation = str(data.get("initiation") or Initiation.NOTIFICATION)
    plan = Plan("move_out", reason, initiation)
    if reason not in ("domestic_move_out", "abroad_move_out"):
        plan.error("move_out.reason", "転出の異動事由は国内転出か国外転出です。")
    _effective(plan, data, "転出予定日（転出した日）", future_allowed=True)
    _notified(plan, data)
    if (
        plan.effective_sort
        and plan.notified_on
        and initiation == Initiation.NOTIFICATION
        and move_out_notified_late(plan.effective_sort, plan.notified_on)
    ):
        plan.error("move_out.late", "転出から14日を過ぎた届出は、届出ではなく職権で記録してください。")
    destination = _address(plan, data.get("destination") or {}, "転出先")
    movers = _selected(plan, data)
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
        _remaining_household(plan, movers[0].household_no, {m.atena_no for m in movers})
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


def plan_birth(data: dict[str, Any]) -> Plan:
    """出生 (4.2.1.2, 職権記載): a child born into a household; 本籍・筆頭者 quoted from the
    household (4.2.0.3) when not entered."""
    plan = Plan("birth", "birth", Initiation.EX_OFFICIO)
    household_no = str(data.get("household_no") or "")
    members = _members(household_no)
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
    _effective(plan, data, "出生日", uncertain=True)
    _notified(plan, data, "出生届の届出日")
    snap = _person(plan, person, plan.new_atena_no())
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
    address = {k: getattr(members[0], k) for k in _ADDRESS_KEYS}
    _set_household([snap], household_no, address)
    snap["head_name"] = _head_name([snapshot_of(m) for m in members])
    plan.items.append(PlannedItem(snap["atena_no"], None, snap))
    plan.households.add(household_no)
    return plan


def plan_death(data: dict[str, Any]) -> Plan:
    """死亡 (4.2.2.1, 職権消除).  The 異動日 may be an uncertain date (1.1.8)."""
    plan = Plan("death", "death", Initiation.EX_OFFICIO)
    _effective(plan, data, "死亡日", uncertain=True)
    _notified(plan, data, "死亡届の届出日")
    persons = _selected(plan, data)
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
        _remaining_household(plan, persons[0].household_no, {p.atena_no for p in persons})
    return plan


def plan_cancellation(data: dict[str, Any]) -> Plan:
    """異動の取消し (4.6): append rows that restore each person's state before the movement.
    Not possible while a later movement of the same person stands (cancel that one first)."""
    original = Movement.objects.filter(
        movement_no=str(data.get("movement_no") or ""), state=Movement.State.FINAL
    ).first()
    plan = Plan("cancellation", "cancel_amend", str(data.get("initiation") or Initiation.EX_OFFICIO))
    if original is None:
        plan.error("cancel.not_found", "取り消す異動（本登録済み）が見つかりません。")
        return plan
    plan.cancels = original
    plan.notified_on = _today()
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


def households_conflict(records: dict[str, Snapshot], household_nos: Iterable[str]) -> bool:
    """Whether writing ``records`` (宛名番号 -> snapshot) would leave one of the households
    inconsistent: more than one head, or a current member whose 世帯主氏名 or address differs
    from the others'.  A planned movement never does on the households it was planned on; a
    cancellation or an approval may, when a household has changed since."""
    for household_no in sorted(set(household_nos) - {""}):
        members = [snapshot_of(m) for m in _members(household_no) if m.atena_no not in records]
        members += [s for s in records.values() if s["household_no"] == household_no and s["status"] == Status.CURRENT]
        head = _head_name(members)
        if (
            sum(1 for m in members if m["is_head"]) > 1
            or any(m["head_name"] != head for m in members)
            or len({tuple(m[key] for key in _ADDRESS_KEYS) for m in members}) > 1
        ):
            return True
    return False


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


PLANNERS: dict[str, Callable[[dict[str, Any]], Plan]] = {
    "move_in": plan_move_in,
    "relocation": plan_relocation,
    "move_out": plan_move_out,
    "household_split": plan_household_split,
    "birth": plan_birth,
    "death": plan_death,
    "cancellation": plan_cancellation,
}


def lease_minutes() -> int:
    return int(getattr(settings, "JUMIN_EDIT_LEASE_MINUTES", 8 * 60))


def lease_expiry() -> Any:
    return timezone.now() + timedelta(minutes=lease_minutes())


PREPARERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""Steps run before the entering transaction opens (calls to national systems), by kind."""


def _register_more_planners() -> None:
    """The movements of the other planning modules (households, corrections, foreign residents,
    改製, numbers)."""
    from jumin.registry import (
        planning_corrections,
        planning_foreign,
        planning_households,
        planning_notices,
        planning_numbers,
        planning_program_items,
        planning_rebuild,
    )

    PLANNERS.update(
        household_merge=planning_households.plan_household_merge,
        household_change=planning_households.plan_household_change,
        head_change=planning_households.plan_head_change,
        correction=planning_corrections.plan_correction,
        disappearance=planning_corrections.plan_disappearance,
        ex_officio_removal=planning_corrections.plan_ex_officio_removal,
        former_surname=planning_corrections.plan_former_surname,
        alias=planning_corrections.plan_alias,
        article_30_46=planning_foreign.plan_article_30_46,
        article_30_47=planning_foreign.plan_article_30_47,
        naturalization=planning_foreign.plan_naturalization,
        nationality_acquisition=planning_foreign.plan_nationality_acquisition,
        nationality_loss=planning_foreign.plan_nationality_loss,
    )
    PLANNERS["rebuild"] = planning_rebuild.plan_rebuild
    PLANNERS[planning_notices.KIND] = planning_notices.plan_move_in_notice
    PLANNERS["resident_code"] = planning_numbers.plan_resident_code
    PLANNERS["individual_number"] = planning_numbers.plan_individual_number
    PREPARERS["individual_number"] = planning_numbers.prepare_individual_number
    PLANNERS["program_items"] = planning_program_items.plan_program_items


_register_more_planners()
