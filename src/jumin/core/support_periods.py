"""The period of a 支援措置 (DV等支援措置, standard spec 3.4) as the officer's screens see it.

The date arithmetic is :mod:`jumin.core.periods` (one year including the start day,
R2.4.1 → R3.3.31; the extension window opens one month before the end; an extension runs
one year from the day after the old end).  This module adds what the register does with
those dates:

* the **phase** of a period on a given day: not started, running, in its last month (the
  extension window is open: alert on viewing), or past its end (alert: "period ended");
* whether an extension may be processed now, and the extended period;
* whether an end date the officer typed is acceptable (the end date is editable);
* **the end date never lifts protection by itself**: a measure protects until an officer
  terminates it (on request, at expiry, or because it is no longer needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from jumin.core.errors import DomainError
from jumin.core.periods import support_measure_end, support_measure_extension, support_measure_extension_opens


class Phase(Enum):
    NOT_STARTED = "not_started"  # start date in the future
    RUNNING = "running"
    ENDING_SOON = "ending_soon"  # last month: extension window open, alert on viewing
    ENDED = "ended"  # end date passed without extension: alert, still protected


PHASE_LABELS = {
    Phase.NOT_STARTED: "開始前",
    Phase.RUNNING: "期間中",
    Phase.ENDING_SOON: "期間終了間近",
    Phase.ENDED: "期間経過（終了処理前）",
}


def default_end(start: date) -> date:
    """The end date proposed for a new measure: one year including the start day."""
    return support_measure_end(start)


def phase(start: date, end: date, today: date) -> Phase:
    if today < start:
        return Phase.NOT_STARTED
    if today > end:
        return Phase.ENDED
    if today >= support_measure_extension_opens(end):
        return Phase.ENDING_SOON
    return Phase.RUNNING


def alert(start: date, end: date, today: date) -> str | None:
    """The alert shown when the record is viewed (3.4), or None."""
    current = phase(start, end, today)
    if current is Phase.ENDING_SOON:
        return "支援措置の期間終了まで1か月を切っています。延長の申出の有無を確認してください。"
    if current is Phase.ENDED:
        return "支援措置の期間が経過しています（支援措置は継続中です）。延長または終了の処理をしてください。"
    return None


def can_extend(end: date, today: date) -> bool:
    """An extension may be processed from one month before the end (also after the end:
    the measure protects until it is terminated)."""
    return today >= support_measure_extension_opens(end)


def extended(end: date, today: date) -> tuple[date, date]:
    """The new period (one year from the day after ``end``); refused before the window opens."""
    if not can_extend(end, today):
        raise DomainError("support_measure.extension_too_early", "延長の処理は期間終了日の1か月前の日からできます。")
    return support_measure_extension(end)


def check_period(start: date, end: date) -> None:
    """An end date typed by the officer must not lie before the start date."""
    if end < start:
        raise DomainError("support_measure.end_before_start", "終了日が開始日より前になっています。")


@dataclass(frozen=True)
class PeriodStatus:
    phase: Phase
    protected: bool
    alert: str | None

    @property
    def label(self) -> str:
        return PHASE_LABELS[self.phase]


def status(start: date, end: date, today: date, *, terminated: bool) -> PeriodStatus:
    """Where a measure stands today.  ``protected`` depends on ``terminated`` alone: the
    end date passing does not lift the protection (3.1, 3.4)."""
    current = phase(start, end, today)
    return PeriodStatus(current, not terminated, None if terminated else alert(start, end, today))
