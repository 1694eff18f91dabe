"""The worker's timetable (jumin.core.schedule): parsing the schedule texts and when a job is due."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jumin.core.schedule import ScheduleError, is_due, parse

JST = ZoneInfo("Asia/Tokyo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


@pytest.mark.parametrize(
    ("text", "moment", "expected"),
    [
        ("every 60s", "2026-12-01T09:00:30", "2026-12-01T09:01:30"),
        ("every 5m", "2026-12-01T09:00:00", "2026-12-01T09:05:00"),
        ("every 2h", "2026-12-01T23:00:00", "2026-12-02T01:00:00"),
        ("hourly :05", "2026-12-01T09:04:59", "2026-12-01T09:05:00"),
        ("hourly :05", "2026-12-01T09:05:00", "2026-12-01T10:05:00"),
        ("hourly :05", "2026-12-31T23:30:00", "2027-01-01T00:05:00"),
        ("daily 02:30", "2026-12-01T02:29:00", "2026-12-01T02:30:00"),
        ("daily 02:30", "2026-12-01T02:30:00", "2026-12-02T02:30:00"),
        ("daily 02:30", "2026-12-31T03:00:00", "2027-01-01T02:30:00"),
        ("monthly 15 04:00", "2026-12-01T09:00:00", "2026-12-15T04:00:00"),
        ("monthly 1 04:00", "2026-11-30T12:00:00", "2026-12-01T04:00:00"),
        ("monthly 1 04:00", "2026-12-01T04:00:00", "2027-01-01T04:00:00"),
        ("monthly 28 04:00", "2026-05-28T05:00:00", "2026-06-28T04:00:00"),
        ("yearly 06-01 01:00", "2026-05-31T23:59:00", "2026-06-01T01:00:00"),
        ("yearly 06-01 01:00", "2026-06-01T01:00:00", "2027-06-01T01:00:00"),
        ("yearly 02-28 01:00", "2028-02-29T00:00:00", "2029-02-28T01:00:00"),
    ],
)
def test_the_next_slot_is_strictly_after_the_moment(text: str, moment: str, expected: str) -> None:
    assert parse(text).next_after(at(moment)) == at(expected)


def test_off_has_no_slot_and_is_never_due() -> None:
    off = parse("off")
    assert off.next_after(at("2026-12-01T09:00:00")) is None
    now = at("2026-12-01T09:00:00")
    assert not is_due(off, now=now, last_started=None, last_failed=False, since=now)
    assert not is_due(off, now=now, last_started=now - timedelta(days=9), last_failed=True, since=now)


def test_spaces_are_normalised_and_the_text_kept() -> None:
    schedule = parse("  daily   02:30 ")
    assert (schedule.kind, schedule.hour, schedule.minute, schedule.text) == ("daily", 2, 30, "daily 02:30")
    assert parse("every 3m").seconds == 180


@pytest.mark.parametrize(
    "text",
    [
        "",
        "every 0s",
        "every 5d",
        "every 1234567s",
        "hourly 05",
        "hourly :60",
        "daily 24:00",
        "daily 2:30",
        "monthly 29 04:00",
        "monthly 0 04:00",
        "yearly 13-01 01:00",
        "yearly 00-10 01:00",
        "weekly mon 01:00",
    ],
)
def test_texts_that_are_no_schedule_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError, match="is not a schedule"):
        parse(text)


@pytest.mark.parametrize("text", ["yearly 02-29 01:00", "yearly 04-31 01:00", "yearly 02-30 00:00"])
def test_a_yearly_day_must_exist_every_year(text: str) -> None:
    with pytest.raises(ScheduleError, match="is not a day of every year"):
        parse(text)


def test_an_interval_job_that_never_ran_runs_at_once() -> None:
    now = at("2026-12-01T09:00:00")
    assert is_due(parse("every 60s"), now=now, last_started=None, last_failed=False, since=now)


def test_a_calendar_job_that_never_ran_waits_for_its_first_slot_after_the_worker_started() -> None:
    daily = parse("daily 02:30")
    since = at("2026-12-01T09:00:00")
    assert not is_due(daily, now=at("2026-12-02T02:29:59"), last_started=None, last_failed=False, since=since)
    assert is_due(daily, now=at("2026-12-02T02:30:00"), last_started=None, last_failed=False, since=since)


def test_a_job_is_due_when_its_next_slot_after_the_last_start_has_come() -> None:
    every = parse("every 5m")
    last = at("2026-12-01T09:00:00")
    since = at("2026-12-01T08:00:00")
    assert not is_due(every, now=last + timedelta(minutes=4), last_started=last, last_failed=False, since=since)
    assert is_due(every, now=last + timedelta(minutes=5), last_started=last, last_failed=False, since=since)
    # slots missed while no worker ran are made up once: the next start is the new reference
    daily = parse("daily 02:30")
    assert is_due(daily, now=at("2026-12-05T12:00:00"), last_started=last, last_failed=False, since=since)
    assert not is_due(
        daily, now=at("2026-12-05T12:00:00"), last_started=at("2026-12-05T11:00:00"), last_failed=False, since=since
    )


def test_a_failed_run_is_due_again_at_the_next_tick() -> None:
    last = at("2026-12-01T02:30:00")
    now = last + timedelta(minutes=1)
    assert is_due(parse("yearly 06-01 01:00"), now=now, last_started=last, last_failed=True, since=last)
