"""The accepted range of each kind of date (jumin.core.date_rules, issue 14)."""

from __future__ import annotations

from datetime import date

import pytest

from jumin.core.date_rules import (
    DEFAULT_WINDOWS,
    DateKind,
    Window,
    add_years,
    check_date,
    windows_from_config,
)
from jumin.core.errors import DomainError

TODAY = date(2026, 12, 1)

pytestmark = pytest.mark.spec("1.1.8", partial=True)


@pytest.mark.parametrize(
    ("kind", "earliest", "latest"),
    [
        (DateKind.BIRTH, date(1873, 1, 1), TODAY),
        (DateKind.EFFECTIVE, date(1873, 1, 1), TODAY),
        (DateKind.NOTIFIED, date(1967, 11, 10), TODAY),
        (DateKind.PLANNED_MOVE_OUT, date(1873, 1, 1), date(2027, 12, 1)),
        (DateKind.STAY_EXPIRY, date(2012, 7, 9), date(2031, 12, 1)),
        (DateKind.PROGRAM_ITEM, date(1873, 1, 1), date(2027, 12, 1)),
        (DateKind.CARD_EVENT, date(2003, 8, 25), TODAY),
        (DateKind.SUPPORT_MEASURE, date(1873, 1, 1), date(2028, 12, 1)),
        (DateKind.BLOCK, date(1873, 1, 1), date(2036, 12, 1)),
    ],
)
def test_default_windows_accept_their_bounds_and_refuse_beyond(kind: DateKind, earliest: date, latest: date) -> None:
    assert check_date(kind, earliest, TODAY) == earliest
    assert check_date(kind, latest, TODAY) == latest
    with pytest.raises(DomainError) as early:
        check_date(kind, date.fromordinal(earliest.toordinal() - 1), TODAY)
    assert early.value.code == "date.too_early"
    with pytest.raises(DomainError) as late:
        check_date(kind, date.fromordinal(latest.toordinal() + 1), TODAY)
    assert late.value.code == "date.too_late"


def test_messages_name_the_limit_in_wareki_never_the_value() -> None:
    with pytest.raises(DomainError) as early:
        check_date(DateKind.NOTIFIED, date(1, 1, 1), TODAY)
    assert early.value.message == "届出日は昭和42年11月10日以降の日付にしてください。"
    assert "0001" not in str(early.value)
    with pytest.raises(DomainError) as today_limit:
        check_date(DateKind.BIRTH, date(2027, 1, 1), TODAY, label="出生日")
    assert today_limit.value.message == "出生日は今日以前の日付にしてください。"
    with pytest.raises(DomainError) as ahead:
        check_date(DateKind.SUPPORT_MEASURE, date(9999, 12, 31), TODAY)
    assert ahead.value.message == "支援措置の日付は令和10年12月1日以前の日付にしてください。"


def test_add_years_moves_february_29_to_the_28th() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_configuration_overrides_one_window_and_keeps_the_others() -> None:
    windows = windows_from_config(
        {"planned_move_out": {"years_ahead": 2}, "notified": {"earliest": "1970-01-01"}, "block": {}}
    )
    assert windows[DateKind.PLANNED_MOVE_OUT] == Window(date(1873, 1, 1), 2)
    assert windows[DateKind.NOTIFIED] == Window(date(1970, 1, 1), 0)
    assert windows[DateKind.BIRTH] == DEFAULT_WINDOWS[DateKind.BIRTH]
    assert windows_from_config(None) == dict(DEFAULT_WINDOWS)
    assert check_date(DateKind.PLANNED_MOVE_OUT, date(2028, 12, 1), TODAY, windows) == date(2028, 12, 1)


@pytest.mark.parametrize(
    "config",
    [
        {"unknown": {"years_ahead": 1}},
        {"birth": {"earliest": "not a date"}},
        {"birth": {"years_ahead": "x"}},
        {"birth": {"years_ahead": -1}},
    ],
)
def test_bad_configuration_is_refused(config: dict[str, dict[str, str | int]]) -> None:
    with pytest.raises(DomainError) as error:
        windows_from_config(config)
    assert error.value.code == "date.bad_config"
