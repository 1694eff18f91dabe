"""和暦: every vector of rules-and-vectors.md §5, era configuration, parsing, properties."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.errors import DomainError
from jumin.core.wareki import (
    DEFAULT_ERAS,
    Era,
    EraTable,
    WarekiDate,
    format_era_year,
    format_seireki,
    format_wareki,
    parse_date,
    to_wareki,
)

TABLE = EraTable.default()

# (Gregorian, expected 和暦 with 元年)
TO_WAREKI = [
    (date(1989, 1, 7), "昭和64年1月7日"),
    (date(1989, 1, 8), "平成元年1月8日"),
    (date(2019, 4, 30), "平成31年4月30日"),
    (date(2019, 5, 1), "令和元年5月1日"),
    (date(1926, 12, 24), "大正15年12月24日"),
    (date(1926, 12, 25), "昭和元年12月25日"),
    (date(1912, 7, 29), "明治45年7月29日"),
    (date(1912, 7, 30), "大正元年7月30日"),
    (date(1970, 3, 1), "昭和45年3月1日"),
    (date(1873, 1, 1), "明治6年1月1日"),
]


@pytest.mark.spec("1.3.6")
@pytest.mark.spec("1.1.9", partial=True)
@pytest.mark.parametrize(("day", "text"), TO_WAREKI)
def test_to_wareki_vectors(day: date, text: str) -> None:
    assert format_wareki(day) == text
    assert parse_date(text) == day


def test_gannen_can_be_written_as_year_one() -> None:
    assert format_wareki(date(1989, 1, 8), gannen=False) == "平成1年1月8日"
    assert format_era_year(1, gannen=False) == "1年"
    assert parse_date("平成1年1月8日") == date(1989, 1, 8)


@pytest.mark.spec("1.1.8", partial=True)
@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("明治45年7月30日", date(1912, 7, 30)),  # 即日改元: both eras own 7/30
        ("大正元年7月30日", date(1912, 7, 30)),
        ("大正15年12月25日", date(1926, 12, 25)),
        ("昭和元年12月25日", date(1926, 12, 25)),
    ],
)
def test_same_day_era_changes_accept_both_spellings(text: str, day: date) -> None:
    assert parse_date(text) == day
    assert len(TABLE.eras_on(day)) == 2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("平成31年5月1日", "wareki.outside_era"),
        ("昭和64年1月8日", "wareki.outside_era"),
        ("令和元年4月30日", "wareki.outside_era"),
        ("平成元年1月7日", "wareki.outside_era"),
        ("昭和45年2月30日", "date.not_on_calendar"),
        ("明治5年1月1日", "wareki.lunar_period"),
    ],
)
def test_strict_converter_rejects(text: str, code: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_date(text)
    assert info.value.code == code


def test_lunar_and_pre_meiji_dates_cannot_become_wareki() -> None:
    with pytest.raises(DomainError) as info:
        to_wareki(date(1870, 5, 1))
    assert info.value.code == "wareki.lunar_period"
    with pytest.raises(DomainError) as info:
        to_wareki(date(1860, 1, 1))
    assert info.value.code == "wareki.out_of_range"


def test_era_year_out_of_range() -> None:
    with pytest.raises(DomainError) as info:
        parse_date("昭和65年1月1日")
    assert info.value.code == "wareki.bad_year"
    with pytest.raises(DomainError):
        parse_date("令和0年1月1日")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("R1.5.1", date(2019, 5, 1)),
        ("r01/05/01", date(2019, 5, 1)),
        ("H31-4-30", date(2019, 4, 30)),
        ("S45.3.1", date(1970, 3, 1)),
        ("3450301", date(1970, 3, 1)),  # era code 3 (昭和) + YYMMDD
        ("5010501", date(2019, 5, 1)),
        ("令和　元年　５月　１日", date(2019, 5, 1)),
        ("昭和45年3月1日生", date(1970, 3, 1)),
        ("2019-05-01", date(2019, 5, 1)),
        ("2019/5/1", date(2019, 5, 1)),
        ("2019年5月1日", date(2019, 5, 1)),
        ("20190501", date(2019, 5, 1)),
    ],
)
def test_keyboard_input_forms(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("きのう", "date.unparseable"),
        ("令和元年5月", "date.unparseable"),
        ("X1.5.1", "era.unknown"),
        ("9010501", "era.unknown"),
        ("元年5月1日", "date.gannen_without_era"),
        ("2019-02-30", "date.not_on_calendar"),
        ("20190230", "date.not_on_calendar"),
        ("2019年2月30日", "date.not_on_calendar"),
    ],
)
def test_unparseable_input(text: str, code: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_date(text)
    assert info.value.code == code


def test_seireki_display_for_foreign_residents() -> None:
    assert format_seireki(date(1970, 3, 1)) == "1970年3月1日"


def test_wareki_date_value() -> None:
    assert to_wareki(date(2024, 4, 1)) == WarekiDate("令和", 6, 4, 1)
    assert WarekiDate("令和", 1, 5, 1).format() == "令和元年5月1日"


@pytest.mark.spec("1.3.6")
def test_a_new_era_is_added_by_configuration() -> None:
    table = TABLE.extended({"name": "新元", "start": "2040-02-01", "code": 6, "letter": "N"})
    assert table.format(date(2040, 1, 31)) == "令和22年1月31日"
    assert table.format(date(2040, 2, 1)) == "新元元年2月1日"
    assert table.parse("新元2年3月4日") == date(2041, 3, 4)
    assert table.parse("N2.3.4") == date(2041, 3, 4)
    assert table.parse("6020304") == date(2041, 3, 4)
    with pytest.raises(DomainError):
        table.parse("令和22年2月1日")
    # The default table is unchanged.
    assert format_wareki(date(2040, 2, 1)) == "令和22年2月1日"


def test_era_table_from_plain_configuration() -> None:
    rows = [dict(row) for row in DEFAULT_ERAS]
    table = EraTable.from_config(rows, {"明治": "1912-07-30", "大正": "1926-12-25"})
    assert table.names() == ("明治", "大正", "昭和", "平成", "令和")
    assert table.era("昭和").end == date(1989, 1, 7)
    assert table.era("令和").end is None
    assert table.era("令和").last_year() is None
    assert table.era("昭和").last_year() == 64
    explicit = EraTable.from_config(
        [{"name": "甲", "start": "2000-01-01", "end": "2000-12-31", "code": 1, "letter": "A"}]
    )
    assert explicit.era("甲").end == date(2000, 12, 31)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [{"name": "甲", "start": "2000-13-01", "code": 1, "letter": "A"}],
        [
            {"name": "甲", "start": "2000-01-01", "end": "2000-06-01", "code": 1, "letter": "A"},
            {"name": "乙", "start": "2001-01-01", "code": 2, "letter": "B"},
        ],
        [
            {"name": "甲", "start": "2000-01-01", "code": 1, "letter": "A"},
            {"name": "甲", "start": "2001-01-01", "code": 2, "letter": "B"},
        ],
        [{"name": "甲", "start": "2000-01-01", "end": "1999-01-01", "code": 1, "letter": "A"}],
        [{"name": "甲", "start": "2000-01-01", "code": 1, "letter": "A", "calendar_start": "x"}],
    ],
)
def test_bad_era_configuration_is_refused(rows: list[dict[str, str | int]]) -> None:
    with pytest.raises(DomainError) as info:
        EraTable.from_config(rows)
    assert info.value.code == "era.bad_config"


def test_era_without_end_must_be_last() -> None:
    eras = [Era("甲", date(2000, 1, 1), None, 1, "A"), Era("乙", date(2001, 1, 1), None, 2, "B")]
    with pytest.raises(DomainError):
        EraTable(eras)


def test_unknown_era_name() -> None:
    with pytest.raises(DomainError) as info:
        TABLE.era("天平")
    assert info.value.code == "era.unknown"


@given(st.dates(min_value=date(1873, 1, 1), max_value=date(2200, 12, 31)), st.booleans())
def test_round_trip_through_wareki(day: date, gannen: bool) -> None:
    text = format_wareki(day, gannen=gannen)
    assert parse_date(text) == day
    wareki = to_wareki(day)
    assert TABLE.to_date(wareki.era, wareki.year, wareki.month, wareki.day) == day
    assert wareki.era == TABLE.eras_on(day)[-1].name


@given(st.dates(min_value=date(1873, 1, 1), max_value=date(2099, 12, 31)))
def test_round_trip_through_era_code_entry(day: date) -> None:
    wareki = to_wareki(day)
    if wareki.year > 99:
        return
    code = TABLE.era(wareki.era).code
    assert parse_date(f"{code}{wareki.year:02d}{day.month:02d}{day.day:02d}") == day
