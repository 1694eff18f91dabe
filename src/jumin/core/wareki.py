"""和暦 (Japanese era calendar): conversion both ways, parsing and display.

Standard spec 1.1.9 (display in 和暦, except a foreign resident's 生年月日 and
在留期間満了日 in 西暦) and 1.3.6 (era master: a new 元号 is added by configuration).

Rules kept here:

* Era boundaries come from an :class:`EraTable`.  Two era changes happened on the same
  day (即日改元): 1912-07-30 is both 明治45年7月30日 and 大正元年7月30日, 1926-12-25 is
  both 大正15年12月25日 and 昭和元年12月25日.  Both spellings convert to the date; a date
  converts to the *newer* era.
* The first year of an era is written 「元年」 (``gannen=True``, the default); 「1年」 is
  accepted on input.
* Before 明治6年1月1日 (1873-01-01) Japan used the lunisolar calendar, so 明治元年〜5年
  dates cannot be converted to the Gregorian calendar by arithmetic.  The strict
  converter refuses them; :mod:`jumin.core.uncertain_date` keeps such 戸籍 dates as text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from jumin.core.errors import DomainError

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Era:
    """One 元号 with its first and last day (both inclusive; ``end`` None = current era)."""

    name: str
    start: date
    end: date | None
    code: int
    letter: str
    calendar_start: date | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def last_year(self) -> int | None:
        """The last era year (e.g. 64 for 昭和), or None for the current era."""
        if self.end is None:
            return None
        return self.end.year - self.start.year + 1


@dataclass(frozen=True)
class WarekiDate:
    """A calendar date written as era + era year + month + day."""

    era: str
    year: int
    month: int
    day: int

    def format(self, *, gannen: bool = True) -> str:
        return f"{self.era}{format_era_year(self.year, gannen=gannen)}{self.month}月{self.day}日"


def format_era_year(year: int, *, gannen: bool = True) -> str:
    """``1`` -> 「元年」 (or 「1年」), ``45`` -> 「45年」."""
    if year == 1 and gannen:
        return "元年"
    return f"{year}年"


DEFAULT_ERAS: tuple[Mapping[str, str | int], ...] = (
    {"name": "明治", "start": "1868-01-25", "code": 1, "letter": "M", "calendar_start": "1873-01-01"},
    {"name": "大正", "start": "1912-07-30", "code": 2, "letter": "T"},
    {"name": "昭和", "start": "1926-12-25", "code": 3, "letter": "S"},
    {"name": "平成", "start": "1989-01-08", "code": 4, "letter": "H"},
    {"name": "令和", "start": "2019-05-01", "code": 5, "letter": "R"},
)
"""The era master as configuration.  明治 ends on 1912-07-30 and 大正 on 1926-12-25 (the
same day the next era began); every other era ends the day before the next begins.
Those two same-day ends are written explicitly in :data:`DEFAULT_ERA_ENDS`."""

DEFAULT_ERA_ENDS: Mapping[str, str] = {"明治": "1912-07-30", "大正": "1926-12-25"}


def _iso(value: str | int, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise DomainError("era.bad_config", f"元号設定の{field}が日付ではありません。") from exc


class EraTable:
    """The ordered list of eras.  Immutable; :meth:`extended` returns a new table."""

    def __init__(self, eras: Sequence[Era]) -> None:
        if not eras:
            raise DomainError("era.bad_config", "元号が1件も設定されていません。")
        for earlier, later in pairwise(eras):
            if earlier.end is None or not (later.start == earlier.end or later.start == earlier.end + _ONE_DAY):
                raise DomainError("era.bad_config", f"元号「{later.name}」の開始日が前の元号と連続していません。")
        for era in eras:
            if era.end is not None and era.end < era.start:
                raise DomainError("era.bad_config", f"元号「{era.name}」の終了日が開始日より前です。")
        for attr in ("name", "code", "letter"):
            values = [getattr(era, attr) for era in eras]
            if len(set(values)) != len(values):
                raise DomainError("era.bad_config", "元号の名称・コード・略号は重複できません。")
        self.eras: tuple[Era, ...] = tuple(eras)
        self._by_name = {era.name: era for era in eras}
        self._by_code = {era.code: era for era in eras}
        self._by_letter = {era.letter.upper(): era for era in eras}
        names = "|".join(re.escape(era.name) for era in eras)
        self._era_year_re = re.compile(rf"^(?P<era>{names})?(?P<year>元|\d{{1,4}})年(?P<rest>.*)$")

    @classmethod
    def from_config(cls, items: Iterable[Mapping[str, str | int]], ends: Mapping[str, str] | None = None) -> EraTable:
        """Build a table from plain data (e.g. a setting).

        Each item has ``name``, ``start`` (ISO date), ``code`` (era digit for 7-digit
        entry), ``letter`` (M/T/S/H/R…) and optionally ``end`` and ``calendar_start``.
        An era without ``end`` ends the day before the next era starts.
        """
        rows = list(items)
        explicit_ends = dict(ends or {})
        eras: list[Era] = []
        for index, row in enumerate(rows):
            name = str(row["name"])
            if "end" in row:
                end: date | None = _iso(row["end"], "終了日")
            elif name in explicit_ends:
                end = _iso(explicit_ends[name], "終了日")
            elif index + 1 < len(rows):
                end = _iso(rows[index + 1]["start"], "開始日") - _ONE_DAY
            else:
                end = None
            calendar_start = row.get("calendar_start")
            eras.append(
                Era(
                    name=name,
                    start=_iso(row["start"], "開始日"),
                    end=end,
                    code=int(row["code"]),
                    letter=str(row["letter"]).upper(),
                    calendar_start=_iso(calendar_start, "暦開始日") if calendar_start else None,
                )
            )
        return cls(eras)

    @classmethod
    def default(cls) -> EraTable:
        return _DEFAULT_TABLE

    def extended(self, new_era: Mapping[str, str | int]) -> EraTable:
        """A table with one more era appended; the current era ends the day before it."""
        rows: list[Mapping[str, str | int]] = [_era_to_row(era) for era in self.eras]
        last = dict(rows[-1])
        last["end"] = (_iso(new_era["start"], "開始日") - _ONE_DAY).isoformat()
        rows[-1] = last
        rows.append(new_era)
        return EraTable.from_config(rows)

    # -- look-ups ---------------------------------------------------------------------

    def era(self, name: str) -> Era:
        try:
            return self._by_name[name]
        except KeyError:
            raise DomainError("era.unknown", "登録されていない元号です。") from None

    def era_by_code(self, code: int) -> Era:
        try:
            return self._by_code[code]
        except KeyError:
            raise DomainError("era.unknown", "登録されていない元号コードです。") from None

    def era_by_letter(self, letter: str) -> Era:
        try:
            return self._by_letter[letter.upper()]
        except KeyError:
            raise DomainError("era.unknown", "登録されていない元号の略号です。") from None

    def names(self) -> tuple[str, ...]:
        return tuple(era.name for era in self.eras)

    def eras_on(self, day: date) -> list[Era]:
        """Every era that contains ``day`` (two on a same-day era change)."""
        return [era for era in self.eras if era.contains(day)]

    # -- conversion -------------------------------------------------------------------

    def to_wareki(self, day: date) -> WarekiDate:
        """Gregorian -> 和暦, in the newest era containing the day."""
        eras = self.eras_on(day)
        if not eras:
            raise DomainError("wareki.out_of_range", "明治より前の日付は和暦で表せません。")
        era = eras[-1]
        if era.calendar_start is not None and day < era.calendar_start:
            raise DomainError("wareki.lunar_period", "明治5年以前は太陰太陽暦のため西暦から換算できません。")
        return WarekiDate(era.name, day.year - era.start.year + 1, day.month, day.day)

    def to_date(self, era_name: str, year: int, month: int, day: int) -> date:
        """和暦 -> Gregorian, strictly: the day must exist and lie inside the era."""
        era = self.era(era_name)
        result = self.gregorian_parts(era, year, month, day)
        if era.calendar_start is not None and result < era.calendar_start:
            raise DomainError("wareki.lunar_period", "明治5年以前の日付は太陰太陽暦のため換算できません。")
        if not era.contains(result):
            raise DomainError("wareki.outside_era", f"{era.name}にその日付はありません。")
        return result

    def gregorian_year(self, era: Era, year: int) -> int:
        """Era year -> Gregorian year, checking only that the year lies in the era's span."""
        last = era.last_year()
        if year < 1 or (last is not None and year > last):
            raise DomainError("wareki.bad_year", f"{era.name}の年が範囲外です。")
        return era.start.year + year - 1

    def gregorian_parts(self, era: Era, year: int, month: int, day: int) -> date:
        """Arithmetic conversion that checks the calendar but not the era boundaries."""
        gregorian_year = self.gregorian_year(era, year)
        try:
            return date(gregorian_year, month, day)
        except ValueError:
            raise DomainError("date.not_on_calendar", "暦に存在しない日付です。") from None

    def format(self, day: date, *, gannen: bool = True) -> str:
        return self.to_wareki(day).format(gannen=gannen)

    # -- parsing ----------------------------------------------------------------------

    def parse(self, text: str) -> date:
        """Parse a date typed at the counter.

        Accepted forms (full-width digits and spaces are fine):

        * 「令和元年5月1日」「令和1年5月1日」「昭和45年3月1日生」
        * 「R1.5.1」「r01/05/01」「H31-4-30」 (era letter, then year, month, day)
        * 「5010501」 — seven digits: era code + YYMMDD
        * 西暦: 「2019-05-01」「2019/5/1」「2019年5月1日」「20190501」
        """
        compact = normalize_digits(text)
        for parser in (self._parse_kanji, self._parse_letter, self._parse_code, _parse_gregorian):
            parsed = parser(compact)
            if parsed is not None:
                return parsed
        raise DomainError("date.unparseable", "日付として読み取れません（例: 令和6年4月1日、R6.4.1、5060401）。")

    def split_kanji(self, text: str) -> tuple[Era | None, int, str] | None:
        """Split 「令和元年…」 into (era, year, rest); ``era`` None for a 西暦 year."""
        match = self._era_year_re.match(text)
        if match is None:
            return None
        era_name, year_text, rest = match.group("era"), match.group("year"), match.group("rest")
        era = self.era(era_name) if era_name else None
        if year_text == "元":
            if era is None:
                raise DomainError("date.gannen_without_era", "「元年」は元号と一緒に入力してください。")
            return era, 1, rest
        return era, int(year_text), rest

    def _parse_kanji(self, text: str) -> date | None:
        split = self.split_kanji(text)
        if split is None:
            return None
        era, year, rest = split
        match = re.fullmatch(r"(\d{1,2})月(\d{1,2})日生?", rest)
        if match is None:
            return None
        month, day = int(match.group(1)), int(match.group(2))
        if era is None:
            return _gregorian(year, month, day)
        return self.to_date(era.name, year, month, day)

    def _parse_letter(self, text: str) -> date | None:
        match = re.fullmatch(r"([A-Za-z])(\d{1,2})[./\-](\d{1,2})[./\-](\d{1,2})", text)
        if match is None:
            return None
        era = self.era_by_letter(match.group(1))
        return self.to_date(era.name, int(match.group(2)), int(match.group(3)), int(match.group(4)))

    def _parse_code(self, text: str) -> date | None:
        match = re.fullmatch(r"(\d)(\d{2})(\d{2})(\d{2})", text)
        if match is None:
            return None
        era = self.era_by_code(int(match.group(1)))
        return self.to_date(era.name, int(match.group(2)), int(match.group(3)), int(match.group(4)))


def _era_to_row(era: Era) -> dict[str, str | int]:
    row: dict[str, str | int] = {
        "name": era.name,
        "start": era.start.isoformat(),
        "code": era.code,
        "letter": era.letter,
    }
    if era.end is not None:
        row["end"] = era.end.isoformat()
    if era.calendar_start is not None:
        row["calendar_start"] = era.calendar_start.isoformat()
    return row


def _gregorian(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DomainError("date.not_on_calendar", "暦に存在しない日付です。") from None


def _parse_gregorian(text: str) -> date | None:
    match = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日生?)", text)
    if match is not None:
        year, month, day = (int(g) for g in match.groups() if g is not None)
        return _gregorian(year, month, day)
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if match is not None:
        return _gregorian(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    return None


def normalize_digits(text: str) -> str:
    """NFKC (full-width digits/letters -> ASCII) and remove all white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def format_seireki(day: date) -> str:
    """西暦 display used for a foreign resident's 生年月日 and 在留期間満了日: 「1970年3月1日」."""
    return f"{day.year}年{day.month}月{day.day}日"


_DEFAULT_TABLE = EraTable.from_config(DEFAULT_ERAS, DEFAULT_ERA_ENDS)


def to_wareki(day: date, table: EraTable | None = None) -> WarekiDate:
    return (table or _DEFAULT_TABLE).to_wareki(day)


def format_wareki(day: date, *, gannen: bool = True, table: EraTable | None = None) -> str:
    return (table or _DEFAULT_TABLE).format(day, gannen=gannen)


def parse_date(text: str, table: EraTable | None = None) -> date:
    return (table or _DEFAULT_TABLE).parse(text)
