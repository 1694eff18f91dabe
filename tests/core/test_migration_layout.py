"""The pure part of the migration layout (spec 10.6 / 10.8): items written and read back, the
per-record report, the checks across records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.core.check_digits import (
    individual_number_check_digit,
    resident_code_check_digit,
    with_m11_check_digit,
)
from jumin.core.errors import DomainError
from jumin.core.migration_layout import (
    HEAD,
    Column,
    Issue,
    Kind,
    RegisterCheck,
    RowReader,
    Rules,
    check_header,
    format_value,
    read_row,
    read_value,
    sort_date,
    unknown_references,
)
from jumin.core.wareki import EraTable

pytestmark = pytest.mark.spec("10.8", partial=True)

RULES = Rules(eras=EraTable.default())
ATENA = with_m11_check_digit(1234, 8)
assert ATENA is not None


def col(kind: Kind, **kwargs: object) -> Column:
    return Column("項目", "item", kind, **kwargs)  # type: ignore[arg-type]


def code_of(kind: Kind, text: str, **kwargs: object) -> str:
    with pytest.raises(DomainError) as info:
        read_value(col(kind, **kwargs), text, RULES)
    return info.value.code


def test_each_kind_reads_what_it_writes() -> None:
    moment = datetime(2026, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    number = "12345678901" + individual_number_check_digit("12345678901")
    code = "1234567890" + resident_code_check_digit("1234567890")
    cases: list[tuple[Column, object]] = [
        (col(Kind.TEXT), "上尾　太郎"),
        (col(Kind.CODE, choices=frozenset({"1", "2"})), "2"),
        (col(Kind.DATE), date(2026, 2, 28)),
        (col(Kind.DATETIME), moment),
        (col(Kind.UNCERTAIN), "令和8年11月26日"),
        (col(Kind.FLAG), True),
        (col(Kind.FLAG), False),
        (col(Kind.INTEGER), 12),
        (col(Kind.JSON), [{"alias": "上尾", "記載": "2020-01-01"}]),
        (col(Kind.NUMBER), ATENA),
        (col(Kind.RESIDENT_CODE), code),
        (col(Kind.INDIVIDUAL_NUMBER), number),
        (col(Kind.RELATIONSHIP), "子の妻"),
        (col(Kind.REASON), "birth"),
        (col(Kind.DIGITS), "3620014"),
    ]
    for column, value in cases:
        assert read_value(column, format_value(column, value), RULES) == value
    assert format_value(col(Kind.DATE), None) == ""


def test_empty_items() -> None:
    assert read_value(col(Kind.DATE), "", RULES) is None
    assert read_value(col(Kind.FLAG), "", RULES) is False
    assert read_value(col(Kind.TEXT), "", RULES) == ""
    assert read_value(col(Kind.JSON), "", RULES) is None
    assert code_of(Kind.TEXT, "", required=True) == "migration.required"


@pytest.mark.parametrize(
    ("kind", "text", "code"),
    [
        (Kind.CODE, "9", "migration.bad_code"),
        (Kind.DATE, "R8.1.1", "migration.bad_date"),
        (Kind.DATETIME, "yesterday", "migration.bad_datetime"),
        (Kind.DATETIME, "2026-12-01T09:00:00", "migration.naive_datetime"),
        (Kind.UNCERTAIN, "いつか", "migration.bad_uncertain_date"),
        (Kind.FLAG, "yes", "migration.bad_flag"),
        (Kind.INTEGER, "-1", "migration.bad_integer"),
        (Kind.JSON, "{", "migration.bad_json"),
        (Kind.NUMBER, "１２３", "migration.not_digits"),
        (Kind.NUMBER, "1", "migration.bad_check_digit"),
        (Kind.NUMBER, ATENA[:-1] + str((int(ATENA[-1]) + 1) % 10), "migration.bad_check_digit"),
        (Kind.RESIDENT_CODE, "12345678901", "migration.bad_resident_code"),
        (Kind.INDIVIDUAL_NUMBER, "123456789012", "migration.bad_individual_number"),
        (Kind.RELATIONSHIP, "準世帯主", "migration.bad_relationship"),
        (Kind.REASON, "teleport", "migration.bad_reason"),
        (Kind.DIGITS, "362-0014", "migration.not_digits"),
    ],
)
def test_bad_items_have_codes(kind: Kind, text: str, code: str) -> None:
    assert code_of(kind, text) == code


def test_too_long_is_checked_with_the_database_limit() -> None:
    assert code_of(Kind.TEXT, "あ" * 6, max_length=5) == "migration.too_long"
    assert read_value(col(Kind.TEXT, max_length=5), "あ" * 5, RULES) == "あ" * 5


def test_sort_dates_are_derived() -> None:
    assert sort_date("", RULES.eras) is None
    assert sort_date("令和8年11月26日", RULES.eras) == date(2026, 11, 26)
    assert sort_date("昭和55年月日不詳", RULES.eras) is not None


def test_header_must_name_each_item_once() -> None:
    columns = [Column("宛名番号", "atena_no", Kind.NUMBER), Column("氏", "surname", Kind.TEXT)]
    assert check_header("住民.csv", ["宛名番号", "氏"], columns) == []
    found = check_header("住民.csv", ["宛名番号", "宛名番号", "年齢"], columns)
    assert [(i.item, i.code) for i in found] == [
        ("宛名番号", "migration.duplicate_item"),
        ("年齢", "migration.unknown_item"),
        ("氏", "migration.missing_item"),
    ]


def test_read_row_reports_every_bad_item_without_its_value() -> None:
    columns = [
        Column("宛名番号", "atena_no", Kind.NUMBER, required=True),
        Column("生年月日", "birth_text", Kind.UNCERTAIN, sort_field="birth_sort"),
        Column("個人番号", "individual_number", Kind.INDIVIDUAL_NUMBER),
    ]
    values, issues = read_row(
        "住民.csv", 2, columns, {"宛名番号": ATENA, "生年月日": "平成2年3月4日", "個人番号": "999999999999"}, RULES
    )
    assert values == {"atena_no": ATENA, "birth_text": "平成2年3月4日", "birth_sort": date(1990, 3, 4)}
    assert issues == [
        Issue(
            "住民.csv",
            2,
            "個人番号",
            "migration.bad_individual_number",
            "個人番号の桁数または検査数字が正しくありません。",
        )
    ]
    assert "999999999999" not in str(issues)


def test_row_reader_reads_what_read_row_reads() -> None:
    columns = [
        Column("宛名番号", "atena_no", Kind.NUMBER, required=True),
        Column("氏名", "name", Kind.TEXT, required=True),
        Column("備考", "remark", Kind.TEXT),
        Column("方書", "katagaki", Kind.TEXT, max_length=3),
        Column("生年月日", "birth_text", Kind.UNCERTAIN, sort_field="birth_sort"),
        Column("消除日", "removed_text", Kind.UNCERTAIN, sort_field="removed_sort"),
        Column("世帯主", "is_head", Kind.FLAG),
        Column("異動日", "moved_on", Kind.DATE),
    ]
    header = ["異動日", "世帯主", "消除日", "生年月日", "方書", "備考", "氏名", "宛名番号"]
    reader = RowReader("住民.csv", header, columns, RULES)
    rows = [
        ["2026-01-02", "1", "", "平成2年3月4日", "", "", "上尾　太郎", ATENA],
        ["", "", "令和1年5月1日", "", "あいう", "メモ", "上尾　花子", ATENA],
        ["2026-13-01", "2", "", "昭和", "あいうえ", "", "", "12"],
        ["", "0", "", "", "", "", "", ""],
    ]
    for record, items in enumerate(rows, start=2):
        row = dict(zip(header, items, strict=True))
        assert reader.read(record, items) == read_row("住民.csv", record, columns, row, RULES)
    values, issues = reader.read(4, rows[2])
    assert [i.item for i in issues] == ["宛名番号", "氏名", "方書", "生年月日", "世帯主", "異動日"]
    assert values == {"remark": "", "removed_text": "", "removed_sort": None}


def _history(check: RegisterCheck, record: int, atena: str, number: int, **kwargs: object) -> None:
    values: dict[str, object] = {
        "household_no": "H",
        "relationship": "世帯主",
        "is_head": True,
        "current": True,
        "reason": "birth",
        "category": "add",
    }
    values.update(kwargs)
    check.history_row(record, atena, number, **values)  # type: ignore[arg-type]


def test_a_consistent_register_has_no_issues() -> None:
    check = RegisterCheck()
    _history(check, 2, "A", 1)
    _history(check, 3, "B", 2, relationship="子", is_head=False, reason="unknown_reason_of_old_system")
    _history(check, 4, "B", 1, relationship="子", is_head=False)
    _history(check, 5, "C", 1, household_no="G", current=False, reason="death", category="remove")
    check.household(2, "H", "A", True)
    check.household(3, "G", "", False)
    assert check.finish() == []
    assert check.persons() == {"A", "B", "C"}
    assert check.current_persons() == {"A", "B"}
    assert check.has_row("B", 2) and not check.has_row("B", 3) and not check.has_row("Z", 1)
    assert check.is_current("A") and not check.is_current("C") and not check.is_current("Z")
    persons = check.known_persons()
    assert "C" in persons and "Z" not in persons


def codes(issues: list[Issue]) -> list[tuple[int, str]]:
    return [(i.record, i.code) for i in issues]


def test_history_rows_checked_one_by_one() -> None:
    check = RegisterCheck()
    _history(check, 2, "A", 1, relationship="子")  # head flag without 世帯主
    _history(check, 3, "A", 2, reason="death")  # 消除 reason as 記載
    _history(check, 4, "A", 2)  # twice
    _history(check, 5, "A", 4)  # gap (3 missing)
    check.household(2, "H", "A", True)
    check.household(3, "H", "A", True)
    assert sorted(codes(check.finish())) == [
        (2, "migration.head_mismatch"),
        (2, "migration.history_gap"),
        (3, "migration.category_mismatch"),
        (3, "migration.duplicate_household"),
        (4, "migration.duplicate_history"),
    ]


def test_households_against_their_members() -> None:
    check = RegisterCheck()
    _history(check, 2, "A", 1)
    _history(check, 3, "B", 1)  # a second current head of H
    _history(check, 4, "C", 1, household_no="X")  # household not in the file
    _history(check, 5, "D", 1, household_no="K", relationship="子", is_head=False)
    check.household(2, "H", "A", True)
    check.household(3, "K", "D", False)  # D is not head; K has a member but is not 現存
    check.household(4, "E", "", True)  # 現存 without members
    found = check.finish()
    assert sorted((i.file, i.record, i.code) for i in found) == [
        ("世帯.csv", 2, "migration.two_heads"),
        ("世帯.csv", 3, "migration.active_mismatch"),
        ("世帯.csv", 3, "migration.head_not_member"),
        ("世帯.csv", 4, "migration.active_mismatch"),
        ("住民.csv", 4, "migration.unknown_household"),
    ]


def test_unknown_references() -> None:
    found = unknown_references("支援対象者.csv", "宛名番号", [(2, "A"), (3, ""), (4, "Z")], {"A"})
    assert codes(found) == [(4, "migration.unknown_person")]


def test_the_register_and_the_archive_are_not_mixed() -> None:
    check = RegisterCheck()
    _history(check, 2, "A", 1, current=False, reason="death", category="remove", archived=True)
    _history(check, 3, "A", 2, current=False, reason="death", category="remove")  # in the register
    _history(check, 4, "B", 1, household_no="G", archived=True)  # current in the 除票DB
    check.household(2, "G", "B", True)
    assert sorted(codes(check.finish())) == [(3, "migration.split_archive"), (4, "migration.archived_current")]


def _reference(
    rows: list[tuple[str, int, str, bool, bool, bool]], households: list[tuple[str, str, bool]]
) -> list[tuple[int, str]]:
    """The checks across records written plainly (a set per person), to compare with."""
    numbers: dict[str, set[int]] = {}
    first: dict[str, int] = {}
    archived_first: dict[str, int] = {}
    archived_of: dict[str, bool] = {}
    latest: dict[str, tuple[int, int, str, bool, bool]] = {}
    found: list[tuple[int, str]] = []
    for record, (atena, number, household, current, head, archived) in enumerate(rows, start=2):
        if archived_of.setdefault(atena, archived) != archived:
            found.append((record, "migration.split_archive"))
        if archived:
            archived_first.setdefault(atena, record)
        seen = numbers.setdefault(atena, set())
        first.setdefault(atena, record)
        if number in seen:
            found.append((record, "migration.duplicate_history"))
            continue
        seen.add(number)
        if atena not in latest or number > latest[atena][0]:
            latest[atena] = (number, record, household, current, head)
    found += [(first[a], "migration.history_gap") for a, n in numbers.items() if n != set(range(1, len(n) + 1))]
    found += [(r, "migration.archived_current") for a, r in archived_first.items() if latest[a][3]]
    listed: dict[str, tuple[int, str, bool]] = {}
    for record, (household, head, active) in enumerate(households, start=2):
        if household in listed:
            found.append((record, "migration.duplicate_household"))
        else:
            listed[household] = (record, head, active)
    heads: dict[str, list[str]] = {}
    members: set[str] = set()
    for atena, (_, record, household, current, head) in latest.items():
        if current:
            members.add(household)
            if household not in listed:
                found.append((record, "migration.unknown_household"))
            if head:
                heads.setdefault(household, []).append(atena)
    for household, (record, head, active) in listed.items():
        current_heads = heads.get(household, [])
        if len(current_heads) > 1:
            found.append((record, "migration.two_heads"))
        elif (current_heads[0] if current_heads else "") != head:
            found.append((record, "migration.head_not_member"))
        if active != (household in members):
            found.append((record, "migration.active_mismatch"))
    return sorted(found)


_ROWS = st.lists(
    st.tuples(
        st.sampled_from("ABCD"),
        st.integers(min_value=0, max_value=4),
        st.sampled_from(["H", "G", "K"]),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    ),
    max_size=12,
)
_HOUSEHOLDS = st.lists(
    st.tuples(st.sampled_from(["H", "G", "X"]), st.sampled_from(["", "A", "B", "Z"]), st.booleans()), max_size=4
)


@given(rows=_ROWS, households=_HOUSEHOLDS)
def test_the_compact_check_finds_what_a_set_per_person_finds(
    rows: list[tuple[str, int, str, bool, bool, bool]], households: list[tuple[str, str, bool]]
) -> None:
    check = RegisterCheck()
    for record, (atena, number, household, current, head, archived) in enumerate(rows, start=2):
        check.history_row(
            record,
            atena,
            number,
            household_no=household,
            relationship=HEAD if head else "子",
            is_head=head,
            current=current,
            reason="birth",
            category="add",
            archived=archived,
        )
    for record, (household, head, active) in enumerate(households, start=2):
        check.household(record, household, head, active)
    found = sorted(codes(check.finish()))
    assert found == _reference(rows, households)
    seen = {(atena, number) for atena, number, *_ in rows}
    for atena in "ABCDZ":
        for number in range(6):
            assert check.has_row(atena, number) == ((atena, number) in seen)
    assert check.persons() == {atena for atena, *_ in rows}


# -- properties ---------------------------------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@given(_TEXT.filter(bool))
def test_text_round_trips(text: str) -> None:
    column = col(Kind.TEXT)
    assert read_value(column, format_value(column, text), RULES) == text


@given(
    st.recursive(st.none() | st.booleans() | st.integers() | _TEXT, lambda c: st.lists(c) | st.dictionaries(_TEXT, c))
)
def test_json_round_trips(value: object) -> None:
    column = col(Kind.JSON)
    text = format_value(column, value)
    assert text == "" if value is None else read_value(column, text, RULES) == value


@given(_DATES, st.datetimes(timezones=st.just(UTC)))
def test_dates_round_trip(day: date, moment: datetime) -> None:
    assert read_value(col(Kind.DATE), format_value(col(Kind.DATE), day), RULES) == day
    assert read_value(col(Kind.DATETIME), format_value(col(Kind.DATETIME), moment), RULES) == moment


@given(st.integers(min_value=1, max_value=10**7 - 1))
def test_numbers_with_their_check_digit_are_accepted(serial: int) -> None:
    number = with_m11_check_digit(serial, 8)
    if number is not None:
        assert read_value(col(Kind.NUMBER), number, RULES) == number
