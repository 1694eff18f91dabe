"""The accepted range of each kind of date the register takes in (issue 14, spec 1.1.8/1.1.9).

A date outside its window is refused (``date.too_early`` / ``date.too_late``): it cannot be
meant, and a date like 0001-01-01 breaks what is computed from it later (ages, periods, 和暦
display).  The defaults come from the law and the standard:

* 生年月日, 異動日 — from 1873-01-01 (明治6年1月1日, the Gregorian calendar; earlier 戸籍
  dates are lunisolar and kept as text by :mod:`jumin.core.uncertain_date`) to today.
* 届出日 — from 1967-11-10 (住民基本台帳法 施行, 昭和42年法律第81号) to today: no 届出 under
  the law can be older than the law.
* 転出予定日 — up to one year ahead ([U]: the law sets no limit; a 転出届 is made in advance,
  a year covers every real case).
* 在留期間の満了日 — from 2012-07-09 (the new residence management system, 外国人住民 in the
  register) to five years ahead (the longest 在留期間 is 5年, 入管法施行規則 別表第二).
* 個別事項 dates — up to one year ahead.
* カードの事象 (交付・返納・失効…) — from 2003-08-25 (住基カード 交付開始) to today.
* 支援措置 — up to two years ahead (a period is one year; a transfer may start the next one).
* 抑止 — up to ten years ahead.

Each window may be overridden by configuration (:func:`windows_from_config`).  Error
messages name the limit, never the rejected value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from jumin.core.errors import DomainError
from jumin.core.wareki import format_wareki

GREGORIAN_CALENDAR_START = date(1873, 1, 1)
"""明治6年1月1日: the first day of the Gregorian calendar in Japan (明治5年太政官布告第337号)."""

JUMIN_ACT_IN_FORCE = date(1967, 11, 10)
"""住民基本台帳法 (昭和42年法律第81号) 施行の日."""

RESIDENCE_MANAGEMENT_START = date(2012, 7, 9)
"""改正住民基本台帳法 施行: 外国人住民 enter the register, 在留カード."""

CARD_ISSUE_START = date(2003, 8, 25)
"""住民基本台帳カード 交付開始 (第二次稼働)."""


class DateKind(StrEnum):
    """The kinds of date with their own window.  Values are the configuration keys."""

    BIRTH = "birth"
    EFFECTIVE = "effective"
    NOTIFIED = "notified"
    PLANNED_MOVE_OUT = "planned_move_out"
    STAY_EXPIRY = "stay_expiry"
    PROGRAM_ITEM = "program_item"
    CARD_EVENT = "card_event"
    SUPPORT_MEASURE = "support_measure"
    BLOCK = "block"


LABELS: Mapping[DateKind, str] = {
    DateKind.BIRTH: "生年月日",
    DateKind.EFFECTIVE: "異動日",
    DateKind.NOTIFIED: "届出日",
    DateKind.PLANNED_MOVE_OUT: "転出予定日",
    DateKind.STAY_EXPIRY: "在留期間の満了の日",
    DateKind.PROGRAM_ITEM: "個別事項の日付",
    DateKind.CARD_EVENT: "カードの日付",
    DateKind.SUPPORT_MEASURE: "支援措置の日付",
    DateKind.BLOCK: "抑止の日付",
}


@dataclass(frozen=True)
class Window:
    """``earliest`` (inclusive) to today + ``years_ahead`` years (inclusive)."""

    earliest: date
    years_ahead: int = 0

    def latest(self, today: date) -> date:
        return add_years(today, self.years_ahead)


DEFAULT_WINDOWS: Mapping[DateKind, Window] = {
    DateKind.BIRTH: Window(GREGORIAN_CALENDAR_START),
    DateKind.EFFECTIVE: Window(GREGORIAN_CALENDAR_START),
    DateKind.NOTIFIED: Window(JUMIN_ACT_IN_FORCE),
    DateKind.PLANNED_MOVE_OUT: Window(GREGORIAN_CALENDAR_START, 1),
    DateKind.STAY_EXPIRY: Window(RESIDENCE_MANAGEMENT_START, 5),
    DateKind.PROGRAM_ITEM: Window(GREGORIAN_CALENDAR_START, 1),
    DateKind.CARD_EVENT: Window(CARD_ISSUE_START),
    DateKind.SUPPORT_MEASURE: Window(GREGORIAN_CALENDAR_START, 2),
    DateKind.BLOCK: Window(GREGORIAN_CALENDAR_START, 10),
}


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 2月29日 becomes 2月28日 in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def windows_from_config(config: Mapping[str, Mapping[str, str | int]] | None) -> dict[DateKind, Window]:
    """The default windows with the configured ones replacing them, e.g.
    ``{"notified": {"earliest": "1967-11-10", "years_ahead": 0}}``."""
    windows = dict(DEFAULT_WINDOWS)
    for key, values in (config or {}).items():
        try:
            kind = DateKind(key)
        except ValueError:
            raise DomainError("date.bad_config", "日付の範囲の設定に知らない項目があります。") from None
        window = windows[kind]
        try:
            if "earliest" in values:
                window = replace(window, earliest=date.fromisoformat(str(values["earliest"])))
            if "years_ahead" in values:
                window = replace(window, years_ahead=int(values["years_ahead"]))
        except ValueError:
            raise DomainError("date.bad_config", f"{LABELS[kind]}の範囲の設定が正しくありません。") from None
        if window.years_ahead < 0:
            raise DomainError("date.bad_config", f"{LABELS[kind]}の範囲の設定が正しくありません。")
        windows[kind] = window
    return windows


def check_date(
    kind: DateKind,
    day: date,
    today: date,
    windows: Mapping[DateKind, Window] | None = None,
    *,
    label: str | None = None,
) -> date:
    """Return ``day`` when it lies in the window of ``kind``; else a DomainError that names
    the limit (in 和暦), never the value."""
    window = (windows or DEFAULT_WINDOWS)[kind]
    name = label or LABELS[kind]
    if day < window.earliest:
        raise DomainError("date.too_early", f"{name}は{format_wareki(window.earliest)}以降の日付にしてください。")
    latest = window.latest(today)
    if day > latest:
        limit = "今日" if window.years_ahead == 0 else format_wareki(latest)
        raise DomainError("date.too_late", f"{name}は{limit}以前の日付にしてください。")
    return day
