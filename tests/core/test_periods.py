"""Legal periods: the vectors of rules-and-vectors.md §6.4–§6.6."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.periods import (
    add_months,
    card_move_in_last_day,
    last_purgeable_day,
    move_out_notified_late,
    period_end,
    removed_record_retention_until,
    support_measure_end,
    support_measure_extension,
    support_measure_extension_opens,
)


@pytest.mark.spec("3.4", partial=True)
def test_support_measure_vectors() -> None:
    assert support_measure_end(date(2020, 4, 1)) == date(2021, 3, 31)
    assert support_measure_extension_opens(date(2021, 3, 31)) == date(2021, 2, 28)
    assert support_measure_extension(date(2021, 3, 31)) == (date(2021, 4, 1), date(2022, 3, 31))
    assert support_measure_end(date(2024, 2, 29)) == date(2025, 2, 28)


@pytest.mark.spec("1.1.5", partial=True)
def test_removed_record_retention_vectors() -> None:
    assert removed_record_retention_until(date(2024, 6, 1)) == date(2174, 6, 1)
    assert removed_record_retention_until(date(2024, 2, 29)) == date(2174, 2, 28)


@pytest.mark.spec("1.1.5", partial=True)
def test_last_purgeable_day_vectors() -> None:
    assert last_purgeable_day(date(2174, 6, 2)) == date(2024, 6, 1)
    assert last_purgeable_day(date(2174, 6, 1)) == date(2024, 5, 31)
    assert last_purgeable_day(date(2174, 3, 1)) == date(2024, 2, 29)
    assert last_purgeable_day(date(2028, 2, 29), years=4) == date(2024, 2, 28)
    # 29 February of a leap year, 150 years after a common year: counted from 28 February
    assert last_purgeable_day(date(2176, 2, 29)) == date(2026, 2, 27)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2500, 12, 31)), st.integers(min_value=1, max_value=150))
def test_last_purgeable_day_is_the_last_day_whose_retention_has_ended(today: date, years: int) -> None:
    day = last_purgeable_day(today, years)
    assert removed_record_retention_until(day, years) < today
    assert removed_record_retention_until(day + timedelta(days=1), years) >= today


def test_card_move_in_vectors() -> None:
    assert card_move_in_last_day(planned_move_out=date(2024, 4, 1), moved_in=date(2024, 4, 3)) == date(2024, 4, 17)
    assert card_move_in_last_day(planned_move_out=date(2024, 4, 1), moved_in=date(2024, 4, 25)) == date(2024, 5, 1)


@pytest.mark.spec("4.1.3.0.1", partial=True)
def test_late_move_out_notification() -> None:
    assert not move_out_notified_late(date(2024, 4, 1), date(2024, 4, 15))
    assert move_out_notified_late(date(2024, 4, 1), date(2024, 4, 16))


def test_month_arithmetic() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)
    assert period_end(date(2024, 1, 31), months=1) == date(2024, 2, 29)
    assert period_end(date(2024, 1, 15), months=1) == date(2024, 2, 14)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_consecutive_support_periods_leave_no_gap(start: date) -> None:
    end = support_measure_end(start)
    assert start < end
    assert 364 <= (end - start).days <= 365
    next_start, next_end = support_measure_extension(end)
    assert next_start == end + timedelta(days=1)
    assert next_end > next_start
