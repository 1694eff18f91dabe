"""Reading what was entered (dates, 異動日, 届出日, addresses) and the current rows the
movements start from; problems become issues of the plan."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from jumin.conf.domain import check_date, era_table
from jumin.core.date_rules import DateKind
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.core.uncertain_date import Calendar, Pattern, parse_uncertain_date
from jumin.registry.models import Resident, Status
from jumin.registry.planning.types import Plan, PlannedItem
from jumin.registry.snapshots import snapshot_of


def local_today() -> date:
    return timezone.localdate()


def entered_date(
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
    return day if in_window(plan, kind, day, label, atena_no) else None


def in_window(plan: Plan, kind: DateKind | None, day: date | None, label: str, atena_no: str = "") -> bool:
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


def entered_uncertain_date(
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


def read_effective(
    plan: Plan, data: dict[str, Any], label: str, *, future_allowed: bool = False, uncertain: bool = False
) -> None:
    """異動日 (4.0.3): required, in 和暦 (1.1.9); not after today except for 転出 (up to the
    window of 転出予定日)."""
    value = data.get("effective")
    parsed = entered_uncertain_date(plan, value, label, uncertain=uncertain)
    if parsed is None:
        return
    plan.effective_text, plan.effective_sort = parsed
    if not future_allowed and plan.effective_sort is not None and plan.effective_sort > local_today():
        plan.error("date.future", f"{label}は今日以前の日付にしてください。")
        return
    kind = DateKind.PLANNED_MOVE_OUT if future_allowed else DateKind.EFFECTIVE
    if not in_window(plan, kind, plan.effective_sort, label):
        plan.effective_sort = None


NOTIFIED_AFTER_EFFECTIVE = frozenset(
    {
        MovementKind.MOVE_IN,
        MovementKind.RELOCATION,
        MovementKind.HOUSEHOLD_SPLIT,
        MovementKind.HOUSEHOLD_MERGE,
        MovementKind.HOUSEHOLD_CHANGE,
        MovementKind.HEAD_CHANGE,
        MovementKind.ARTICLE_30_46,
        MovementKind.ARTICLE_30_47,
        MovementKind.BIRTH,
        MovementKind.DEATH,
        MovementKind.DISAPPEARANCE,
        MovementKind.NATURALIZATION,
        MovementKind.NATIONALITY_ACQUISITION,
        MovementKind.NATIONALITY_LOSS,
    }
)
"""Movements whose 届出・通知 follows the event (法22条〜25条, 30条の46・47, 戸籍法): a 届出日
before the 異動日 is an alert.  Not 転出, which is notified in advance (法24条)."""


def read_notified(plan: Plan, data: dict[str, Any], label: str = "届出日") -> None:
    """届出日 (4.1.0.2): default today, not after today, not before the law (core.date_rules);
    before the 異動日 an alert for the movements that are notified after the event."""
    value = data.get("notified_on")
    plan.notified_on = entered_date(plan, value, label) if value else local_today()
    if plan.notified_on is None:
        return
    if plan.notified_on > local_today():
        plan.error("date.future", f"{label}は今日以前の日付にしてください。")
    elif not in_window(plan, DateKind.NOTIFIED, plan.notified_on, label):
        plan.notified_on = None
    elif plan.kind in NOTIFIED_AFTER_EFFECTIVE and plan.effective_sort and plan.notified_on < plan.effective_sort:
        plan.alert(
            "date.notified_before_effective",
            f"{label}が異動日より前です。日付の誤りがないか確認してください。",
        )


def current_resident(atena_no: str) -> Resident | None:
    return Resident.objects.filter(atena_no=atena_no, status=Status.CURRENT).first()


def household_members(household_no: str) -> list[Resident]:
    return list(Resident.objects.filter(household_no=household_no, status=Status.CURRENT).order_by("atena_no"))


def base_item(resident: Resident) -> PlannedItem:
    return PlannedItem(resident.atena_no, resident.history_no, snapshot_of(resident))


ADDRESS_KEYS = ("address", "postcode", "address_code", "banchi", "katagaki")


def entered_address(plan: Plan, data: dict[str, Any], label: str) -> dict[str, str]:
    address = {key: str(data.get(key) or "").strip() for key in ADDRESS_KEYS}
    if not address["address"]:
        plan.error("input.required", f"{label}を入力してください。")
    if address["postcode"] and not (address["postcode"].isdigit() and len(address["postcode"]) == 7):
        plan.error("address.postcode", f"{label}の郵便番号は7桁の数字です。")
    return address


def selected_residents(plan: Plan, data: dict[str, Any]) -> list[Resident]:
    atena_nos = [str(a) for a in data.get("atena_nos") or []]
    residents = [r for a in atena_nos if (r := current_resident(a)) is not None]
    if not atena_nos:
        plan.error("movement.no_person", "異動者を選んでください。")
    elif len(residents) != len(atena_nos):
        plan.error("movement.not_current", "現存する住民ではない方が含まれています。")
    households = {r.household_no for r in residents}
    if len(households) > 1:
        plan.error("movement.many_households", "一度に異動できるのは同じ世帯の方だけです。")
    plan.households.update(households)
    return residents


def one_resident(plan: Plan, data: dict[str, Any]) -> Any:
    """The one current resident a movement is about (``atena_no``)."""
    resident = current_resident(str(data.get("atena_no") or ""))
    if resident is None:
        plan.error("movement.not_current", "現存する住民を指定してください。")
    else:
        plan.households.add(resident.household_no)
    return resident
