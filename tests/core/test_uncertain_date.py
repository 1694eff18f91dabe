"""Uncertain dates: the 14 不詳 forms and non-calendar 戸籍 dates of spec 1.1.8."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.errors import DomainError
from jumin.core.uncertain_date import (
    UNCERTAIN_PATTERNS,
    Calendar,
    Pattern,
    UncertainDate,
    parse_uncertain_date,
)
from jumin.core.wareki import EraTable

# The 14 forms of the 不詳日入力一覧, one example each, with the internal date (earliest day).
FOURTEEN_FORMS = [
    ("令和2年頃", Pattern.YEAR_ABOUT, date(2020, 1, 1)),
    ("令和2年3月頃", Pattern.MONTH_ABOUT, date(2020, 3, 1)),
    ("令和2年3月4日頃", Pattern.DAY_ABOUT, date(2020, 3, 4)),
    ("推定令和2年3月4日", Pattern.ESTIMATED_DAY, date(2020, 3, 4)),
    ("推定令和2年3月", Pattern.ESTIMATED_MONTH, date(2020, 3, 1)),
    ("令和2年春", Pattern.SEASON, date(2020, 3, 1)),
    ("令和2年3月上旬", Pattern.MONTH_PART, date(2020, 3, 1)),
    ("令和2年3月中旬頃", Pattern.MONTH_PART_ABOUT, date(2020, 3, 11)),
    ("年月日不詳", Pattern.UNKNOWN, None),
    ("令和2年　月日不詳", Pattern.MONTH_DAY_UNKNOWN, date(2020, 1, 1)),
    ("令和2年3月　日不詳", Pattern.DAY_UNKNOWN, date(2020, 3, 1)),
    ("令和2年3月4日から4月5日頃までの間", Pattern.RANGE_TO_ABOUT, date(2020, 3, 4)),
    ("令和2年3月推定4日から9日までの間", Pattern.RANGE_ESTIMATED_DAYS, date(2020, 3, 4)),
    ("令和2年3月4日頃から9日頃までの間", Pattern.RANGE_ABOUT_DAYS, date(2020, 3, 4)),
]


def test_there_are_fourteen_uncertain_forms() -> None:
    assert len(UNCERTAIN_PATTERNS) == 14
    assert {pattern for _, pattern, _ in FOURTEEN_FORMS} == set(UNCERTAIN_PATTERNS)


@pytest.mark.spec("1.1.8", partial=True)
@pytest.mark.parametrize(("text", "pattern", "internal"), FOURTEEN_FORMS)
def test_each_uncertain_form_is_kept_as_written_with_an_internal_date(
    text: str, pattern: Pattern, internal: date | None
) -> None:
    value = parse_uncertain_date(text)
    assert value.pattern is pattern
    assert value.text == text
    assert value.is_uncertain
    assert value.internal_date() == internal
    assert parse_uncertain_date(value.text) == value


@pytest.mark.spec("1.1.8", partial=True)
@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("令和2年 月日不詳", "令和2年　月日不詳"),
        ("令和2年月日不詳", "令和2年　月日不詳"),
        ("令和２年３月 日不詳", "令和2年3月　日不詳"),
        ("令和2年3月下旬", "令和2年3月下旬"),
        ("令和2年3月上旬頃", "令和2年3月上旬頃"),
        ("平成元年夏", "平成元年夏"),
        ("平成1年秋", "平成元年秋"),
        ("1970年頃", "1970年頃"),
    ],
)
def test_typed_variants_become_the_canonical_text(typed: str, canonical: str) -> None:
    assert parse_uncertain_date(typed).text == canonical


@pytest.mark.spec("1.1.8", partial=True)
@pytest.mark.parametrize(
    ("text", "internal"),
    [
        ("令和3年2月29日", date(2021, 2, 28)),  # 2/29 of a common year, as in the 戸籍
        ("昭和45年2月30日", date(1970, 2, 28)),
        ("明治5年1月1日", date(1872, 1, 1)),  # lunisolar calendar
        ("明治元年1月1日", date(1868, 1, 1)),  # lunisolar 1月1日, before 1868-01-25
    ],
)
def test_non_calendar_dates_are_accepted_with_a_clamped_internal_date(text: str, internal: date) -> None:
    value = parse_uncertain_date(text)
    assert value.pattern is Pattern.NON_CALENDAR
    assert value.text == text
    assert not value.is_uncertain
    assert value.internal_date() == internal


@pytest.mark.spec("1.1.8", partial=True)
def test_era_change_days_are_exact_dates_in_both_eras() -> None:
    meiji = parse_uncertain_date("明治45年7月30日")
    taisho = parse_uncertain_date("大正元年7月30日")
    assert meiji.pattern is taisho.pattern is Pattern.EXACT
    assert meiji.internal_date() == taisho.internal_date() == date(1912, 7, 30)
    assert parse_uncertain_date("大正15年12月25日").internal_date() == date(1926, 12, 25)


def test_internal_date_never_precedes_the_era() -> None:
    assert parse_uncertain_date("令和元年頃").internal_date() == date(2019, 5, 1)
    assert parse_uncertain_date("平成元年冬").internal_date() == date(1989, 1, 8)


def test_fields_that_allow_only_calendar_dates() -> None:
    with pytest.raises(DomainError) as info:
        parse_uncertain_date("令和2年頃", allow_uncertain=False)
    assert info.value.code == "date.uncertain_not_allowed"
    with pytest.raises(DomainError) as info:
        parse_uncertain_date("令和3年2月29日", allow_non_calendar=False)
    assert info.value.code == "date.not_on_calendar"
    assert parse_uncertain_date("R3.2.28", allow_uncertain=False, allow_non_calendar=False).text == "令和3年2月28日"


@pytest.mark.spec("1.1.8", "1.1.9", partial=True)
def test_calendar_of_the_item() -> None:
    # A Japanese resident's 生年月日 is kept in 和暦, a foreign resident's in 西暦.
    assert parse_uncertain_date("1970-03-01", calendar=Calendar.WAREKI).text == "昭和45年3月1日"
    assert parse_uncertain_date("昭和45年3月1日", calendar=Calendar.SEIREKI).text == "1970年3月1日"
    assert parse_uncertain_date("S45.3.1", calendar=Calendar.WAREKI).text == "昭和45年3月1日"
    assert parse_uncertain_date("年月日不詳", calendar=Calendar.SEIREKI).pattern is Pattern.UNKNOWN
    with pytest.raises(DomainError) as info:
        parse_uncertain_date("1970年頃", calendar=Calendar.WAREKI)
    assert info.value.code == "date.wrong_calendar"
    assert "和暦" in info.value.message
    with pytest.raises(DomainError) as info:
        parse_uncertain_date("昭和45年頃", calendar=Calendar.SEIREKI)
    assert "西暦" in info.value.message


def test_short_forms_are_exact_dates() -> None:
    assert parse_uncertain_date("5020304") == UncertainDate(Pattern.EXACT, "令和", 2, 3, 4)
    assert parse_uncertain_date("R2.3.4") == UncertainDate(Pattern.EXACT, "令和", 2, 3, 4)
    assert parse_uncertain_date("2020-03-04") == UncertainDate(Pattern.EXACT, None, 2020, 3, 4)
    assert parse_uncertain_date("2020年3月4日").text == "2020年3月4日"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("そのうち", "date.unparseable"),
        ("令和2年13月頃", "date.bad_month"),
        ("令和2年2月30日頃", "date.not_on_calendar"),
        ("令和2年3月32日", "date.bad_day"),
        ("令和2年3月9日から3月4日頃までの間", "date.bad_range"),
        ("令和2年3月推定4日から4日までの間", "date.bad_range"),
        ("令和2年3月4日から13月4日頃までの間", "date.bad_month"),
        ("昭和70年頃", "wareki.bad_year"),
        ("昭和70年3月1日", "wareki.bad_year"),
        ("10000年頃", "date.unparseable"),
        ("天平2年頃", "date.unparseable"),
        ("令和2年5年頃", "date.unparseable"),
        ("元年頃", "date.gannen_without_era"),
        ("R9.9.99", "date.unparseable"),
    ],
)
def test_bad_uncertain_dates(text: str, code: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_uncertain_date(text)
    assert info.value.code == code


@pytest.mark.parametrize(
    "value",
    [
        UncertainDate(Pattern.YEAR_ABOUT),
        UncertainDate(Pattern.YEAR_ABOUT, None, 0),
        UncertainDate(Pattern.YEAR_ABOUT, "令和", 2, month=3),
        UncertainDate(Pattern.MONTH_ABOUT, "令和", 2),
        UncertainDate(Pattern.DAY_ABOUT, "令和", 2, 3),
        UncertainDate(Pattern.RANGE_ABOUT_DAYS, "令和", 2, 3, 4),
        UncertainDate(Pattern.RANGE_ABOUT_DAYS, "令和", 2, 3, 4, end_month=4, end_day=5),
        UncertainDate(Pattern.SEASON, "令和", 2, season="梅雨"),
        UncertainDate(Pattern.MONTH_PART, "令和", 2, 3),
        UncertainDate(Pattern.MONTH_PART, "令和", 2, 3, month_part="初旬"),
        UncertainDate(Pattern.NON_CALENDAR, "令和", 2, 3, 4),
        UncertainDate(Pattern.EXACT, "平成", 31, 5, 1),
        UncertainDate(Pattern.RANGE_TO_ABOUT, "令和", 2, 3, 4, end_month=0, end_day=1),
    ],
)
def test_parts_must_fit_the_pattern(value: UncertainDate) -> None:
    with pytest.raises(DomainError):
        value.validate()


def test_validate_returns_the_value_and_accepts_unknown() -> None:
    assert UncertainDate.unknown().validate() == UncertainDate(Pattern.UNKNOWN)
    value = UncertainDate(Pattern.SEASON, "令和", 2, season="秋")
    assert value.validate() is value
    assert str(value) == "令和2年秋"
    assert value.format(gannen=False) == "令和2年秋"
    assert UncertainDate(Pattern.YEAR_ABOUT, "令和", 1).format(gannen=False) == "令和1年頃"


def test_exact_constructor() -> None:
    assert UncertainDate.exact(date(2019, 5, 1)).text == "令和元年5月1日"
    assert UncertainDate.exact(date(2019, 5, 1), seireki=True).text == "2019年5月1日"


def test_sort_key_orders_unknown_first_then_by_internal_date() -> None:
    texts = ["令和2年3月4日", "年月日不詳", "令和2年頃", "令和2年3月", "平成31年4月30日"]
    values = [parse_uncertain_date(t) if t != "令和2年3月" else parse_uncertain_date("推定令和2年3月") for t in texts]
    ordered = [v.text for v in sorted(values, key=lambda v: v.sort_key())]
    assert ordered == ["年月日不詳", "平成31年4月30日", "令和2年頃", "推定令和2年3月", "令和2年3月4日"]


_ERAS = EraTable.default()


@st.composite
def uncertain_dates(draw: st.DrawFn) -> UncertainDate:
    pattern = draw(st.sampled_from(list(Pattern)))
    if pattern is Pattern.UNKNOWN:
        return UncertainDate.unknown()
    day = draw(st.dates(min_value=date(1873, 1, 1), max_value=date(2100, 12, 31)))
    seireki = draw(st.booleans())
    base = UncertainDate.exact(day, seireki=seireki)
    fields: dict[str, object] = {"era": base.era, "year": base.year}
    month_patterns = {
        Pattern.MONTH_ABOUT,
        Pattern.ESTIMATED_MONTH,
        Pattern.MONTH_PART,
        Pattern.MONTH_PART_ABOUT,
        Pattern.DAY_UNKNOWN,
    }
    if pattern in month_patterns:
        fields["month"] = day.month
    if pattern in (Pattern.MONTH_PART, Pattern.MONTH_PART_ABOUT):
        fields["month_part"] = draw(st.sampled_from(["上旬", "中旬", "下旬"]))
    if pattern is Pattern.SEASON:
        fields["season"] = draw(st.sampled_from(["春", "夏", "秋", "冬"]))
    if pattern in (Pattern.EXACT, Pattern.DAY_ABOUT, Pattern.ESTIMATED_DAY):
        fields.update(month=day.month, day=day.day)
    if pattern in (Pattern.RANGE_ESTIMATED_DAYS, Pattern.RANGE_ABOUT_DAYS, Pattern.RANGE_TO_ABOUT):
        if day.day >= 28:
            return base
        fields.update(month=day.month, day=day.day, end_day=day.day + 1)
        if pattern is Pattern.RANGE_TO_ABOUT:
            fields["end_month"] = day.month
    if pattern is Pattern.NON_CALENDAR:
        fields.update(month=2, day=30)
    return UncertainDate(pattern, **fields)  # type: ignore[arg-type]


@given(uncertain_dates())
def test_text_round_trips_and_internal_date_is_consistent(value: UncertainDate) -> None:
    try:
        value.validate()
    except DomainError:
        return  # e.g. a 和暦 year that starts before its era's first day
    parsed = parse_uncertain_date(value.text)
    assert parsed == value
    internal = value.internal_date()
    if internal is not None and value.pattern is Pattern.EXACT:
        assert UncertainDate.exact(internal, seireki=value.era is None) == value


def test_non_calendar_dates_in_seireki() -> None:
    value = parse_uncertain_date("2021年2月29日")
    assert value.pattern is Pattern.NON_CALENDAR and value.era is None
    assert value.internal_date() == date(2021, 2, 28)
    with pytest.raises(DomainError) as info:
        UncertainDate(Pattern.NON_CALENDAR, None, 2021, 3, 1).validate()
    assert info.value.code == "date.is_calendar_date"


@pytest.mark.spec("1.1.8", partial=True)
@pytest.mark.spec("1.1.9", partial=True)
@pytest.mark.parametrize(
    "text",
    [
        "平成31年5月1日",  # 平成 ended 2019-04-30
        "昭和64年1月8日",  # 昭和 ended 1989-01-07
        "令和元年4月30日",  # 令和 began 2019-05-01
        "平成元年1月7日",
        "平成31年5月頃",
        "平成31年5月上旬",
        "令和元年4月頃",
        "推定令和元年4月30日",
        "平成31年5月1日頃",
        "昭和64年2月30日",  # not on the calendar, and after the era anyway
        "令和元年4月31日",
        "令和元年4月1日から4月30日頃までの間",
        "令和元年4月1日頃から30日頃までの間",
    ],
)
def test_a_day_outside_its_era_is_refused_not_kept_as_a_koseki_date(text: str) -> None:
    with pytest.raises(DomainError) as error:
        parse_uncertain_date(text)
    assert error.value.code == "wareki.outside_era"
    assert text not in error.value.message


@pytest.mark.spec("1.1.8", partial=True)
@pytest.mark.parametrize(
    "text",
    [
        "平成31年4月30日",
        "令和元年5月1日",
        "平成31年頃",
        "令和元年頃",
        "平成31年4月頃",
        "令和元年5月頃",
        "昭和64年1月頃",
    ],
)
def test_periods_that_overlap_the_era_are_accepted(text: str) -> None:
    assert parse_uncertain_date(text).text == text
