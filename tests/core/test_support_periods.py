"""The 支援措置 period as the officer sees it (spec 3.4; rules-and-vectors.md §6.4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.errors import DomainError
from jumin.core.support_periods import (
    Phase,
    alert,
    can_extend,
    check_period,
    default_end,
    extended,
    phase,
    status,
)

R2_4_1, R3_3_31 = date(2020, 4, 1), date(2021, 3, 31)


@pytest.mark.spec("3.4", partial=True)
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2020, 4, 1), date(2021, 3, 31)),  # R2.4.1 -> R3.3.31 (the spec's example)
        (date(2024, 2, 29), date(2025, 2, 28)),  # no 2月29日 in the last year: month end
        (date(2023, 3, 1), date(2024, 2, 29)),
        (date(2020, 1, 1), date(2020, 12, 31)),
    ],
)
def test_default_end(start: date, end: date) -> None:
    assert default_end(start) == end


@pytest.mark.spec("3.4", partial=True)
@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2020, 3, 31), Phase.NOT_STARTED),
        (date(2020, 4, 1), Phase.RUNNING),
        (date(2021, 2, 27), Phase.RUNNING),
        (date(2021, 2, 28), Phase.ENDING_SOON),  # one month before the end: window opens
        (date(2021, 3, 31), Phase.ENDING_SOON),
        (date(2021, 4, 1), Phase.ENDED),
        (date(2030, 1, 1), Phase.ENDED),
    ],
)
def test_phase(today: date, expected: Phase) -> None:
    assert phase(R2_4_1, R3_3_31, today) is expected


@pytest.mark.spec("3.4", partial=True)
def test_alerts_in_the_last_month_and_after_the_end() -> None:
    assert alert(R2_4_1, R3_3_31, date(2020, 10, 1)) is None
    assert alert(R2_4_1, R3_3_31, date(2020, 3, 1)) is None
    assert "1か月を切って" in (alert(R2_4_1, R3_3_31, date(2021, 3, 1)) or "")
    assert "経過" in (alert(R2_4_1, R3_3_31, date(2021, 4, 1)) or "")


@pytest.mark.spec("3.4", partial=True)
@pytest.mark.parametrize(
    ("today", "allowed"),
    [(date(2021, 2, 27), False), (date(2021, 2, 28), True), (date(2021, 3, 31), True), (date(2021, 6, 1), True)],
)
def test_extension_window(today: date, allowed: bool) -> None:
    assert can_extend(R3_3_31, today) is allowed
    if allowed:
        assert extended(R3_3_31, today) == (date(2021, 4, 1), date(2022, 3, 31))
    else:
        with pytest.raises(DomainError) as error:
            extended(R3_3_31, today)
        assert error.value.code == "support_measure.extension_too_early"


def test_end_date_is_editable_but_not_before_the_start() -> None:
    check_period(R2_4_1, R2_4_1)
    check_period(R2_4_1, date(2021, 6, 30))
    with pytest.raises(DomainError) as error:
        check_period(R2_4_1, date(2020, 3, 31))
    assert error.value.code == "support_measure.end_before_start"


@pytest.mark.spec("3.4", partial=True)
@pytest.mark.parametrize(
    ("today", "terminated", "protected", "has_alert", "label"),
    [
        (date(2020, 5, 1), False, True, False, "期間中"),
        (date(2021, 3, 15), False, True, True, "期間終了間近"),
        (date(2022, 1, 1), False, True, True, "期間経過（終了処理前）"),  # the end date lifts nothing
        (date(2022, 1, 1), True, False, False, "期間経過（終了処理前）"),
        (date(2020, 3, 1), False, True, False, "開始前"),
    ],
)
def test_status(today: date, terminated: bool, protected: bool, has_alert: bool, label: str) -> None:
    result = status(R2_4_1, R3_3_31, today, terminated=terminated)
    assert result.protected is protected
    assert (result.alert is not None) is has_alert
    assert result.label == label


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=3000),
)
def test_protection_never_ends_by_date(start: date, days_later: int) -> None:
    end = default_end(start)
    today = start + timedelta(days=days_later)
    assert status(start, end, today, terminated=False).protected
    assert not status(start, end, today, terminated=True).protected


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_phases_follow_each_other(start: date) -> None:
    end = default_end(start)
    phases = [phase(start, end, start + timedelta(days=d)) for d in range(-1, 400)]
    order = [Phase.NOT_STARTED, Phase.RUNNING, Phase.ENDING_SOON, Phase.ENDED]
    assert [order.index(p) for p in phases] == sorted(order.index(p) for p in phases)
    assert set(phases) == set(order)
    # the extension window opens exactly when the last month begins, and the new period
    # follows the old one without a gap
    first_soon = start + timedelta(days=phases.index(Phase.ENDING_SOON) - 1)
    assert not can_extend(end, first_soon - timedelta(days=1)) and can_extend(end, first_soon)
    new_start, new_end = extended(end, first_soon)
    assert new_start == end + timedelta(days=1) and new_end == default_end(new_start)
