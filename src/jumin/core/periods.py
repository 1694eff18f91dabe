"""Legal periods (民法 第140条〜第143条 as applied by the registry's rules).

* A period of years ends on the day before the day that corresponds to its first day
  (応当日); when that month has no such day (2月29日), it ends on the last day of the month
  (民法143条2項).
* A period counted "from" an event excludes that day (初日不算入, 民法140条) unless the
  rule says otherwise; the 支援措置 period includes its start day.

The vectors of rules-and-vectors.md §6.4–§6.6 are the tests of this module.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

_ONE_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier); the month's last day when it has no such day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(first_day: date, *, years: int = 0, months: int = 0) -> date:
    """Last day of a period that starts on (and includes) ``first_day``."""
    total = years * 12 + months
    target_year, target_month = divmod(first_day.year * 12 + first_day.month - 1 + total, 12)
    target_month += 1
    if first_day.day > calendar.monthrange(target_year, target_month)[1]:
        return date(target_year, target_month, calendar.monthrange(target_year, target_month)[1])
    return add_months(first_day, total) - _ONE_DAY


# -- 支援措置 (spec 3.4) ----------------------------------------------------------------------


def support_measure_end(start: date) -> date:
    """A 支援措置 lasts one year including its start day: 2020-04-01 -> 2021-03-31."""
    return period_end(start, years=1)


def support_measure_extension_opens(end: date) -> date:
    """An extension can be processed from one month before the end of the period."""
    return add_months(end, -1)


def support_measure_extension(end: date) -> tuple[date, date]:
    """The extended period: one year from the day after the old end."""
    start = end + _ONE_DAY
    return start, support_measure_end(start)


# -- 除票 retention (施行令34条) ----------------------------------------------------------------


def removed_record_retention_until(removed_on: date, years: int = 150) -> date:
    """Last day a 除票 must be kept: 150 years from the day of 消除, the first day not
    counted.  2024-06-01 -> 2174-06-01 (deletable from 2174-06-02)."""
    return period_end(removed_on + _ONE_DAY, years=years)


def last_purgeable_day(today: date, years: int = 150) -> date:
    """The latest 消除 (or 修正) day D whose retention has ended by ``today``: D is kept to
    ``removed_record_retention_until(D)`` and may be deleted from the day after."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = date(today.year - years, 2, 28)
    day += timedelta(days=3)
    while removed_record_retention_until(day, years) >= today:
        day -= _ONE_DAY
    return day


# -- 特例転入 and late 転出 (法24条の2, spec 4.1.3.0.1) -------------------------------------------


def card_move_in_last_day(planned_move_out: date, moved_in: date) -> date:
    """Last day a 特例転入 can be notified: the earlier of 30 days after the planned
    move-out date and 14 days after the actual move-in."""
    return min(planned_move_out + timedelta(days=30), moved_in + timedelta(days=14))


def move_out_notified_late(moved_on: date, notified_on: date) -> bool:
    """A 転出届 made more than 14 days after the move must be recorded ex officio (職権)."""
    return notified_on > moved_on + timedelta(days=14)
