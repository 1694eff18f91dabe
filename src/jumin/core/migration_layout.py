"""Reading and writing the items of the migration layout (標準仕様 10.6 中間標準レイアウト, 10.8 CSV取込).

The layout (docs/migration.md) is one CSV file per table with a header row of Japanese item
names.  This module is the pure part: how one item is written as text and read back
(:func:`format_value`, :func:`read_value`), the per-row check (:func:`read_row`, an
:class:`Issue` per bad item, never raising) and the checks across records
(:class:`RegisterCheck`: 履歴番号 without gaps, 世帯主 and 続柄, households).

Messages never contain the value that was refused (it may be a 個人番号 or a 住民票コード),
only the record (line), the item and a stable code.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from jumin.core.check_digits import (
    RemainderOnePolicy,
    ResidentCodeFormula,
    is_valid_individual_number,
    is_valid_resident_code,
    m11_check_digit,
)
from jumin.core.errors import DomainError
from jumin.core.reasons import REASONS
from jumin.core.relationship import is_allowed
from jumin.core.uncertain_date import parse_uncertain_date
from jumin.core.wareki import EraTable

HEAD = "世帯主"


class Kind(StrEnum):
    """How an item is written in the layout."""

    TEXT = "text"  # as is
    CODE = "code"  # one of the column's choices
    DATE = "date"  # 西暦 YYYY-MM-DD
    DATETIME = "datetime"  # ISO 8601 with offset
    UNCERTAIN = "uncertain"  # 和暦/西暦/不詳日 as written (1.1.8); the sort date is derived
    FLAG = "flag"  # 1 / 0
    INTEGER = "integer"
    JSON = "json"
    NUMBER = "number"  # 宛名番号・世帯番号 (M11W2-7 check digit, 1.1.13)
    RESIDENT_CODE = "resident_code"  # 住民票コード (check digit)
    INDIVIDUAL_NUMBER = "individual_number"  # 個人番号 (check digit)
    RELATIONSHIP = "relationship"  # 続柄 (1.1.11)
    REASON = "reason"  # 異動事由 code (1.2.2)
    DIGITS = "digits"  # 住所コード, 郵便番号 … (half-width digits)


@dataclass(frozen=True)
class Column:
    """One item of a table: its header, the field it goes to, how it is written.

    ``max_length``: the database's limit (checked on read); ``sort_field``: for
    :attr:`Kind.UNCERTAIN`, the field that receives the derived sort date."""

    header: str
    field: str
    kind: Kind
    max_length: int | None = None
    required: bool = False
    choices: frozenset[str] = frozenset()
    sort_field: str = ""


@dataclass(frozen=True)
class Rules:
    """The register's settings the check digits and dates depend on."""

    eras: EraTable
    m11: RemainderOnePolicy = RemainderOnePolicy.ZERO
    formula: ResidentCodeFormula = ResidentCodeFormula.A


@dataclass(frozen=True, order=True)
class Issue:
    """One finding of the validation report: file, record (line of the file, the header is
    line 1), item (header), stable code and a Japanese message."""

    file: str
    record: int
    item: str
    code: str
    message: str


def _error(code: str, message: str) -> DomainError:
    return DomainError(f"migration.{code}", message)


# -- one item -------------------------------------------------------------------------------


def format_value(column: Column, value: Any) -> str:
    """The item as written in the layout (empty for no value)."""
    if value is None:
        return ""
    if column.kind is Kind.FLAG:
        return "1" if value else "0"
    if column.kind is Kind.JSON:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


@lru_cache(maxsize=65_536)
def _uncertain(text: str, eras: EraTable) -> date | None:
    return parse_uncertain_date(text, eras).internal_date(eras)


@lru_cache(maxsize=65_536)
def _iso_date(text: str) -> date:
    return date.fromisoformat(text)


def _number(text: str, policy: RemainderOnePolicy) -> str:
    if not (text.isascii() and text.isdigit()):
        raise _error("not_digits", "半角数字で記載してください。")
    if len(text) < 2 or m11_check_digit(text[:-1], policy) != text[-1]:
        raise _error("bad_check_digit", "検査数字が一致しません。")
    return text


def read_value(column: Column, text: str, rules: Rules) -> Any:
    """The item's value read from its text; raises :class:`DomainError` (code ``migration.*``).

    An empty text is the field's empty value: ``""``, or None for dates, numbers and JSON (the
    caller puts the field's default), False for flags; a required item must not be empty."""
    kind = column.kind
    if text == "":
        if column.required:
            raise _error("required", "必須の項目が空です。")
        return _EMPTY.get(kind, "")
    if column.max_length is not None and len(text) > column.max_length:
        raise _error("too_long", f"{column.max_length}文字を超えています。")
    if kind is Kind.TEXT:
        return text
    return _READERS[kind](column, text, rules)


def _read_code(column: Column, text: str, rules: Rules) -> str:
    if text not in column.choices:
        raise _error("bad_code", "コードが定義されていません。")
    return text


def _read_date(column: Column, text: str, rules: Rules) -> date:
    try:
        return _iso_date(text)
    except ValueError:
        raise _error("bad_date", "日付（西暦 YYYY-MM-DD）として読み取れません。") from None


def _read_datetime(column: Column, text: str, rules: Rules) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _error("bad_datetime", "日時（ISO 8601、時差付き）として読み取れません。") from None
    if moment.tzinfo is None:
        raise _error("naive_datetime", "日時に時差（+09:00 など）がありません。")
    return moment


def _read_uncertain(column: Column, text: str, rules: Rules) -> str:
    try:
        _uncertain(text, rules.eras)
    except DomainError:
        raise _error("bad_uncertain_date", "年月日（和暦・西暦・不詳日）として読み取れません。") from None
    return text


def _read_flag(column: Column, text: str, rules: Rules) -> bool:
    if text not in ("0", "1"):
        raise _error("bad_flag", "1 または 0 で記載してください。")
    return text == "1"


def _read_integer(column: Column, text: str, rules: Rules) -> int:
    if not (text.isascii() and text.isdigit()):
        raise _error("bad_integer", "0以上の整数で記載してください。")
    return int(text)


def _read_json(column: Column, text: str, rules: Rules) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise _error("bad_json", "JSON として読み取れません。") from None


def _read_number(column: Column, text: str, rules: Rules) -> str:
    return _number(text, rules.m11)


def _read_resident_code(column: Column, text: str, rules: Rules) -> str:
    if not is_valid_resident_code(text, rules.formula):
        raise _error("bad_resident_code", "住民票コードの桁数または検査数字が正しくありません。")
    return text


def _read_individual_number(column: Column, text: str, rules: Rules) -> str:
    if not is_valid_individual_number(text):
        raise _error("bad_individual_number", "個人番号の桁数または検査数字が正しくありません。")
    return text


def _read_relationship(column: Column, text: str, rules: Rules) -> str:
    if not is_allowed(text):
        raise _error("bad_relationship", "標準仕様で認められていない続柄です。")
    return text


def _read_reason(column: Column, text: str, rules: Rules) -> str:
    if text not in REASONS:
        raise _error("bad_reason", "異動事由のコードが定義されていません。")
    return text


def _read_digits(column: Column, text: str, rules: Rules) -> str:
    if not (text.isascii() and text.isdigit()):
        raise _error("not_digits", "半角数字で記載してください。")
    return text


_READERS = {
    Kind.CODE: _read_code,
    Kind.DATE: _read_date,
    Kind.DATETIME: _read_datetime,
    Kind.UNCERTAIN: _read_uncertain,
    Kind.FLAG: _read_flag,
    Kind.INTEGER: _read_integer,
    Kind.JSON: _read_json,
    Kind.NUMBER: _read_number,
    Kind.RESIDENT_CODE: _read_resident_code,
    Kind.INDIVIDUAL_NUMBER: _read_individual_number,
    Kind.RELATIONSHIP: _read_relationship,
    Kind.REASON: _read_reason,
    Kind.DIGITS: _read_digits,
}
_EMPTY: dict[Kind, Any] = {
    Kind.DATE: None,
    Kind.DATETIME: None,
    Kind.INTEGER: None,
    Kind.JSON: None,
    Kind.FLAG: False,
}


def sort_date(text: str, eras: EraTable) -> date | None:
    """The internal sort date of a written (possibly uncertain) date that :func:`read_value`
    accepted; None for an empty text."""
    return _uncertain(text, eras) if text else None


# -- one record -----------------------------------------------------------------------------


def check_header(file: str, header: Sequence[str], columns: Sequence[Column]) -> list[Issue]:
    """The header row must name every item of the table once (in any order); unknown items
    are refused rather than silently dropped."""
    issues = []
    known = {c.header for c in columns}
    seen: set[str] = set()
    for name in header:
        if name in seen:
            issues.append(Issue(file, 1, name, "migration.duplicate_item", "項目名が重複しています。"))
        elif name not in known:
            issues.append(Issue(file, 1, name, "migration.unknown_item", "レイアウトにない項目名です。"))
        seen.add(name)
    for column in columns:
        if column.header not in seen:
            issues.append(Issue(file, 1, column.header, "migration.missing_item", "項目がありません。"))
    return issues


def read_row(
    file: str, record: int, columns: Sequence[Column], row: Mapping[str, str], rules: Rules
) -> tuple[dict[str, Any], list[Issue]]:
    """Every item of one record read into field values (with the derived sort dates), and
    an :class:`Issue` per item that could not be read."""
    values: dict[str, Any] = {}
    issues: list[Issue] = []
    for column in columns:
        text = row.get(column.header, "")
        try:
            value = read_value(column, text, rules)
        except DomainError as error:
            issues.append(Issue(file, record, column.header, error.code, error.message))
            continue
        values[column.field] = value
        if column.sort_field:
            values[column.sort_field] = sort_date(value, rules.eras)
    return values, issues


class RowReader:
    """:func:`read_row` compiled once for a file's header: each record is read from the list of
    its items (in the header's order) with the same values and issues, without a mapping per
    record or a lookup per item (the import reads every item of up to millions of records).

    ``header`` must name every column (:func:`check_header` found nothing)."""

    def __init__(self, file: str, header: Sequence[str], columns: Sequence[Column], rules: Rules) -> None:
        self.file = file
        self.rules = rules
        position = {name: index for index, name in enumerate(header)}
        self._plan = [
            (position[c.header], c, _EMPTY.get(c.kind, ""), c.kind is Kind.TEXT and c.max_length is None)
            for c in columns
        ]

    def read(self, record: int, items: Sequence[str]) -> tuple[dict[str, Any], list[Issue]]:
        values: dict[str, Any] = {}
        issues: list[Issue] = []
        rules = self.rules
        for index, column, empty, plain in self._plan:
            text = items[index]
            if text == "" and not column.required:
                value = empty
            elif plain and text:
                value = text
            else:
                try:
                    value = read_value(column, text, rules)
                except DomainError as error:
                    issues.append(Issue(self.file, record, column.header, error.code, error.message))
                    continue
            values[column.field] = value
            if column.sort_field:
                values[column.sort_field] = _uncertain(value, rules.eras) if value else None
        return values, issues


# -- across records -------------------------------------------------------------------------


_CURRENT, _HEAD, _ARCHIVED = 1, 2, 4  # flags of a person's last row (and the 除票DB)


@dataclass(slots=True)
class _Irregular:
    """The 履歴番号 of a person whose rows did not come as 1, 2, 3 …, and the last of them."""

    numbers: set[int]
    latest: int


class RegisterCheck:
    """Checks that need more than one record: fed the history rows and the households in any
    order, :meth:`finish` returns the issues.

    * a history row: 世帯主区分 agrees with 続柄 「世帯主」; 区分 (記載/消除/修正) agrees with the
      異動事由; no (宛名番号, 履歴番号) twice; each person's 履歴番号 are 1..n without gaps; a
      person's rows are all in the register or all in the 除票DB;
    * the last row of each person decides: a current person's 世帯番号 is in the households
      file; a household has at most one current 世帯主, and its 世帯主の宛名番号 is that
      person (empty = 世帯主不在, 1.1.10); 現存 is set exactly when it has a current member;
      the last row of a person of the 除票DB is a 除票.

    The state is a few machine integers per person and per household, in arrays indexed by
    the order they were first seen (a register of a million persons is checked in one pass):
    a person whose 履歴番号 come as 1, 2, 3 … (as the export writes them) is known by their
    count alone; a set of numbers is kept only for a person whose rows come in another order."""

    def __init__(self, history_file: str = "住民.csv", household_file: str = "世帯.csv") -> None:
        self.history_file, self.household_file = history_file, household_file
        self.issues: list[Issue] = []
        self._persons: dict[str, int] = {}  # 宛名番号 -> index
        self._count = array("q")  # 履歴番号 accepted (regular: they are 1..count)
        self._irregular: dict[int, _Irregular] = {}
        self._first_record = array("q")
        self._archived_record = array("q")  # first row in the 除票DB (0: none)
        self._latest_record = array("q")
        self._latest_household = array("q")  # index of the 世帯番号
        self._flags = bytearray()
        self._households: dict[str, int] = {}  # 世帯番号 (of a row or of the file) -> index
        self._household_record = array("q")  # line in the households file (0: not in the file)
        self._household_head: list[str] = []
        self._household_active = bytearray()

    def history_row(
        self,
        record: int,
        atena_no: str,
        history_no: int,
        *,
        household_no: str,
        relationship: str,
        is_head: bool,
        current: bool,
        reason: str,
        category: str,
        archived: bool = False,
    ) -> None:
        self._row_issues(record, relationship=relationship, is_head=is_head, reason=reason, category=category)
        person = self._person(record, atena_no, archived)
        if archived and not self._archived_record[person]:
            self._archived_record[person] = record
        if bool(self._flags[person] & _ARCHIVED) != archived:
            self.issues.append(
                Issue(
                    self.history_file,
                    record,
                    "除票DB",
                    "migration.split_archive",
                    "同じ人の履歴が住民記録と除票DBに分かれています。",
                )
            )
        if not self._accept(person, history_no):
            self.issues.append(
                Issue(
                    self.history_file,
                    record,
                    "履歴番号",
                    "migration.duplicate_history",
                    "宛名番号と履歴番号の組が重複しています。",
                )
            )
            return
        if self._is_latest(person, history_no):
            flags = self._flags[person] & _ARCHIVED
            self._flags[person] = flags | (_CURRENT if current else 0) | (_HEAD if is_head else 0)
            self._latest_record[person] = record
            self._latest_household[person] = self._household(household_no)

    def _row_issues(self, record: int, *, relationship: str, is_head: bool, reason: str, category: str) -> None:
        file = self.history_file
        if is_head != (relationship == HEAD):
            self.issues.append(
                Issue(file, record, "世帯主", "migration.head_mismatch", "世帯主区分と続柄「世帯主」が一致しません。")
            )
        known = REASONS.get(reason)
        if known is not None and known.category.value != category:
            self.issues.append(
                Issue(file, record, "異動の区分", "migration.category_mismatch", "区分が異動事由の区分と一致しません。")
            )

    def _person(self, record: int, atena_no: str, archived: bool) -> int:
        """The person's index; a new person's first row decides register or 除票DB."""
        person = self._persons.get(atena_no)
        if person is None:
            person = self._persons[atena_no] = len(self._count)
            for numbers in (self._count, self._archived_record, self._latest_record, self._latest_household):
                numbers.append(0)
            self._first_record.append(record)
            self._flags.append(_ARCHIVED if archived else 0)
        return person

    def _accept(self, person: int, history_no: int) -> bool:
        """The 履歴番号 is new for the person (recorded); False for a duplicate."""
        irregular = self._irregular.get(person)
        count = self._count[person]
        if irregular is None:
            if 1 <= history_no <= count:
                return False
            if history_no != count + 1:  # out of order: from now on the numbers themselves
                irregular = self._irregular[person] = _Irregular(set(range(1, count + 1)), count)
        if irregular is not None:
            if history_no in irregular.numbers:
                return False
            irregular.numbers.add(history_no)
        self._count[person] = count + 1
        return True

    def _is_latest(self, person: int, history_no: int) -> bool:
        """The accepted 履歴番号 is the person's highest so far."""
        irregular = self._irregular.get(person)
        if irregular is None:
            return True  # regular: it is count
        if self._count[person] == 1 or history_no > irregular.latest:
            irregular.latest = history_no
            return True
        return False

    def _household(self, household_no: str) -> int:
        index = self._households.get(household_no)
        if index is None:
            index = self._households[household_no] = len(self._household_head)
            self._household_record.append(0)
            self._household_head.append("")
            self._household_active.append(0)
        return index

    def household(self, record: int, household_no: str, head_atena_no: str, is_active: bool) -> None:
        index = self._household(household_no)
        if self._household_record[index]:
            self.issues.append(
                Issue(
                    self.household_file,
                    record,
                    "世帯番号",
                    "migration.duplicate_household",
                    "世帯番号が重複しています。",
                )
            )
            return
        self._household_record[index] = record
        self._household_head[index] = head_atena_no
        self._household_active[index] = is_active

    def has_row(self, atena_no: str, history_no: int) -> bool:
        """A history row (宛名番号, 履歴番号) was seen."""
        person = self._persons.get(atena_no)
        if person is None:
            return False
        irregular = self._irregular.get(person)
        if irregular is None:
            return 1 <= history_no <= self._count[person]
        return history_no in irregular.numbers

    def is_current(self, atena_no: str) -> bool:
        """The person's last row is current (not a 除票)."""
        person = self._persons.get(atena_no)
        return person is not None and bool(self._flags[person] & _CURRENT)

    def known_persons(self) -> Container[str]:
        """Every person seen, for ``in`` (the references of other tables), without a copy."""
        return self._persons.keys()

    def current_persons(self) -> set[str]:
        """The 宛名番号 of the persons whose last row is current (not a 除票)."""
        return {atena_no for atena_no, person in self._persons.items() if self._flags[person] & _CURRENT}

    def persons(self) -> set[str]:
        """The 宛名番号 of every person seen (for the references of other tables)."""
        return set(self._persons)

    def finish(self) -> list[Issue]:
        issues = self.issues
        issues += self._gaps()
        issues += self._archived_current()
        heads, active = self._current_members(issues)
        for index, record in enumerate(self._household_record):
            if record:
                issues.extend(
                    self._household_issues(
                        record,
                        head=self._household_head[index],
                        is_active=bool(self._household_active[index]),
                        found=heads.get(index, []),
                        has_member=bool(active[index]),
                    )
                )
        return sorted(issues)

    def _gaps(self) -> Iterator[Issue]:
        for person, irregular in self._irregular.items():
            if irregular.numbers != set(range(1, len(irregular.numbers) + 1)):
                yield Issue(
                    self.history_file,
                    self._first_record[person],
                    "履歴番号",
                    "migration.history_gap",
                    "履歴番号が1から連続していません。",
                )

    def _archived_current(self) -> Iterator[Issue]:
        for person, record in enumerate(self._archived_record):
            if record and self._flags[person] & _CURRENT:
                yield Issue(
                    self.history_file,
                    record,
                    "現存区分",
                    "migration.archived_current",
                    "除票DBの人の最後の履歴は除票です。",
                )

    def _current_members(self, issues: list[Issue]) -> tuple[dict[int, list[int]], bytearray]:
        """The current 世帯主 by household (persons' indexes) and which households have a
        current member; a current person's household not in the file is an issue."""
        heads: dict[int, list[int]] = {}
        active = bytearray(len(self._household_head))
        for person, flags in enumerate(self._flags):
            if not flags & _CURRENT:
                continue
            household = self._latest_household[person]
            active[household] = 1
            if not self._household_record[household]:
                issues.append(
                    Issue(
                        self.history_file,
                        self._latest_record[person],
                        "世帯番号",
                        "migration.unknown_household",
                        "世帯の一覧にない世帯番号です。",
                    )
                )
            if flags & _HEAD:
                heads.setdefault(household, []).append(person)
        return heads, active

    def _household_issues(
        self, record: int, *, head: str, is_active: bool, found: list[int], has_member: bool
    ) -> Iterator[Issue]:
        file = self.household_file
        if len(found) > 1:
            yield Issue(file, record, "世帯主の宛名番号", "migration.two_heads", "現存の世帯主が2人以上います。")
        elif (self._persons.get(head) != found[0]) if found else head != "":
            yield Issue(
                file, record, "世帯主の宛名番号", "migration.head_not_member", "世帯主が住民の記録と一致しません。"
            )
        if is_active != has_member:
            yield Issue(file, record, "現存", "migration.active_mismatch", "現存の区分が世帯員の有無と一致しません。")


def unknown_references(
    file: str, item: str, references: Iterable[tuple[int, str]], known: Container[str]
) -> list[Issue]:
    """An :class:`Issue` for each (record, 宛名番号) that is not a person of the register."""
    return [
        Issue(file, record, item, "migration.unknown_person", "住民の記録にない宛名番号です。")
        for record, atena_no in references
        if atena_no and atena_no not in known
    ]
