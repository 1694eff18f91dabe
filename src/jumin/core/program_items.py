"""個別事項 (program items) of a 住民票: 住基法7条9号〜11号の2 and spec 1.1.1 / 7.2.2.

What each program keeps, as stored in ``program_items`` (JSON, dates ISO ``YYYY-MM-DD``,
months ``YYYY-MM``, an absent program = nothing recorded):

=================  ===============================  ==============================================
key                program                          fields
=================  ===============================  ==============================================
``elector``        選挙人名簿登録の有無 (7条9号)    ``registered`` (bool)
``nhi``            国民健康保険 (7条10号)           ``insured``, ``acquired_on``, ``lost_on``
``late_elderly``   後期高齢者医療 (7条10号の2)      ``insured``, ``acquired_on``, ``lost_on``
``long_term_care`` 介護保険 (7条10号の3)            ``insured``, ``acquired_on``, ``lost_on``
``pension``        国民年金 (7条11号)               ``insured``, ``acquired_on``, ``lost_on``,
                                                    ``basic_pension_no`` (10 digits),
                                                    ``category`` (1 / 3 / voluntary),
                                                    ``category_changed_on``
``child_allowance`` 児童手当 (7条11号の2)           ``start_month``, ``end_month``
=================  ===============================  ==============================================

Rules (errors, with stable codes and Japanese messages): an insured person has a 資格取得日 and
no 喪失日; a 喪失日 needs a 取得日 on or before it; a 国民年金 被保険者 has a 種別; a
種別変更日 is not before the 取得日; the 基礎年金番号 has 10 digits (hyphens and spaces are
dropped); 児童手当 ends in or after the month it started.  The 基礎年金番号 is a number that
needs the same care as the 個人番号 on screens (masked without the capability) — see
``SENSITIVE``.

This module is pure: it takes values already read from a form or a linked system (dates as
ISO text or :class:`datetime.date`) and returns the normalised dict, or raises
:class:`~jumin.core.errors.DomainError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from jumin.core.errors import DomainError


@dataclass(frozen=True)
class Program:
    key: str
    label: str
    shape: str  # "registration" | "coverage" | "pension" | "allowance"


PROGRAMS: tuple[Program, ...] = (
    Program("elector", "選挙人名簿登録", "registration"),
    Program("nhi", "国民健康保険", "coverage"),
    Program("late_elderly", "後期高齢者医療", "coverage"),
    Program("long_term_care", "介護保険", "coverage"),
    Program("pension", "国民年金", "pension"),
    Program("child_allowance", "児童手当", "allowance"),
)
BY_KEY: dict[str, Program] = {p.key: p for p in PROGRAMS}
PENSION_CATEGORIES: dict[str, str] = {"1": "第1号被保険者", "3": "第3号被保険者", "voluntary": "任意加入被保険者"}
SENSITIVE = ("basic_pension_no",)  # masked like the 個人番号 for operators without the capability

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FIELDS: dict[str, tuple[str, ...]] = {
    "registration": ("registered",),
    "coverage": ("insured", "acquired_on", "lost_on"),
    "pension": ("insured", "acquired_on", "lost_on", "basic_pension_no", "category", "category_changed_on"),
    "allowance": ("start_month", "end_month"),
}


def _error(code: str, message: str) -> DomainError:
    return DomainError(f"program_items.{code}", message)


def _day(value: Any, label: str) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _error("bad_date", f"{label}を日付として読み取れません。") from None


def _month(value: Any, label: str) -> str:
    if value in (None, ""):
        return ""
    match = _MONTH.match(str(value).strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise _error("bad_month", f"{label}は年月（例: 2024-04）で入力してください。")
    return match.group(0)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _coverage(raw: Mapping[str, Any], label: str) -> dict[str, Any]:
    insured = _flag(raw.get("insured"))
    acquired = _day(raw.get("acquired_on"), f"{label}の資格取得日")
    lost = _day(raw.get("lost_on"), f"{label}の資格喪失日")
    if insured and not acquired:
        raise _error("acquired_required", f"{label}の資格取得日を入力してください。")
    if insured and lost:
        raise _error("insured_but_lost", f"{label}の資格喪失日があるときは「資格あり」にできません。")
    if lost and not acquired:
        raise _error("lost_without_acquired", f"{label}の資格喪失日には資格取得日が必要です。")
    if lost and lost < acquired:
        raise _error("lost_before_acquired", f"{label}の資格喪失日が資格取得日より前です。")
    return {"insured": insured, "acquired_on": acquired, "lost_on": lost}


def _pension(raw: Mapping[str, Any], label: str) -> dict[str, Any]:
    values = _coverage(raw, label)
    number = re.sub(r"[\s\-‐－ー]", "", str(raw.get("basic_pension_no") or ""))
    if number and (len(number) != 10 or not number.isascii() or not number.isdigit()):
        raise _error("bad_basic_pension_no", "基礎年金番号は10桁の数字で入力してください。")
    category = str(raw.get("category") or "")
    if category and category not in PENSION_CATEGORIES:
        raise _error("bad_category", "国民年金の種別は第1号・第3号・任意加入から選んでください。")
    if values["insured"] and not category:
        raise _error("category_required", "国民年金の被保険者には種別を入力してください。")
    changed = _day(raw.get("category_changed_on"), "国民年金の種別変更日")
    if changed and values["acquired_on"] and changed < values["acquired_on"]:
        raise _error("category_changed_before_acquired", "国民年金の種別変更日が資格取得日より前です。")
    return {**values, "basic_pension_no": number, "category": category, "category_changed_on": changed}


def _allowance(raw: Mapping[str, Any], label: str) -> dict[str, Any]:
    start = _month(raw.get("start_month"), f"{label}の受給開始年月")
    end = _month(raw.get("end_month"), f"{label}の受給終了年月")
    if end and not start:
        raise _error("end_without_start", f"{label}の受給終了年月には受給開始年月が必要です。")
    if end and end < start:
        raise _error("end_before_start", f"{label}の受給終了年月が受給開始年月より前です。")
    return {"start_month": start, "end_month": end}


def clean_program(key: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """One program's values, checked and normalised."""
    program = BY_KEY.get(key)
    if program is None:
        raise _error("unknown", f"個別事項「{key}」はありません。")
    unknown = set(raw) - set(_FIELDS[program.shape])
    if unknown:
        raise _error("unknown_field", f"{program.label}にない項目があります: {', '.join(sorted(unknown))}")
    if program.shape == "registration":
        return {"registered": _flag(raw.get("registered"))}
    if program.shape == "coverage":
        return _coverage(raw, program.label)
    if program.shape == "pension":
        return _pension(raw, program.label)
    return _allowance(raw, program.label)


def clean_program_items(raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every program of ``raw`` checked (unknown programs refused), in the order of PROGRAMS."""
    unknown = set(raw) - set(BY_KEY)
    if unknown:
        raise _error("unknown", f"個別事項にない項目があります: {', '.join(sorted(unknown))}")
    return {p.key: clean_program(p.key, raw[p.key]) for p in PROGRAMS if raw.get(p.key) is not None}


def apply_changes(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The program items after ``changes``: a program given replaces the recorded one whole,
    ``None`` removes it (記載の削除), a program not named stays as it is."""
    merged: dict[str, Any] = {k: v for k, v in current.items() if k in BY_KEY}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return clean_program_items(merged)
