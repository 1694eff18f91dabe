"""The writing side of the import (標準仕様 10.8 CSV取込), inside the import's one transaction.

The validation pass hands each record it accepted to :class:`RegisterWriter` while it reads
the files — once: no file is read twice, no row is kept for a second pass.  The movements are
written first (ORM, they are few and the history rows refer to them); then one bulk stream
(COPY on PostgreSQL through a writer thread, so that the database stores a block while
Python reads and checks the next; ``executemany`` on SQLite) takes the households (explicit
ids), the history rows of the register and the 除票DB (個人番号 sealed, search keys
derived) and the projections ``Resident`` / ``ArchivedResident``: the last row of each person,
emitted when the next person starts — the files are grouped by person with rising 履歴番号,
as ``jumin migrate-data export`` writes them.  Files in another order are accepted too: the
projections are then built afterwards by one ``INSERT … SELECT`` each.  :meth:`finish` writes
the rest (manual 記載順位, 支援措置, 抑止, the number sequences).

The caller writes only while the validation has found no issue and rolls the transaction
back when the report has any: nothing is ever committed from files with an issue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from jumin.accounts.models import User
from jumin.accounts.services import system_user as accounts_system_user
from jumin.core.migration_layout import Rules
from jumin.core.movement_kind import MovementKind
from jumin.handover.layout import BLOCK, HISTORY, HOUSEHOLD, MEASURE, MOVEMENT, OFFENDER, PROGRAM, PROTECTED, TRANSFER
from jumin.handover.reading import defaults, fill_defaults, valid_rows
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
from jumin.registry.seeding import BulkSink, first_household_id, open_sink, reset_household_ids, row_encoding

MIGRATION_USERNAME = "jumin-migration"
BLOCK_ROWS = 2000
_MOVEMENT_NO = re.compile(r"M(\d{9})")
_MEASURE_NO = re.compile(r"S(\d{9})")

# the tables of the bulk stream, by index
HOUSEHOLDS, HISTORY_ROWS, ARCHIVE_ROWS, RESIDENTS, ARCHIVED_RESIDENTS = range(5)

Encoder = Callable[[Mapping[str, Any]], tuple[Any, ...]]
ProgramItems = dict[tuple[str, int], dict[str, Any]]


def migration_user() -> User:
    """The inactive system user that imported movements, measures and blocks are entered by."""
    return accounts_system_user(MIGRATION_USERNAME, "データ移行（システム）", "jumin migrate-data")


@lru_cache(maxsize=65_536)
def _keys(furigana_surname: str, furigana_given_name: str, name_alphabet: str) -> tuple[str, str]:
    return search_keys(furigana_surname, furigana_given_name, name_alphabet)


def prepare_history(values: dict[str, Any], sealer: NumberSealer, fields: Mapping[str, Any]) -> None:
    """A history row as read, made ready for its table: the 個人番号 sealed (it is never kept
    in plain), the search keys derived, an empty item of a NOT NULL field as its default."""
    number = values.pop("individual_number")
    values["individual_number_ct"], values["individual_number_lookup"] = (
        sealer.seal(number, values["atena_no"]) if number else ("", "")
    )
    values["name_key"], values["given_name_key"] = _keys(
        values["furigana_surname"], values["furigana_given_name"], values["name_alphabet"]
    )
    fill_defaults(values, fields)


def columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def encoder(names: list[str], enc: Encoding) -> Encoder:
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

    def encode(values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple([pick(type(value), other)(value) for value in map(values.get, names)])

    return encode


class _Projection:
    """The columns of the projections and how their rows are picked out of an encoded history
    row (the person's items and ``recorded_at`` as ``updated_at``)."""

    def __init__(self) -> None:
        main, archive = columns(ResidentHistory), columns(ArchivedHistory)
        skip = {"id", "household_id", "updated_at"}
        person = [f.column for f in Resident._meta.concrete_fields if f.column not in skip]
        archived = [f.column for f in ArchivedResident._meta.concrete_fields if f.column not in skip]
        self.resident_columns = [*person, "updated_at", "household_id"]
        self.archived_columns = [*archived, "updated_at"]
        self.pick_resident = itemgetter(*[main.index(c) for c in [*person, "recorded_at"]])
        self.pick_archived = itemgetter(*[archive.index(c) for c in [*archived, "recorded_at"]])


class RegisterWriter:
    """Writes the records the validation accepted, as they are read (see the module).

    Order of calls: :meth:`begin` (after the movements were validated), :meth:`household`
    for each household, :meth:`history` for each history row, :meth:`end_stream`, then
    :meth:`finish` — or :meth:`end_stream` with ``failed`` at any point (the transaction is
    then rolled back by the caller)."""

    def __init__(self, directory: Path, checks: Rules) -> None:
        self._directory, self._checks = directory, checks
        self._user = migration_user()
        self._now = timezone.now()
        self._enc = row_encoding()
        self._sealer = NumberSealer()
        self._history_defaults = defaults(ArchivedHistory)
        self._household_defaults = defaults(Household)
        self._projection = _Projection()
        self.counts: dict[str, int] = {}
        self.programs: ProgramItems = {}
        self._sink: BulkSink | None = None
        self._blocks: list[list[tuple[Any, ...]]] = [[] for _ in range(5)]
        self._household_ids: dict[str, int] = {}
        self._orders: list[HouseholdOrder] = []
        self._grouped = True  # the history rows so far came grouped by person, 履歴番号 rising
        self._last_key: tuple[bool, str, int] | None = None
        self._pending: tuple[int, tuple[Any, ...], str] | None = None  # the last row of this person

    # -- before the stream: the movements (ORM) -------------------------------------------

    def begin(self) -> RegisterWriter:
        self._movement_ids = _write_movements(self._directory, self._checks, self._user, self.counts)
        # created before the stream takes the connection, deleted again when no row needed it
        self._fallback = _import_movement(self._user, self._now)
        self._fallback_used = False
        self._next_household_id = first_household_id()
        household = ["id", *columns(Household)]
        main, archive = columns(ResidentHistory), columns(ArchivedHistory)
        projection = self._projection
        tables = [
            (Household._meta.db_table, household),
            (ResidentHistory._meta.db_table, main),
            (ArchivedHistory._meta.db_table, archive),
            (Resident._meta.db_table, projection.resident_columns),
            (ArchivedResident._meta.db_table, projection.archived_columns),
        ]
        self._encode_household = encoder(household, self._enc)
        self._encode_history = [encoder(main, self._enc), encoder(archive, self._enc)]
        self._sink = open_sink(tables)
        self.counts[HOUSEHOLD.file] = self.counts[HISTORY.file] = 0
        return self

    # -- the stream -----------------------------------------------------------------------

    def household(self, values: dict[str, Any]) -> None:
        order, set_at = values.pop("member_order"), values.pop("order_set_at")
        fill_defaults(values, self._household_defaults)
        values["id"] = self._next_household_id
        self._next_household_id += 1
        self._household_ids[values["household_no"]] = values["id"]
        self._add(HOUSEHOLDS, self._encode_household(values))
        self.counts[HOUSEHOLD.file] += 1
        if order:
            self._orders.append(
                HouseholdOrder(
                    household_no=values["household_no"],
                    atena_nos=order.split(),
                    set_by=self._user,
                    set_at=set_at or timezone.now(),
                )
            )

    def history(self, values: dict[str, Any]) -> None:
        archived = values.pop("archived")
        key = (archived, values["atena_no"], values["history_no"])
        prepare_history(values, self._sealer, self._history_defaults)
        values["program_items"] = self.programs.get(key[1:], {})
        values["movement_id"] = self._movement_id(values.pop("movement_no"))
        table = ARCHIVE_ROWS if archived else HISTORY_ROWS
        row = self._encode_history[archived](values)
        self._add(table, row)
        self.counts[HISTORY.file] += 1
        if self._grouped:
            self._follow(key, (table, row, values["household_no"]))

    def _follow(self, key: tuple[bool, str, int], row: tuple[int, tuple[Any, ...], str]) -> None:
        """The projection row of the person before when this row starts another person."""
        last = self._last_key
        if last is not None and key <= last:
            self._grouped, self._pending = False, None  # another order: projected by SQL
            return
        if last is not None and key[:2] != last[:2]:
            self._project_pending()
        self._last_key, self._pending = key, row

    def _project_pending(self) -> None:
        if self._pending is None:
            return
        table, row, household_no = self._pending
        projection = self._projection
        if table == HISTORY_ROWS:
            household_id = self._household_ids.get(household_no)
            household = self._enc.null if household_id is None else self._enc.integer(household_id)
            self._add(RESIDENTS, (*projection.pick_resident(row), household))
        else:
            self._add(ARCHIVED_RESIDENTS, projection.pick_archived(row))
        self._pending = None

    def _movement_id(self, movement_no: str) -> int:
        if movement_no:
            return self._movement_ids[movement_no]
        self._fallback_used = True
        return int(self._fallback.pk)

    def _add(self, table: int, row: tuple[Any, ...]) -> None:
        block = self._blocks[table]
        block.append(row)
        if len(block) >= BLOCK_ROWS:
            self._flush(table)

    def _flush(self, table: int) -> None:
        if self._blocks[table] and self._sink is not None:
            self._sink.add_rows(table, self._blocks[table])
            self._blocks[table] = []

    def end_stream(self, *, failed: bool = False) -> None:
        """The stream written out (or, ``failed``, abandoned); nothing happens a second time."""
        sink, self._sink = self._sink, None
        if sink is None:
            return
        if failed:
            sink.close(failed=True)
            return
        try:
            self._project_pending()
            for table in range(len(self._blocks)):
                if self._blocks[table]:
                    sink.add_rows(table, self._blocks[table])
        except BaseException:
            sink.close(failed=True)
            raise
        sink.close()

    # -- after the stream -----------------------------------------------------------------

    def finish(self) -> dict[str, int]:
        """Everything after the stream (the transaction's last writes); returns the counts."""
        reset_household_ids()
        if not self._grouped:
            _project()  # the rows projected before the order broke are deleted first
        HouseholdOrder.objects.bulk_create(self._orders, batch_size=BLOCK_ROWS)
        if not self._fallback_used:
            self._fallback.delete()
        self.counts[PROGRAM.file] = sum(len(items) for items in self.programs.values())
        self.counts.update(_write_protection(self._directory, self._checks, self._user))
        _advance_sequences()
        return self.counts


def _write_movements(directory: Path, checks: Rules, user: User, counts: dict[str, int]) -> dict[str, int]:
    movements: list[Movement] = []
    cancels: dict[str, str] = {}
    for values in valid_rows(directory, MOVEMENT, checks, Movement):
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


def _project() -> None:
    """``Resident`` and ``ArchivedResident`` from the last history row of each person, by SQL
    (for files not grouped by person)."""
    quote = connection.ops.quote_name
    person = [f.column for f in Resident._meta.concrete_fields if f.column not in {"id", "household_id", "updated_at"}]
    with connection.cursor() as cursor:  # the register was empty: every row here is the import's
        for model in (Resident, ArchivedResident):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608  # nosec B608 - model tables
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


def _write_protection(directory: Path, checks: Rules, user: User) -> dict[str, int]:
    counts: dict[str, int] = {}
    measures = [
        SupportMeasure(created_by=user, **values) for values in valid_rows(directory, MEASURE, checks, SupportMeasure)
    ]
    SupportMeasure.objects.bulk_create(measures, batch_size=BLOCK_ROWS)
    counts[MEASURE.file] = len(measures)
    ids = dict(SupportMeasure.objects.values_list("measure_no", "id"))
    model: Any
    for table, model in (
        (PROTECTED, ProtectedPerson),
        (OFFENDER, Offender),
        (TRANSFER, MeasureTransfer),
        (BLOCK, Block),
    ):
        rows: list[Any] = []
        for values in valid_rows(directory, table, checks, model):
            measure_no = values.pop("measure_no")
            extra: dict[str, Any] = {"measure_id": ids[measure_no] if measure_no else None}
            if model is Block:
                extra["set_by"] = user
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
