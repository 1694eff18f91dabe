"""The statistics readers: aggregates of the register computed from the history rows.

Nothing here names a person: every answer is a count.  The register is read through SQL
aggregation (``GROUP BY``) that runs the same on SQLite and PostgreSQL, over the history rows of
the main tables and of the 除票DB (``ArchivedHistory``), so that a date years back is counted
with the persons archived since.

**The date of a row** (異動日): ``effective_sort``, or the 処理日 of a row without one (修正).

**The register as of a day D** is, for each person, the row with the highest 履歴番号 among their
rows dated on or before D; the person counts when that row is 現存.  So a 転出予定 whose
date is after D still counts on D, a 転入 notified late counts from its 異動日, and a movement
that was cancelled (異動の取消し copies the cancelled 異動日) disappears from D on.

**The movements of a period** are the rows dated in it, by their own 異動事由 (a 世帯主's 転出
is a 国内転出 row, the member who stays gets a 世帯主変更 row).  For every period and every day
the identity 期首人口 + 記載 − 消除 = 期末人口 holds by construction of both.

**世帯数の増減**: the rows of the period are replayed in date order (a person's superseded
rows ignored, as in the as-of rule) over the state of the households they touch; a household
that gets its first 現存 member is a 世帯増, one that loses its last is a 世帯減, counted
under the 異動事由 of the rows that moved into (増) or out of (減) it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import DatabaseError, connection

from jumin.accounts.principal import Principal
from jumin.api_base import PermissionDeniedError
from jumin.core.errors import DomainError
from jumin.core.reasons import REASONS
from jumin.core.statistics import (
    FOREIGN,
    JAPANESE,
    NOT_COUNTED,
    UNKNOWN_AGE,
    Cells,
    age_on,
)
from jumin.registry.models import ArchivedHistory, ResidentHistory

CAPABILITY = "accounts.run_batch"
MIXED = "mixed"  # a household of Japanese and foreign residents (複数国籍世帯)
_CHUNK = 500
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def require_statistics(principal: Principal) -> None:
    if not principal.has_perm(CAPABILITY):
        raise PermissionDeniedError(CAPABILITY)


def check_day(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise DomainError(
            "statistics.day_out_of_range", "基準日・期間は明治33年から2200年までの日付で指定してください。"
        )
    return day


def check_period(start: date, end: date) -> tuple[date, date]:
    check_day(start)
    check_day(end)
    if end < start:
        raise DomainError("statistics.period_reversed", "期間の終わりが始まりより前です。")
    return start, end


_COLUMNS = (
    "atena_no",
    "history_no",
    "status",
    "nationality_kind",
    "sex",
    "birth_sort",
    "address",
    "address_code",
    "household_no",
    "nationality",
    "reason",
    "effective_sort",
    "processed_on",
    "recorded_at",
)


def _rows_sql() -> str:
    """Every history row, main tables and 除票DB, with its date ``ev``."""
    cols = ", ".join(_COLUMNS)
    parts = [
        f"SELECT {cols}, COALESCE(effective_sort, processed_on) AS ev FROM {model._meta.db_table}"  # noqa: S608  # nosec B608
        for model in (ResidentHistory, ArchivedHistory)
    ]
    return " UNION ALL ".join(parts)


STATE_TABLE = "jumin_statistics_state"


def _as_of_sql() -> str:
    """The 現存 rows of the register as of the day bound to the parameter: each person's row
    with the highest 履歴番号 among those dated on or before it (one pass with a window
    function: no self-join, so no plan depends on the table statistics being fresh)."""
    cols = "atena_no, status, nationality_kind, sex, birth_sort, address, address_code, household_no, nationality"
    return (
        f"SELECT {cols} FROM (SELECT {cols}, "  # noqa: S608  # nosec B608
        "ROW_NUMBER() OVER (PARTITION BY atena_no ORDER BY history_no DESC) AS rn "
        f"FROM ({_rows_sql()}) x WHERE ev <= %s) y WHERE rn = 1 AND status = 'current'"
    )


@contextmanager
def _state(day: date) -> Iterator[str]:
    """The register as of ``day`` in a temporary table of this connection (dropped after), so
    that the several aggregates of one report read it once."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STATE_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STATE_TABLE} AS {_as_of_sql()}", [_day_param(day)])
    try:
        yield STATE_TABLE
    finally:
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STATE_TABLE}")


def _day_param(day: date) -> date | str:
    # SQLite compares the ISO text of dates; PostgreSQL takes the date.
    return day.isoformat() if connection.vendor == "sqlite" else day


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def _date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# -- population as of a day --------------------------------------------------------------------


@dataclass
class Area:
    address: str
    address_code: str
    persons: Cells = field(default_factory=Cells)
    households: Counter[str] = field(default_factory=Counter)  # japanese / foreign / mixed

    @property
    def household_total(self) -> int:
        return sum(self.households.values())


@dataclass
class Population:
    as_of: date
    age_day: date
    areas: list[Area]
    ages: dict[int, Cells]  # full years (UNKNOWN_AGE for 不詳) → counts
    nationalities: dict[str, Cells]  # 国籍・地域 of foreign residents → counts (kind = foreign)
    total: Cells
    households: Counter[str]

    @property
    def household_total(self) -> int:
        return sum(self.households.values())


def population(as_of: date, age_day: date | None = None) -> Population:
    """Population and households of the register as of the end of ``as_of``, by 町字・丁目, by
    age on ``age_day`` (default ``as_of``), by sex, 日本人/外国人 and 国籍 (foreign residents)."""
    check_day(as_of)
    age_day = age_day or as_of
    with _state(as_of) as state:
        return _population(state, as_of, age_day)


def _population(state: str, as_of: date, age_day: date) -> Population:
    areas: dict[tuple[str, str], Area] = {}
    total = Cells()
    for code, address, kind, sex, number in _fetch(
        f"SELECT address_code, address, nationality_kind, sex, COUNT(*) FROM {state} s "  # noqa: S608  # nosec B608
        "GROUP BY address_code, address, nationality_kind, sex",
        [],
    ):
        area = areas.setdefault((str(code), str(address)), Area(str(address), str(code)))
        area.persons.add(str(kind), str(sex), int(str(number)))
        total.add(str(kind), str(sex), int(str(number)))
    households: Counter[str] = Counter()
    for code, address, low, high, number in _fetch(
        "SELECT address_code, address, low, high, COUNT(*) FROM ("  # noqa: S608  # nosec B608
        "SELECT address_code, address, household_no, MIN(nationality_kind) AS low, MAX(nationality_kind) AS high "
        f"FROM {state} s GROUP BY address_code, address, household_no) h GROUP BY address_code, address, low, high",
        [],
    ):
        mix = str(low) if low == high else MIXED
        area = areas.setdefault((str(code), str(address)), Area(str(address), str(code)))
        area.households[mix] += int(str(number))
        households[mix] += int(str(number))
    ages: dict[int, Cells] = defaultdict(Cells)
    for birth, kind, sex, number in _fetch(
        f"SELECT birth_sort, nationality_kind, sex, COUNT(*) FROM {state} s "  # noqa: S608  # nosec B608
        "GROUP BY birth_sort, nationality_kind, sex",
        [],
    ):
        born = _date(birth)
        age = age_on(born, age_day) if born is not None else UNKNOWN_AGE
        ages[age].add(str(kind), str(sex), int(str(number)))
    nationalities: dict[str, Cells] = defaultdict(Cells)
    for nationality, sex, number in _fetch(
        f"SELECT nationality, sex, COUNT(*) FROM {state} s "  # noqa: S608  # nosec B608
        "WHERE nationality_kind = %s GROUP BY nationality, sex",
        [FOREIGN],
    ):
        nationalities[str(nationality or "") or "（国籍不明）"].add(FOREIGN, str(sex), int(str(number)))
    ordered = sorted(areas.values(), key=lambda a: (a.address_code or "99999999999", a.address))
    return Population(
        as_of=as_of,
        age_day=age_day,
        areas=ordered,
        ages=dict(sorted(ages.items())),
        nationalities=dict(sorted(nationalities.items(), key=lambda item: (-item[1].total, item[0]))),
        total=total,
        households=households,
    )


def population_total(as_of: date) -> Cells:
    """Only the totals (日本人/外国人 × 男/女) as of the end of ``as_of``."""
    return _totals(as_of)[0]


def _totals(as_of: date) -> tuple[Cells, int]:
    """Persons (日本人/外国人 × 男/女) and households as of the end of ``as_of``."""
    check_day(as_of)
    total = Cells()
    with _state(as_of) as state:
        for kind, sex, number in _fetch(
            f"SELECT nationality_kind, sex, COUNT(*) FROM {state} s GROUP BY nationality_kind, sex",  # noqa: S608  # nosec B608
            [],
        ):
            total.add(str(kind), str(sex), int(str(number)))
        found = _fetch(f"SELECT COUNT(DISTINCT household_no) FROM {state} s", [])  # noqa: S608  # nosec B608
    return total, int(str(found[0][0])) if found else 0


def household_total(as_of: date) -> int:
    return _totals(as_of)[1]


# -- movements of a period ---------------------------------------------------------------------


@dataclass
class MovementSummary:
    start: date
    end: date
    by_reason: dict[str, Cells]
    households_added: Counter[str]  # reason → households that got their first member
    households_removed: Counter[str]  # reason → households that lost their last member
    opening: Cells  # population at the end of the day before ``start``
    closing: Cells  # population at the end of ``end``
    opening_households: int
    closing_households: int

    def cells(self, code: str) -> Cells:
        return self.by_reason.get(code, Cells())


def movement_summary(start: date, end: date) -> MovementSummary:
    """The 異動集計表 of the rows dated ``start``–``end`` (both included)."""
    check_period(start, end)
    rows = _rows_sql()
    by_reason: dict[str, Cells] = defaultdict(Cells)
    for reason, kind, sex, number in _fetch(
        f"SELECT reason, nationality_kind, sex, COUNT(*) FROM ({rows}) r "  # noqa: S608  # nosec B608
        "WHERE ev >= %s AND ev <= %s GROUP BY reason, nationality_kind, sex",
        [_day_param(start), _day_param(end)],
    ):
        if str(reason) not in NOT_COUNTED:
            by_reason[str(reason)].add(str(kind), str(sex), int(str(number)))
    added, removed = household_changes(start, end)
    before = date.fromordinal(start.toordinal() - 1)
    opening, opening_households = _totals(before)
    closing, closing_households = _totals(end)
    return MovementSummary(
        start=start,
        end=end,
        by_reason=dict(by_reason),
        households_added=added,
        households_removed=removed,
        opening=opening,
        closing=closing,
        opening_households=opening_households,
        closing_households=closing_households,
    )


@dataclass(frozen=True)
class _Row:
    atena_no: str
    history_no: int
    current: bool
    household_no: str
    reason: str
    ev: date
    recorded_at: str


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for index in range(0, len(values), _CHUNK):
        yield values[index : index + _CHUNK]


def _rows_where(column: str, values: Iterable[str]) -> list[_Row]:
    found: list[_Row] = []
    wanted = sorted(set(values))
    base = _rows_sql()
    for chunk in _chunks(wanted):
        marks = ", ".join(["%s"] * len(chunk))
        for atena_no, history_no, status, household_no, reason, ev, recorded_at in _fetch(
            "SELECT atena_no, history_no, status, household_no, reason, ev, recorded_at "  # noqa: S608  # nosec B608
            f"FROM ({base}) r WHERE {column} IN ({marks})",
            list(chunk),
        ):
            day = _date(ev)
            if day is None:
                continue
            found.append(
                _Row(
                    str(atena_no),
                    int(str(history_no)),
                    status == "current",
                    str(household_no),
                    str(reason),
                    day,
                    str(recorded_at),
                )
            )
    return found


def household_changes(start: date, end: date) -> tuple[Counter[str], Counter[str]]:
    """世帯増・世帯減 by 異動事由 of the rows dated ``start``–``end`` (see the module text)."""
    period = _fetch(
        f"SELECT DISTINCT atena_no FROM ({_rows_sql()}) r WHERE ev >= %s AND ev <= %s",  # noqa: S608  # nosec B608
        [_day_param(start), _day_param(end)],
    )
    movers = [str(row[0]) for row in period]
    if not movers:
        return Counter(), Counter()
    # every household the movers ever belonged to, and every person who ever belonged to one
    touched = {row.household_no for row in _rows_where("atena_no", movers)}
    persons = {row.atena_no for row in _rows_where("household_no", touched)}
    rows = [row for row in _rows_where("atena_no", persons) if row.ev <= end]
    return replay_households(rows, start)


def replay_households(rows: Iterable[_Row], start: date) -> tuple[Counter[str], Counter[str]]:
    """Apply the rows in date order (a person's superseded rows skipped) and count, for the rows
    dated from ``start`` on, the households that got their first member or lost their last."""
    added: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    state: dict[str, tuple[int, str | None]] = {}  # atena_no → (history_no, household if 現存)
    members: Counter[str] = Counter()
    ordered = sorted(rows, key=lambda r: (r.ev, r.recorded_at, r.atena_no, r.history_no))
    index = 0
    while index < len(ordered):
        day = ordered[index].ev
        group: list[_Row] = []
        while index < len(ordered) and ordered[index].ev == day:
            group.append(ordered[index])
            index += 1
        before = Counter(members)
        into: dict[str, list[str]] = defaultdict(list)
        out_of: dict[str, list[str]] = defaultdict(list)
        for row in group:
            last = state.get(row.atena_no)
            if last is not None and last[0] > row.history_no:
                continue
            old = last[1] if last is not None else None
            new = row.household_no if row.current else None
            state[row.atena_no] = (row.history_no, new)
            if old == new:
                continue
            if old is not None:
                members[old] -= 1
                out_of[old].append(row.reason)
            if new is not None:
                members[new] += 1
                into[new].append(row.reason)
        if day < start:
            continue
        for household, reasons in into.items():
            if before[household] <= 0 < members[household]:
                added[_main_reason(reasons)] += 1
        for household, reasons in out_of.items():
            if before[household] > 0 >= members[household]:
                removed[_main_reason(reasons)] += 1
    return added, removed


def _main_reason(reasons: list[str]) -> str:
    """The most frequent reason (ties: the first in the table of 異動事由)."""
    order = list(REASONS)
    counts = Counter(reasons)
    return min(counts, key=lambda code: (-counts[code], order.index(code) if code in order else len(order)))


__all__ = [
    "CAPABILITY",
    "JAPANESE",
    "MIXED",
    "Area",
    "MovementSummary",
    "Population",
    "check_day",
    "check_period",
    "household_changes",
    "household_total",
    "movement_summary",
    "population",
    "population_total",
    "require_statistics",
]
