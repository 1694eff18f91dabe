"""Import a register in the migration layout (標準仕様 10.8 CSV取込; the layout of 10.6).

Two passes over the files:

1. **Validation** of every record before anything is written (:func:`validate`): each item
   (check digits of 宛名番号・世帯番号・住民票コード・個人番号, codes, dates, 続柄, the
   database's lengths) and the checks across records of
   :class:`jumin.core.migration_layout.RegisterCheck` (履歴番号, 世帯主, households) and the
   references between the files.  The result is a list of :class:`Issue` — the report.
2. **Writing**, only when there is no issue, into an empty register only, in one
   transaction: movements, then the history rows (main and 除票DB) with the 個人番号 sealed
   and the search keys derived, written in bulk like ``jumin seed-city`` (COPY on PostgreSQL,
   ``executemany`` on SQLite); the projections (``Resident``, ``ArchivedResident``) by one
   ``INSERT … SELECT`` each from the last history row of every person; households, manual
   記載順位, 支援措置 and 抑止; the number sequences past every imported number.
"""

from __future__ import annotations

import csv
import pickle  # nosec B403 - only our own temporary spool file is read back
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.services import record_operation, record_setting
from jumin.conf.domain import era_table, m11_remainder_one_policy, resident_code_formula
from jumin.core.errors import DomainError
from jumin.core.migration_layout import (
    Issue,
    RegisterCheck,
    RowReader,
    Rules,
    check_header,
    unknown_references,
)
from jumin.core.movement_kind import MovementKind
from jumin.core.program_items import BY_KEY, clean_program
from jumin.handover.layout import (
    BLOCK,
    HISTORY,
    HOUSEHOLD,
    MEASURE,
    MOVEMENT,
    OFFENDER,
    PROGRAM,
    PROTECTED,
    TRANSFER,
    Table,
)
from jumin.protection.models import Block, MeasureTransfer, Offender, ProtectedPerson, SupportMeasure
from jumin.registry.keys import search_keys
from jumin.registry.models import (
    ArchivedHistory,
    ArchivedResident,
    Household,
    HouseholdOrder,
    Initiation,
    Movement,
    NumberSequence,
    Resident,
    ResidentHistory,
)
from jumin.registry.numbers import NumberSealer
from jumin.registry.seed_rows import Encoding, encode_value
from jumin.registry.seeding import bulk_sink, register_is_empty, row_encoding

MIGRATION_USERNAME = "jumin-migration"
REQUIRED_FILES = (HISTORY, HOUSEHOLD)
_MOVEMENT_NO = re.compile(r"M(\d{9})")
_MEASURE_NO = re.compile(r"S(\d{9})")
BLOCK_ROWS = 2000


class RegisterNotEmptyError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "migration.not_empty",
            "住民記録が空ではありません。移行データの取込みは空の住民記録にだけ行えます。",
        )


@dataclass
class ImportResult:
    issues: list[Issue]
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False
    validation_seconds: float = 0.0


def rules() -> Rules:
    return Rules(eras=era_table(), m11=m11_remainder_one_policy(), formula=resident_code_formula())


# -- reading --------------------------------------------------------------------------------


def _records(
    directory: Path, table: Table, checks: Rules, issues: list[Issue]
) -> Iterator[tuple[int, list[str], RowReader]]:
    """(line, items, reader) of a file, streamed; a missing optional file is empty, a bad
    header is an issue."""
    path = directory / table.file
    if not path.exists():
        if table in REQUIRED_FILES:
            issues.append(Issue(table.file, 0, "", "migration.missing_file", "ファイルがありません。"))
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        found = check_header(table.file, header, table.columns)
        if found:
            issues.extend(found)
            return
        width = len(header)
        row_reader = RowReader(table.file, header, table.columns, checks)
        for line, values in enumerate(reader, start=2):
            if len(values) != width:
                issues.append(Issue(table.file, line, "", "migration.bad_width", "項目の数がヘッダと一致しません。"))
                continue
            yield line, values, row_reader


def _rows(
    directory: Path, table: Table, checks: Rules, issues: list[Issue]
) -> Iterator[tuple[int, dict[str, Any], bool]]:
    """(line, field values, ok) of every record of a table, its issues added to ``issues``."""
    for line, items, reader in _records(directory, table, checks, issues):
        values, found = reader.read(line, items)
        issues.extend(found)
        yield line, values, not found


def _program_items(line: int, values: Mapping[str, Any]) -> dict[str, Any]:
    """One program's items of 個別事項.csv, checked like an entry (jumin.core.program_items)."""
    program = BY_KEY[values["program"]]
    shape = {
        "registration": ("registered",),
        "coverage": ("insured", "acquired_on", "lost_on"),
        "pension": ("insured", "acquired_on", "lost_on", "basic_pension_no", "category", "category_changed_on"),
        "allowance": ("start_month", "end_month"),
    }[program.shape]
    raw = {name: values[name] for name in shape}
    return clean_program(program.key, raw)


def _defaults(model: Any) -> dict[str, Any]:
    """The NOT NULL fields of ``model`` with a default (an empty item of another vendor's file,
    e.g. an empty JSON item, becomes the default)."""
    return {f.name: f for f in model._meta.concrete_fields if not f.null and f.has_default()}


def _fill_defaults(values: dict[str, Any], defaults: Mapping[str, Any]) -> None:
    for name, f in defaults.items():
        if values.get(name, "") is None:
            values[name] = f.get_default()


class HistorySpool:
    """The history rows as the validation pass read them, kept for the writing pass so that
    住民.csv is parsed once: blocks of rows pickled into an unnamed temporary file (``0600``,
    gone when closed), so that memory stays bounded for any size of register.  The 個人番号 is
    sealed before a row goes to the file (never there in plain) and the search keys are
    derived; the movement and the 個別事項 are added by the writing pass."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._fields: tuple[str, ...] | None = None
        self._block: list[tuple[Any, ...]] = []
        self._sealer = NumberSealer()
        self._defaults = _defaults(ArchivedHistory)

    def add(self, values: dict[str, Any]) -> None:
        number = values.pop("individual_number")
        values["individual_number_ct"], values["individual_number_lookup"] = (
            self._sealer.seal(number, values["atena_no"]) if number else ("", "")
        )
        values["name_key"], values["given_name_key"] = _keys(
            values["furigana_surname"], values["furigana_given_name"], values["name_alphabet"]
        )
        _fill_defaults(values, self._defaults)
        if self._fields is None:
            self._fields = tuple(values)
        self._block.append(tuple(values.values()))
        if len(self._block) >= BLOCK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._block:
            pickle.dump(self._block, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._block = []

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row added, in order (each a new dict)."""
        self._flush()
        self._file.seek(0)
        fields = self._fields or ()
        while True:
            try:
                block = pickle.load(self._file)  # noqa: S301  # nosec B301 - our own temporary file
            except EOFError:
                return
            for row in block:
                yield dict(zip(fields, row, strict=True))

    def close(self) -> None:
        self._file.close()


# -- 1. validation --------------------------------------------------------------------------


@dataclass
class _Seen:
    check: RegisterCheck = field(default_factory=RegisterCheck)
    archived: dict[str, bool] = field(default_factory=dict)
    archived_lines: dict[str, int] = field(default_factory=dict)  # first row of each 除票DB person
    movements: set[str] = field(default_factory=set)
    measures: set[str] = field(default_factory=set)


def validate(directory: Path, spool: HistorySpool | None = None) -> list[Issue]:
    """Every issue of the files (empty: they can be imported); the history rows read go to
    ``spool`` for the writing pass."""
    issues: list[Issue] = []
    checks = rules()
    seen = _Seen()
    # the movements first: a history row's movement is checked as the row is read (no list of
    # references as long as the register)
    cancels: list[tuple[int, str]] = []
    for line, values, ok in _rows(directory, MOVEMENT, checks, issues):
        if ok:
            if values["movement_no"] in seen.movements:
                issues.append(
                    Issue(MOVEMENT.file, line, "異動番号", "migration.duplicate_movement", "異動番号が重複しています。")
                )
            seen.movements.add(values["movement_no"])
            if values["cancels_no"]:
                cancels.append((line, values["cancels_no"]))
    issues += _unknown(MOVEMENT.file, "取消す異動の異動番号", cancels, seen.movements, "migration.unknown_movement")
    for line, values, ok in _rows(directory, HISTORY, checks, issues):
        if ok:
            _check_history(line, values, seen, issues)
            if spool is not None:
                spool.add(values)
    for line, values, ok in _rows(directory, PROGRAM, checks, issues):
        if ok:
            _check_program(line, values, seen, issues)
    persons = seen.check.persons()
    current = seen.check.current_persons()
    issues += [
        Issue(HISTORY.file, line, "現存区分", "migration.archived_current", "除票DBの人の最後の履歴は除票です。")
        for atena_no, line in seen.archived_lines.items()
        if atena_no in current
    ]
    for line, values, ok in _rows(directory, HOUSEHOLD, checks, issues):
        if ok:
            seen.check.household(line, values["household_no"], values["head_atena_no"], values["is_active"])
            refs = [(line, no) for no in values["member_order"].split()]
            issues += unknown_references(HOUSEHOLD.file, "記載順位（手動）", refs, persons)
    issues += seen.check.finish()
    issues += _check_protection(directory, checks, persons, seen, issues)
    return sorted(issues)


def _check_history(line: int, values: dict[str, Any], seen: _Seen, issues: list[Issue]) -> None:
    atena_no = values["atena_no"]
    archived = values["archived"]
    if seen.archived.setdefault(atena_no, archived) != archived:
        issues.append(
            Issue(
                HISTORY.file,
                line,
                "除票DB",
                "migration.split_archive",
                "同じ人の履歴が住民記録と除票DBに分かれています。",
            )
        )
    if archived and values["archived_at"] is None:
        issues.append(Issue(HISTORY.file, line, "除票DBへの移行日時", "migration.required", "必須の項目が空です。"))
    if archived:
        seen.archived_lines.setdefault(atena_no, line)
    if values["movement_no"] and values["movement_no"] not in seen.movements:
        issues.append(Issue(HISTORY.file, line, "異動番号", "migration.unknown_movement", "参照先の番号がありません。"))
    seen.check.history_row(
        line,
        atena_no,
        values["history_no"],
        household_no=values["household_no"],
        relationship=values["relationship"],
        is_head=values["is_head"],
        current=values["status"] == "current",
        reason=values["reason"],
        category=values["category"],
    )


def _check_program(line: int, values: dict[str, Any], seen: _Seen, issues: list[Issue]) -> None:
    if not seen.check.has_row(values["atena_no"], values["history_no"]):
        issues.append(Issue(PROGRAM.file, line, "履歴番号", "migration.unknown_history", "住民の記録にない履歴です。"))
    try:
        _program_items(line, values)
    except DomainError as error:
        issues.append(Issue(PROGRAM.file, line, "業務", error.code, error.message))


def _unknown(file: str, item: str, refs: list[tuple[int, str]], known: set[str], code: str) -> list[Issue]:
    return [Issue(file, line, item, code, "参照先の番号がありません。") for line, no in refs if no not in known]


def _check_protection(
    directory: Path, checks: Rules, persons: set[str], seen: _Seen, issues: list[Issue]
) -> list[Issue]:
    found: list[Issue] = []
    for line, values, ok in _rows(directory, MEASURE, checks, issues):
        if ok:
            if values["measure_no"] in seen.measures:
                found.append(
                    Issue(
                        MEASURE.file,
                        line,
                        "支援措置番号",
                        "migration.duplicate_measure",
                        "支援措置番号が重複しています。",
                    )
                )
            seen.measures.add(values["measure_no"])
            found += unknown_references(
                MEASURE.file, "申出者の宛名番号", [(line, values["applicant_atena_no"])], persons
            )
    for table, item in ((PROTECTED, "宛名番号"), (OFFENDER, ""), (TRANSFER, ""), (BLOCK, "")):
        for line, values, ok in _rows(directory, table, checks, issues):
            if not ok:
                continue
            if (values["measure_no"] or table is not BLOCK) and values["measure_no"] not in seen.measures:
                found.append(
                    Issue(table.file, line, "支援措置番号", "migration.unknown_measure", "参照先の番号がありません。")
                )
            if item:
                found += unknown_references(table.file, item, [(line, values["atena_no"])], persons)
    return found


# -- 2. writing -----------------------------------------------------------------------------


def import_register(directory: Path, *, check_only: bool = False) -> ImportResult:
    """Validate, and — without issues and unless ``check_only`` — write (see the module)."""
    if not check_only and not _is_empty():
        raise RegisterNotEmptyError
    spool = None if check_only else HistorySpool()
    try:
        start = time.perf_counter()
        issues = validate(directory, spool)
        result = ImportResult(issues=issues, validation_seconds=time.perf_counter() - start)
        if issues or spool is None:
            return result
        with transaction.atomic():
            if not _is_empty():
                raise RegisterNotEmptyError
            result.counts = _write(directory, spool)
            record_operation(action="handover.import", target_type="registry", after=result.counts)
    finally:
        if spool is not None:
            spool.close()
    result.written = True
    return result


def _is_empty() -> bool:
    others = (Household, HouseholdOrder, Movement, SupportMeasure, Block)
    return register_is_empty() and not any(model.objects.exists() for model in others)


def migration_user() -> User:
    """The inactive system user that imported movements, measures and blocks are entered by."""
    user = User.objects.filter(username=MIGRATION_USERNAME).first()
    if user is None:
        user = User(username=MIGRATION_USERNAME, display_name="データ移行（システム）", is_active=False)
        user.set_unusable_password()
        user.save()
        record_setting("user", MIGRATION_USERNAME, before={}, after={"active": False, "purpose": "jumin migrate-data"})
    return user


def _write(directory: Path, spool: HistorySpool) -> dict[str, int]:
    checks = rules()
    user = migration_user()
    now = timezone.now()
    counts: dict[str, int] = {}
    movement_ids = _write_movements(directory, checks, user, counts)
    programs = _read_programs(directory, checks)
    counts[HISTORY.file] = _write_history(spool, movement_ids=movement_ids, programs=programs, user=user, now=now)
    counts[PROGRAM.file] = sum(len(items) for items in programs.values())
    counts[HOUSEHOLD.file] = _write_households(directory, checks, user)
    _project()
    counts.update(_write_protection(directory, checks, user))
    _advance_sequences()
    return counts


def _all(directory: Path, table: Table, checks: Rules, model: Any = None) -> Iterator[dict[str, Any]]:
    """The validated records of a table, an empty item of a NOT NULL field of ``model`` as the
    field's default (e.g. an empty JSON item of another vendor's file)."""
    defaults = _defaults(model) if model is not None else {}
    issues: list[Issue] = []
    for _line, values, _ok in _rows(directory, table, checks, issues):
        _fill_defaults(values, defaults)
        yield values


def _write_movements(directory: Path, checks: Rules, user: User, counts: dict[str, int]) -> dict[str, int]:
    movements: list[Movement] = []
    cancels: dict[str, str] = {}
    for values in _all(directory, MOVEMENT, checks, Movement):
        cancels_no = values.pop("cancels_no")
        if cancels_no:
            cancels[values["movement_no"]] = cancels_no
        movements.append(Movement(entered_by=user, **values))
    Movement.objects.bulk_create(movements, batch_size=BLOCK_ROWS)
    ids = dict(Movement.objects.values_list("movement_no", "id"))
    changed = [Movement(id=ids[no], cancels_id=ids[target]) for no, target in cancels.items()]
    Movement.objects.bulk_update(changed, ["cancels"], batch_size=BLOCK_ROWS)
    counts[MOVEMENT.file] = len(movements)
    return ids


def _import_movement(user: User, now: datetime) -> Movement:
    """The movement of history rows that name none (another vendor's layout may not have them)."""
    today = timezone.localdate(now)
    return Movement.objects.create(
        movement_no=f"M{_next_free_movement():09d}",
        kind=MovementKind.MIGRATION,
        reason="ex_officio_add",
        initiation=Initiation.EX_OFFICIO,
        state=Movement.State.FINAL,
        remark="移行データの取込み（jumin migrate-data import）",
        ex_officio_record={"command": "jumin migrate-data import"},
        entered_by=user,
        entered_at=now,
        finalized_at=now,
        processed_on=today,
    )


def _next_free_movement() -> int:
    numbers = [
        int(m.group(1))
        for no in Movement.objects.values_list("movement_no", flat=True)
        if (m := _MOVEMENT_NO.fullmatch(no))
    ]
    return max(numbers, default=0) + 1


def _read_programs(directory: Path, checks: Rules) -> dict[tuple[str, int], dict[str, Any]]:
    programs: dict[tuple[str, int], dict[str, Any]] = {}
    for line, values in enumerate(_all(directory, PROGRAM, checks), start=2):
        items = programs.setdefault((values["atena_no"], values["history_no"]), {})
        items[values["program"]] = _program_items(line, values)
    return programs


@lru_cache(maxsize=65_536)
def _keys(furigana_surname: str, furigana_given_name: str, name_alphabet: str) -> tuple[str, str]:
    return search_keys(furigana_surname, furigana_given_name, name_alphabet)


def _columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _write_history(
    spool: HistorySpool,
    *,
    movement_ids: dict[str, int],
    programs: Mapping[tuple[str, int], dict[str, Any]],
    user: User,
    now: datetime,
) -> int:
    enc = row_encoding()
    main, archive = _columns(ResidentHistory), _columns(ArchivedHistory)
    tables = [(ResidentHistory._meta.db_table, main), (ArchivedHistory._meta.db_table, archive)]
    # Created before the bulk writer takes the connection (PostgreSQL: a writer thread uses
    # it), deleted again when no row needed it.
    fallback = _import_movement(user, now)
    used = False

    def movement_id(movement_no: str) -> int:
        nonlocal used
        if movement_no:
            return movement_ids[movement_no]
        used = True
        return fallback.pk

    encoders: list[Callable[[dict[str, Any]], tuple[Any, ...]]] = [
        _encoder(main, enc),
        _encoder(archive, enc),
    ]
    count = 0
    blocks: list[list[tuple[Any, ...]]] = [[], []]
    with bulk_sink(tables) as sink:
        for values in spool.rows():
            archived = values.pop("archived")
            values["program_items"] = programs.get((values["atena_no"], values["history_no"]), {})
            values["movement_id"] = movement_id(values.pop("movement_no"))
            index = 1 if archived else 0
            blocks[index].append(encoders[index](values))
            if len(blocks[index]) >= BLOCK_ROWS:
                sink.add_rows(index, blocks[index])
                blocks[index] = []
            count += 1
        for index, block in enumerate(blocks):
            if block:
                sink.add_rows(index, block)
    if not used:
        fallback.delete()
    return count


def _encoder(columns: list[str], enc: Encoding) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A row's values (by column: the fields' columns are their names, the movement's is
    ``movement_id``) encoded for the sink, as :func:`encode_value` does, by one lookup of the
    value's type per item (JSON for the rest: dicts and lists)."""
    by_type: dict[type, Callable[[Any], Any]] = {
        str: enc.text,
        int: enc.integer,
        bool: lambda value: enc.true if value else enc.false,
        type(None): lambda value: enc.null,
        datetime: enc.moment,
        date: date.isoformat,
    }

    def other(value: Any) -> Any:
        return encode_value(value, enc)

    pick = by_type.get

    def encode(values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple([pick(type(value), other)(value) for value in map(values.get, columns)])

    return encode


def _project() -> None:
    """``Resident`` and ``ArchivedResident`` from the last history row of each person, by SQL."""
    quote = connection.ops.quote_name
    person = [f.column for f in Resident._meta.concrete_fields if f.column not in {"id", "household_id", "updated_at"}]
    resident_columns = [*person, "household_id", "updated_at"]
    archived = [f.column for f in ArchivedResident._meta.concrete_fields if f.column not in {"id", "updated_at"}]
    history, households = quote(ResidentHistory._meta.db_table), quote(Household._meta.db_table)
    # the last row of each person: a join with the grouped maximum (a hash join; a correlated
    # subquery is planned on tables not analysed yet, just after the bulk load)
    last = (
        "JOIN (SELECT atena_no, MAX(history_no) AS last_no FROM {table} GROUP BY atena_no) l "
        "ON l.atena_no = h.atena_no AND l.last_no = h.history_no"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Resident._meta.db_table)} ({', '.join(quote(c) for c in resident_columns)}) "  # noqa: S608  # nosec B608 - model tables
            f"SELECT {', '.join('h.' + quote(c) for c in person)}, hh.id, h.recorded_at "
            f"FROM {history} h {last.format(table=history)} "
            f"LEFT JOIN {households} hh ON hh.household_no = h.household_no"
        )
        archive = quote(ArchivedHistory._meta.db_table)
        targets = ", ".join(quote(c) for c in [*archived, "updated_at"])
        cursor.execute(
            f"INSERT INTO {quote(ArchivedResident._meta.db_table)} ({targets}) "  # noqa: S608  # nosec B608 - model tables
            f"SELECT {', '.join('h.' + quote(c) for c in archived)}, h.recorded_at "
            f"FROM {archive} h {last.format(table=archive)}"
        )


def _write_households(directory: Path, checks: Rules, user: User) -> int:
    """The households in bulk (as the history rows), then the manual 記載順位 (few)."""
    columns = _columns(Household)
    encode = _encoder(columns, row_encoding())
    orders: list[HouseholdOrder] = []
    count = 0
    block: list[tuple[Any, ...]] = []
    with bulk_sink([(Household._meta.db_table, columns)]) as sink:
        for values in _all(directory, HOUSEHOLD, checks, Household):
            order, set_at = values.pop("member_order"), values.pop("order_set_at")
            block.append(encode(values))
            if len(block) >= BLOCK_ROWS:
                sink.add_rows(0, block)
                block = []
            count += 1
            if order:
                orders.append(
                    HouseholdOrder(
                        household_no=values["household_no"],
                        atena_nos=order.split(),
                        set_by=user,
                        set_at=set_at or timezone.now(),
                    )
                )
        if block:
            sink.add_rows(0, block)
    HouseholdOrder.objects.bulk_create(orders, batch_size=BLOCK_ROWS)
    return count


def _write_protection(directory: Path, checks: Rules, user: User) -> dict[str, int]:
    counts: dict[str, int] = {}
    measures = [
        SupportMeasure(created_by=user, **values) for values in _all(directory, MEASURE, checks, SupportMeasure)
    ]
    SupportMeasure.objects.bulk_create(measures, batch_size=BLOCK_ROWS)
    counts[MEASURE.file] = len(measures)
    ids = dict(SupportMeasure.objects.values_list("measure_no", "id"))
    users = {"set_by": user}
    model: Any
    for table, model in (
        (PROTECTED, ProtectedPerson),
        (OFFENDER, Offender),
        (TRANSFER, MeasureTransfer),
        (BLOCK, Block),
    ):
        rows: list[Any] = []
        for values in _all(directory, table, checks, model):
            measure_no = values.pop("measure_no")
            extra: dict[str, Any] = {"measure_id": ids[measure_no] if measure_no else None}
            if model is Block:
                extra.update(users)
                if values["released_at"] is not None:
                    extra["released_by"] = user
                if values["temporarily_released_until"] is not None:
                    extra["temporarily_released_by"] = user
            rows.append(model(**values, **extra))
        model.objects.bulk_create(rows, batch_size=BLOCK_ROWS)
        counts[table.file] = len(rows)
    return counts


def _advance_sequences() -> None:
    """Every number sequence past the numbers imported: a number is never issued twice."""
    width = settings.JUMIN_ATENA_NO_DIGITS
    atena = [int(no[:-1]) for no in Resident.objects.values_list("atena_no", flat=True) if len(no) == width]
    atena += [int(no[:-1]) for no in ArchivedResident.objects.values_list("atena_no", flat=True) if len(no) == width]
    household = [int(no[:-1]) for no in Household.objects.values_list("household_no", flat=True) if len(no) == width]
    movement = [
        int(m.group(1))
        for no in Movement.objects.values_list("movement_no", flat=True)
        if (m := _MOVEMENT_NO.fullmatch(no))
    ]
    measure = [
        int(m.group(1))
        for no in SupportMeasure.objects.values_list("measure_no", flat=True)
        if (m := _MEASURE_NO.fullmatch(no))
    ]
    for name, numbers in (
        ("atena_no", atena),
        ("household_no", household),
        ("movement", movement),
        ("support_measure", measure),
    ):
        last = max(numbers, default=0)
        sequence, _ = NumberSequence.objects.select_for_update().get_or_create(name=name)
        if sequence.last < last:
            sequence.last = last
            sequence.save(update_fields=["last"])
