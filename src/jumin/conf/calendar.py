"""The municipality's business calendar: Japanese national holidays (jpholiday), weekends,
and the year-end closure (年末年始, 12月29日〜1月3日 by default; a setting)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import jpholiday
from django.conf import settings
from django.utils import timezone


def _in_year_end_closure(day: date) -> bool:
    (start_month, start_day), (end_month, end_day) = settings.JUMIN_YEAR_END_CLOSURE
    key = (day.month, day.day)
    return key >= (start_month, start_day) or key <= (end_month, end_day)


def is_closed_day(day: date) -> bool:
    """Weekend, national holiday (incl. substitute holidays) or year-end closure."""
    return day.weekday() >= 5 or bool(jpholiday.is_holiday(day)) or _in_year_end_closure(day)


def next_business_day(day: date) -> date:
    candidate = day + timedelta(days=1)
    while is_closed_day(candidate):
        candidate += timedelta(days=1)
    return candidate


def is_after_hours(moment: datetime) -> bool:
    """Outside the opening hours (JUMIN_BUSINESS_HOURS) or on a closed day, in local time."""
    local = timezone.localtime(moment)
    opening, closing = (time.fromisoformat(t) for t in settings.JUMIN_BUSINESS_HOURS)
    return is_closed_day(local.date()) or not (opening <= local.time() < closing)
