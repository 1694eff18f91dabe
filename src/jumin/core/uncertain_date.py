"""Uncertain dates (不詳日) and 戸籍 dates that are not on the calendar.

Standard spec 1.1.8: dates must be real calendar dates, except 生年月日, 住民となった年月日,
住所を定めた年月日, 外国人住民となった年月日 and the 異動日 of 出生・死亡・失踪, which must also
accept

* dates that exist in the 戸籍 but not on the calendar (2月29日 of a common year), and
* the 14 written forms of an uncertain date (「令和2年頃」「推定令和2年3月」「年月日不詳」…).

An :class:`UncertainDate` keeps what was written (``text``, canonical and parseable)
and an internal date for sorting (``internal_date``) — the earliest day the text can
mean.  The internal date is never displayed or printed: creating a "deemed birth date"
(みなし生年月日) is a function the standard forbids (1.1.8, 実装しない機能).

``era`` None means the year is a 西暦 year (a foreign resident's 生年月日 is kept in 西暦).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from jumin.core.errors import DomainError
from jumin.core.wareki import Era, EraTable, format_era_year, normalize_digits


class Pattern(StrEnum):
    """The written form of a date.  Values are stable storage codes."""

    EXACT = "exact"  # 令和2年3月4日
    NON_CALENDAR = "non_calendar"  # 令和3年2月29日 (in the 戸籍, not on the calendar)
    # The 14 不詳 forms of spec 1.1.8, in the order of its 不詳日入力一覧:
    YEAR_ABOUT = "year_about"  # 令和2年頃
    MONTH_ABOUT = "month_about"  # 令和2年3月頃
    DAY_ABOUT = "day_about"  # 令和2年3月4日頃
    ESTIMATED_DAY = "estimated_day"  # 推定令和2年3月4日
    ESTIMATED_MONTH = "estimated_month"  # 推定令和2年3月
    SEASON = "season"  # 令和2年春
    MONTH_PART = "month_part"  # 令和2年3月上旬
    MONTH_PART_ABOUT = "month_part_about"  # 令和2年3月中旬頃
    UNKNOWN = "unknown"  # 年月日不詳
    MONTH_DAY_UNKNOWN = "month_day_unknown"  # 令和2年　月日不詳
    DAY_UNKNOWN = "day_unknown"  # 令和2年3月　日不詳
    RANGE_TO_ABOUT = "range_to_about"  # 令和2年3月4日から4月5日頃までの間
    RANGE_ESTIMATED_DAYS = "range_estimated_days"  # 令和2年3月推定4日から9日までの間
    RANGE_ABOUT_DAYS = "range_about_days"  # 令和2年3月4日頃から9日頃までの間


UNCERTAIN_PATTERNS: tuple[Pattern, ...] = tuple(p for p in Pattern if p not in (Pattern.EXACT, Pattern.NON_CALENDAR))


class Calendar(StrEnum):
    """The calendar a date item is kept in (spec 1.1.8/1.1.9)."""

    WAREKI = "wareki"
    SEIREKI = "seireki"


SEASON_START_MONTH = {"冬": 1, "春": 3, "夏": 6, "秋": 9}
MONTH_PART_START_DAY = {"上旬": 1, "中旬": 11, "下旬": 21}

_NEEDS_MONTH = {
    Pattern.EXACT,
    Pattern.NON_CALENDAR,
    Pattern.MONTH_ABOUT,
    Pattern.DAY_ABOUT,
    Pattern.ESTIMATED_DAY,
    Pattern.ESTIMATED_MONTH,
    Pattern.MONTH_PART,
    Pattern.MONTH_PART_ABOUT,
    Pattern.DAY_UNKNOWN,
    Pattern.RANGE_TO_ABOUT,
    Pattern.RANGE_ESTIMATED_DAYS,
    Pattern.RANGE_ABOUT_DAYS,
}
_NEEDS_DAY = {
    Pattern.EXACT,
    Pattern.NON_CALENDAR,
    Pattern.DAY_ABOUT,
    Pattern.ESTIMATED_DAY,
    Pattern.RANGE_TO_ABOUT,
    Pattern.RANGE_ESTIMATED_DAYS,
    Pattern.RANGE_ABOUT_DAYS,
}
_NEEDS_END_DAY = {Pattern.RANGE_TO_ABOUT, Pattern.RANGE_ESTIMATED_DAYS, Pattern.RANGE_ABOUT_DAYS}


@dataclass(frozen=True)
class UncertainDate:
    """A date as written in the register; see the module docstring."""

    pattern: Pattern
    era: str | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    season: str | None = None
    month_part: str | None = None

    # -- construction -----------------------------------------------------------------

    @classmethod
    def exact(cls, day: date, table: EraTable | None = None, *, seireki: bool = False) -> UncertainDate:
        """A calendar date, in 和暦 (or in 西暦 when ``seireki``)."""
        if seireki:
            return cls(Pattern.EXACT, None, day.year, day.month, day.day)
        wareki = (table or EraTable.default()).to_wareki(day)
        return cls(Pattern.EXACT, wareki.era, wareki.year, wareki.month, wareki.day)

    @classmethod
    def unknown(cls) -> UncertainDate:
        return cls(Pattern.UNKNOWN)

    def validate(self, table: EraTable | None = None) -> UncertainDate:
        """Check that the parts fit the pattern and the calendar; return self."""
        table = table or EraTable.default()
        if self.pattern is Pattern.UNKNOWN:
            return self
        self._check_parts()
        self.internal_date(table)  # raises when the parts do not form a date
        if self.pattern is Pattern.EXACT and self.era is not None:
            assert self.year is not None and self.month is not None and self.day is not None
            table.to_date(self.era, self.year, self.month, self.day)
        if self.pattern is Pattern.NON_CALENDAR and self._is_calendar_date(table):
            raise DomainError("date.is_calendar_date", "暦に存在する日付です。通常の日付として入力してください。")
        return self

    def _check_parts(self) -> None:
        if self.year is None:
            raise DomainError("date.missing_year", "年を入力してください。")
        needs_month = self.pattern in _NEEDS_MONTH
        if needs_month != (self.month is not None):
            raise DomainError("date.pattern_mismatch", "月の有無が日付の形式と合いません。")
        if (self.pattern in _NEEDS_DAY) != (self.day is not None):
            raise DomainError("date.pattern_mismatch", "日の有無が日付の形式と合いません。")
        if (self.pattern in _NEEDS_END_DAY) != (self.end_day is not None):
            raise DomainError("date.pattern_mismatch", "期間の終わりの日が日付の形式と合いません。")
        if (self.pattern is Pattern.RANGE_TO_ABOUT) != (self.end_month is not None):
            raise DomainError("date.pattern_mismatch", "期間の終わりの月が日付の形式と合いません。")
        if (self.pattern is Pattern.SEASON) != (self.season in SEASON_START_MONTH):
            raise DomainError("date.pattern_mismatch", "季節は春・夏・秋・冬のいずれかです。")
        is_part = self.pattern in (Pattern.MONTH_PART, Pattern.MONTH_PART_ABOUT)
        if is_part != (self.month_part in MONTH_PART_START_DAY):
            raise DomainError("date.pattern_mismatch", "上旬・中旬・下旬のいずれかを指定してください。")
        if self.month is not None and not 1 <= self.month <= 12:
            raise DomainError("date.bad_month", "月は1から12までです。")
        if self.end_month is not None and not 1 <= self.end_month <= 12:
            raise DomainError("date.bad_month", "月は1から12までです。")

    def _is_calendar_date(self, table: EraTable) -> bool:
        assert self.year is not None and self.month is not None and self.day is not None
        try:
            if self.era is None:
                date(self.year, self.month, self.day)
            else:
                table.to_date(self.era, self.year, self.month, self.day)
        except (DomainError, ValueError):
            return False
        return True

    # -- derived values ---------------------------------------------------------------

    @property
    def is_uncertain(self) -> bool:
        return self.pattern in UNCERTAIN_PATTERNS

    def _gregorian_year(self, table: EraTable) -> int:
        assert self.year is not None
        if self.era is None:
            if not 1 <= self.year <= 9999:
                raise DomainError("wareki.bad_year", "年が範囲外です。")
            return self.year
        return table.gregorian_year(table.era(self.era), self.year)

    def internal_date(self, table: EraTable | None = None) -> date | None:
        """The earliest real day the written date can mean (None for 年月日不詳).

        For sorting and range search only — never shown, never printed."""
        table = table or EraTable.default()
        if self.pattern is Pattern.UNKNOWN:
            return None
        year = self._gregorian_year(table)
        month = self.month
        if month is None:
            month = SEASON_START_MONTH[self.season] if self.season else 1
        day = self.day
        if day is None:
            day = MONTH_PART_START_DAY[self.month_part] if self.month_part else 1
        last_day = calendar.monthrange(year, month)[1]
        if self.pattern is Pattern.NON_CALENDAR:
            if not 1 <= day <= 31:
                raise DomainError("date.bad_day", "日は1から31までです。")
            result = date(year, month, min(day, last_day))
        else:
            result = _real_date(year, month, day)
        self._check_range_end(year, result)
        if self.era is not None:
            era = table.era(self.era)
            self._check_in_era(era, year, result)
            if self.pattern is not Pattern.NON_CALENDAR:
                result = max(result, era.start)
        return result

    def _check_in_era(self, era: Era, year: int, earliest: date) -> None:
        """The written period must overlap the era: 平成31年5月1日, 平成31年5月頃 and
        令和元年4月30日 name days when that era had already ended or not yet begun."""
        if self.month is None:
            return  # the year was checked against the era's years
        last_month = self.end_month or self.month
        latest = date(year, last_month, calendar.monthrange(year, last_month)[1])
        if self.pattern in (Pattern.EXACT, Pattern.NON_CALENDAR):
            latest = earliest
        elif self.end_day is not None:
            latest = _real_date(year, last_month, self.end_day)
        elif self.day is not None:
            latest = earliest
        lunar = era.calendar_start is not None and earliest < era.calendar_start
        if (era.end is not None and earliest > era.end) or (latest < era.start and not lunar):
            raise DomainError("wareki.outside_era", f"{era.name}にその日付はありません。")

    def _check_range_end(self, year: int, start: date) -> None:
        if self.end_day is None:
            return
        assert self.month is not None
        end = _real_date(year, self.end_month or self.month, self.end_day)
        if end <= start:
            raise DomainError("date.bad_range", "期間の終わりは始まりより後の日にしてください。")

    def sort_key(self, table: EraTable | None = None) -> tuple[date, int]:
        """Orders dates by internal date; 年月日不詳 sorts first."""
        internal = self.internal_date(table)
        return (internal or date.min, list(Pattern).index(self.pattern))

    # -- text -------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The canonical written form (parseable by :func:`parse_uncertain_date`)."""
        return self.format(gannen=True)

    def format(self, *, gannen: bool = True) -> str:
        if self.pattern is Pattern.UNKNOWN:
            return "年月日不詳"
        assert self.year is not None
        era_year = format_era_year(self.year, gannen=gannen)
        ey = f"{self.year}年" if self.era is None else f"{self.era}{era_year}"
        m, d, m2, d2 = self.month, self.day, self.end_month, self.end_day
        templates = {
            Pattern.EXACT: f"{ey}{m}月{d}日",
            Pattern.NON_CALENDAR: f"{ey}{m}月{d}日",
            Pattern.YEAR_ABOUT: f"{ey}頃",
            Pattern.MONTH_ABOUT: f"{ey}{m}月頃",
            Pattern.DAY_ABOUT: f"{ey}{m}月{d}日頃",
            Pattern.ESTIMATED_DAY: f"推定{ey}{m}月{d}日",
            Pattern.ESTIMATED_MONTH: f"推定{ey}{m}月",
            Pattern.SEASON: f"{ey}{self.season}",
            Pattern.MONTH_PART: f"{ey}{m}月{self.month_part}",
            Pattern.MONTH_PART_ABOUT: f"{ey}{m}月{self.month_part}頃",
            Pattern.MONTH_DAY_UNKNOWN: f"{ey}\u3000月日不詳",
            Pattern.DAY_UNKNOWN: f"{ey}{m}月\u3000日不詳",
            Pattern.RANGE_TO_ABOUT: f"{ey}{m}月{d}日から{m2}月{d2}日頃までの間",
            Pattern.RANGE_ESTIMATED_DAYS: f"{ey}{m}月推定{d}日から{d2}日までの間",
            Pattern.RANGE_ABOUT_DAYS: f"{ey}{m}月{d}日頃から{d2}日頃までの間",
        }
        return templates[self.pattern]

    def __str__(self) -> str:
        return self.text


def _real_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DomainError("date.not_on_calendar", "暦に存在しない日付です。") from None


_M = r"(?P<month>\d{1,2})月"
_D = r"(?P<day>\d{1,2})日"
_FORMS: tuple[tuple[Pattern, str], ...] = (
    (Pattern.ESTIMATED_DAY, rf"推定(?P<ey>.+?年){_M}{_D}"),
    (Pattern.ESTIMATED_MONTH, rf"推定(?P<ey>.+?年){_M}"),
    (Pattern.RANGE_TO_ABOUT, rf"(?P<ey>.+?年){_M}{_D}から(?P<end_month>\d{{1,2}})月(?P<end_day>\d{{1,2}})日頃までの間"),
    (Pattern.RANGE_ESTIMATED_DAYS, rf"(?P<ey>.+?年){_M}推定{_D}から(?P<end_day>\d{{1,2}})日までの間"),
    (Pattern.RANGE_ABOUT_DAYS, rf"(?P<ey>.+?年){_M}{_D}頃から(?P<end_day>\d{{1,2}})日頃までの間"),
    (Pattern.YEAR_ABOUT, r"(?P<ey>.+?年)頃"),
    (Pattern.MONTH_ABOUT, rf"(?P<ey>.+?年){_M}頃"),
    (Pattern.DAY_ABOUT, rf"(?P<ey>.+?年){_M}{_D}頃"),
    (Pattern.SEASON, r"(?P<ey>.+?年)(?P<season>[春夏秋冬])"),
    (Pattern.MONTH_PART, rf"(?P<ey>.+?年){_M}(?P<month_part>上旬|中旬|下旬)"),
    (Pattern.MONTH_PART_ABOUT, rf"(?P<ey>.+?年){_M}(?P<month_part>上旬|中旬|下旬)頃"),
    (Pattern.MONTH_DAY_UNKNOWN, r"(?P<ey>.+?年)月日不詳"),
    (Pattern.DAY_UNKNOWN, rf"(?P<ey>.+?年){_M}日不詳"),
    (Pattern.EXACT, rf"(?P<ey>.+?年){_M}{_D}生?"),
)
_COMPILED = tuple((pattern, re.compile(regex)) for pattern, regex in _FORMS)


def parse_uncertain_date(
    text: str,
    table: EraTable | None = None,
    *,
    allow_uncertain: bool = True,
    allow_non_calendar: bool = True,
    calendar: Calendar | None = None,
) -> UncertainDate:
    """Parse any accepted written date into an :class:`UncertainDate`.

    Exact dates may also be typed in the short forms of :meth:`EraTable.parse`
    (「R2.3.4」「5020304」「2020-03-04」).  A date that is not on the calendar becomes
    ``NON_CALENDAR`` when ``allow_non_calendar``; 不詳 forms need ``allow_uncertain``.

    ``calendar`` fixes the calendar of the result: exact dates are converted to it,
    other forms must already be written in it (a 日本人住民's 生年月日 is kept in 和暦,
    a 外国人住民's in 西暦).  None keeps what was typed.
    """
    table = table or EraTable.default()
    value = _parse(normalize_digits(text), table)
    if value.is_uncertain and not allow_uncertain:
        raise DomainError("date.uncertain_not_allowed", "この項目には不詳日を入力できません。")
    if value.pattern is Pattern.NON_CALENDAR and not allow_non_calendar:
        raise DomainError("date.not_on_calendar", "暦に存在しない日付です。")
    return _in_calendar(value, calendar, table)


def _parse(compact: str, table: EraTable) -> UncertainDate:
    if compact == "年月日不詳":
        return UncertainDate.unknown()
    for pattern, regex in _COMPILED:
        match = regex.fullmatch(compact)
        if match is not None:
            return _from_match(pattern, match, table)
    try:
        day = table.parse(compact)
    except DomainError:
        raise DomainError(
            "date.unparseable", "日付として読み取れません（例: 令和6年4月1日、令和6年頃、年月日不詳）。"
        ) from None
    return UncertainDate.exact(day, table, seireki=compact[:4].isdigit() and len(compact) != 7)


def _in_calendar(value: UncertainDate, calendar: Calendar | None, table: EraTable) -> UncertainDate:
    if calendar is None or value.pattern is Pattern.UNKNOWN:
        return value
    wanted_seireki = calendar is Calendar.SEIREKI
    if (value.era is None) == wanted_seireki:
        return value
    if value.pattern is not Pattern.EXACT:
        label = "西暦" if wanted_seireki else "和暦"
        raise DomainError("date.wrong_calendar", f"この項目は{label}で入力してください。")
    internal = value.internal_date(table)
    assert internal is not None
    return UncertainDate.exact(internal, table, seireki=wanted_seireki)


def _from_match(pattern: Pattern, match: re.Match[str], table: EraTable) -> UncertainDate:
    split = table.split_kanji(match.group("ey"))
    if split is None:
        raise DomainError("date.unparseable", "年の書き方が読み取れません。")
    era, year, rest = split
    if rest:
        raise DomainError("date.unparseable", "年の書き方が読み取れません。")
    groups = match.groupdict()

    def number(name: str) -> int | None:
        value = groups.get(name)
        return int(value) if value is not None else None

    value = UncertainDate(
        pattern=pattern,
        era=era.name if era else None,
        year=year,
        month=number("month"),
        day=number("day"),
        end_month=number("end_month"),
        end_day=number("end_day"),
        season=groups.get("season"),
        month_part=groups.get("month_part"),
    )
    if pattern is Pattern.EXACT:
        try:
            return value.validate(table)
        except DomainError as error:
            if error.code == "wareki.outside_era":
                raise  # a real day, but not in that era: a typing error, not a 戸籍 date
            value = UncertainDate(Pattern.NON_CALENDAR, value.era, value.year, value.month, value.day)
    return value.validate(table)
