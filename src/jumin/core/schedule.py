"""When a scheduled job is due: the timetable of ``jumin worker`` (docs/operations.md).

A schedule is written as text, so the operator can change it in a setting:

* ``every 60s`` / ``every 5m`` / ``every 2h`` — a fixed interval after the last run started;
* ``hourly :05`` — every hour at minute 5;
* ``daily 02:30`` — every day at 02:30;
* ``monthly 1 04:00`` — the first of every month at 04:00 (days 1–28 only);
* ``yearly 06-01 01:00`` — every 1 June at 01:00 (not 29 February);
* ``off`` — never.

Times are wall-clock times of the datetimes the caller passes (the worker passes local time,
Asia/Tokyo, which has no daylight saving).  A job is due when its next slot after the last
start has come; slots missed while no worker ran are made up once, not once per slot.  A job
whose last run failed is due again at once (the worker's next tick).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Kind = Literal["every", "hourly", "daily", "monthly", "yearly", "off"]

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("every", re.compile(r"every (?P<count>[1-9][0-9]{0,5})(?P<unit>[smh])")),
    ("hourly", re.compile(r"hourly :(?P<minute>[0-5][0-9])")),
    ("daily", re.compile(r"daily (?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])")),
    ("monthly", re.compile(r"monthly (?P<day>[1-9]|1[0-9]|2[0-8]) (?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])")),
    (
        "yearly",
        re.compile(
            r"yearly (?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01]) "
            r"(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])"
        ),
    ),
    ("off", re.compile(r"off")),
)
# The last day of each month in a common year: a yearly slot must exist every year.
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class ScheduleError(ValueError):
    """A schedule text that is not one of the forms above."""


@dataclass(frozen=True)
class Schedule:
    text: str
    kind: Kind
    seconds: int = 0
    month: int = 1
    day: int = 1
    hour: int = 0
    minute: int = 0

    def next_after(self, moment: datetime) -> datetime | None:
        """The first slot strictly after ``moment`` (None for ``off``)."""
        if self.kind == "off":
            return None
        if self.kind == "every":
            return moment + timedelta(seconds=self.seconds)
        slot = moment.replace(minute=self.minute, second=0, microsecond=0)
        if self.kind == "hourly":
            return slot if slot > moment else slot + timedelta(hours=1)
        slot = slot.replace(hour=self.hour)
        if self.kind == "daily":
            return slot if slot > moment else slot + timedelta(days=1)
        if self.kind == "monthly":
            slot = slot.replace(day=self.day)
            if slot > moment:
                return slot
            year, month = divmod(moment.year * 12 + moment.month, 12)  # the next month, 0-based
            return slot.replace(year=year, month=month + 1)
        slot = slot.replace(month=self.month, day=self.day)
        return slot if slot > moment else slot.replace(year=moment.year + 1)


def parse(text: str) -> Schedule:
    """The schedule written as ``text`` (see the module docstring); ScheduleError otherwise."""
    written = " ".join(text.split())
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(written)
        if match is None:
            continue
        parts = match.groupdict()
        if kind == "every":
            return Schedule(written, kind, seconds=int(parts["count"]) * _UNIT_SECONDS[parts["unit"]])
        month, day = int(parts.get("month") or 1), int(parts.get("day") or 1)
        if day > _MONTH_DAYS[month - 1]:
            raise ScheduleError(f"{written!r}: {month}月{day}日 is not a day of every year")
        return Schedule(
            written,
            kind,
            month=month,
            day=day,
            hour=int(parts.get("hour") or 0),
            minute=int(parts.get("minute") or 0),
        )
    raise ScheduleError(
        f"{written!r} is not a schedule (every 60s|5m|2h, hourly :MM, daily HH:MM, "
        "monthly D HH:MM, yearly MM-DD HH:MM, off)"
    )


def is_due(
    schedule: Schedule, *, now: datetime, last_started: datetime | None, last_failed: bool, since: datetime
) -> bool:
    """Whether a job on ``schedule`` should run at ``now``.

    ``last_started`` is when its last run began (None: it never ran), ``last_failed`` whether
    that run failed (or was cut off), ``since`` when the worker began watching it.  A job that
    never ran waits for its first slot after ``since``, except an interval job, which runs at
    once; a failed run is tried again at once."""
    if schedule.kind == "off":
        return False
    if last_started is None:
        if schedule.kind == "every":
            return True
        last_started = since
    elif last_failed:
        return True
    slot = schedule.next_after(last_started)
    assert slot is not None  # only "off" has no slot
    return slot <= now
