"""Load a synthetic city into the register (``jumin seed-city``).

The city of :mod:`jumin.synthetic` is streamed household by household into

* one 異動 (``Movement``: 職権記載, 本登録) that every seeded history row references,
  entered by the inactive system user ``jumin-seed``;
* the history rows, the ``Resident`` projection and the ``Household`` rows
  (:mod:`jumin.registry.seed_rows`), written with COPY on PostgreSQL and batched
  ``executemany`` on SQLite, all in one transaction;
* the number sequences past every generated 宛名番号/世帯番号, and a stock of fresh spare
  住民票コード for the movements that follow.

No outbox rows are written: a synthetic city is not propagated to linked systems.  The
seed refuses a register that already has residents unless ``replace`` is given; replacing
deletes the whole register (history rows through the retention purge gate) and writes
both steps to the operation log.
"""

from __future__ import annotations

import gc
import queue
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jumin.accounts.models import User
from jumin.accounts.services import system_user as accounts_system_user
from jumin.addresses.models import Town, municipality_lg_code5
from jumin.audit.services import purge_gate, record_operation
from jumin.conf.db import analyze
from jumin.conf.domain import era_table, m11_remainder_one_policy, resident_code_formula
from jumin.core.check_digits import resident_code_check_digit
from jumin.core.errors import DomainError
from jumin.core.movement_kind import MovementKind
from jumin.core.uncertain_date import UncertainDate
from jumin.registry.models import (
    ArchivedHistory,
    ArchivedResident,
    EditLease,
    Household,
    Initiation,
    Memo,
    Movement,
    MovementItem,
    NumberSequence,
    Resident,
    ResidentHistory,
    SpareResidentCode,
)
from jumin.registry.numbers import next_movement_no
from jumin.registry.seed_rows import (
    COPY_TEXT,
    Columns,
    Encoding,
    HouseholdRows,
    RowBuilder,
    SeedStats,
    encoded_defaults,
)
from jumin.synthetic import City, Options, default_city, generate_city, load_towns, warm_up

TODAY = date(2026, 11, 26)
"""The default "today" of a seeded city: fixed, so the same size and seed give the same data."""
FIRST_TODAY = date(2013, 1, 1)
SEED_USERNAME = "jumin-seed"
SPARE_CODES = 500
REGISTER_MODELS = (
    EditLease,
    MovementItem,
    Memo,
    ResidentHistory,
    Resident,
    ArchivedHistory,
    ArchivedResident,
    Household,
    Movement,
    SpareResidentCode,
)
# the tables a seeding fills in bulk: fresh planner statistics at its end (jumin.conf.db.analyze)
ANALYZED = (ResidentHistory, Resident, Household, Movement, MovementItem, SpareResidentCode)
Progress = Callable[[int], None]


class RegisterNotEmptyError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "seed.not_empty",
            "住民が既に記録されています。置き換える場合は --replace を指定してください"
            "（今の住民記録はすべて削除されます）。",
        )


@dataclass(frozen=True)
class SeedResult:
    residents: int
    removed: int
    households: int
    inactive_households: int
    history_rows: int
    spare_codes: int
    movement_no: str


def register_is_empty() -> bool:
    """No person in the register, the 除票DB included (a seed next to archived persons would
    mix synthetic and real 除票)."""
    return not (Resident.objects.exists() or ResidentHistory.objects.exists() or ArchivedResident.objects.exists())


def seed_city(
    residents: int,
    *,
    seed: int = 1,
    today: date = TODAY,
    replace: bool = False,
    progress: Progress | None = None,
) -> SeedResult:
    """Load a city of exactly ``residents`` current residents (see the module docstring)."""
    if residents < 1:
        raise DomainError("seed.residents", "人数は1人以上を指定してください。")
    if today < FIRST_TODAY:
        raise DomainError(
            "seed.today", "基準日は2013年1月1日以降にしてください（外国人住民の記載は2012年7月9日から）。"
        )
    with transaction.atomic():
        if not register_is_empty():
            if not replace:
                raise RegisterNotEmptyError
            clear_register()
        movement = _seed_movement(seed_user(), residents, seed, today)
        stats = _load(residents, seed, today, movement, progress)
        fill_chome_counts(synthetic_city())
        _advance_sequences(stats)
        spare = fill_spare_codes(seed)
        analyze(ANALYZED)
        result = SeedResult(
            residents=stats.residents,
            removed=stats.removed,
            households=stats.households,
            inactive_households=stats.inactive_households,
            history_rows=stats.history_rows,
            spare_codes=spare,
            movement_no=movement.movement_no,
        )
        record_operation(
            action="registry.seed_city",
            target_type="movement",
            target_id=movement.movement_no,
            movement_id=movement.movement_no,
            after={"seed": seed, "today": today.isoformat(), **result.__dict__},
        )
    return result


# -- the register before and around the rows ---------------------------------------------------


def clear_register() -> dict[str, int]:
    """Delete every row of the register (history through the purge gate); the operation log
    keeps what was deleted.  Number sequences are kept: numbers never go back."""
    cleared = (*reversed(_referring_models()), *REGISTER_MODELS)  # rows pointing at the register go first
    counts = {model._meta.db_table: model.objects.count() for model in cleared}
    tables = [connection.ops.quote_name(model._meta.db_table) for model in cleared]
    with transaction.atomic(), purge_gate(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # nosec B608 - model tables
        record_operation(
            action="registry.clear", target_type="registry", before=counts, reason="jumin seed-city --replace"
        )
    return counts


def _referring_models() -> list[Any]:
    """Models of other apps with a foreign key into the register (e.g. a received 転出証明書情報
    linked to its 転入): their rows cannot outlive the register's rows, and PostgreSQL's
    TRUNCATE needs every referring table in the same statement — also the tables that refer to
    those (e.g. an application's status updates), so the search follows every link."""
    found: list[Any] = []
    pending: list[Any] = list(REGISTER_MODELS)
    while pending:
        model = pending.pop(0)
        relations = [f for f in model._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
        for relation in relations:  # include_hidden: a related_name="+" link counts too
            other = relation.related_model
            field = getattr(relation, "field", None)
            if other not in REGISTER_MODELS and other not in found and field is not None and field.db_constraint:
                found.append(other)
                pending.append(other)
    return found


def seed_user() -> User:
    """The inactive system user that enters the seed movement (it can never log in)."""
    return accounts_system_user(SEED_USERNAME, "合成市データ作成（システム）", "jumin seed-city")


def _seed_movement(user: User, residents: int, seed: int, today: date) -> Movement:
    now = timezone.now()
    return Movement.objects.create(
        movement_no=next_movement_no(),
        kind=MovementKind.MIGRATION,
        reason="ex_officio_add",
        initiation=Initiation.EX_OFFICIO,
        state=Movement.State.FINAL,
        effective_text=UncertainDate.exact(today, era_table()).text,
        effective_sort=today,
        notified_on=today,
        remark="合成市（試験・デモ用の架空の住民）の一括作成",
        ex_officio_record={"command": "jumin seed-city", "residents": residents, "seed": seed, "today": str(today)},
        entered_by=user,
        entered_at=now,
        finalized_at=now,
        processed_on=today,
    )


def _advance_sequences(stats: SeedStats) -> None:
    """宛名番号/世帯番号 sequences past every serial the city used (they have gaps)."""
    for name, serial in (("atena_no", stats.max_atena_serial), ("household_no", stats.max_household_serial)):
        sequence, _ = NumberSequence.objects.select_for_update().get_or_create(name=name)
        if sequence.last < serial:
            sequence.last = serial
            sequence.save(update_fields=["last"])


def fill_spare_codes(seed: int, count: int = SPARE_CODES) -> int:
    """Add ``count`` fresh valid 住民票コード to the spare stock: not in the stock, not used by
    any resident (deterministic for a seed)."""
    rng = random.Random(f"jumin.seed-city:{seed}:spare-codes")  # noqa: S311 - synthetic codes
    formula = resident_code_formula()
    fresh: list[str] = []
    while len(fresh) < count:
        batch = []
        for _ in range(count - len(fresh)):
            body = f"{rng.randrange(10**10):010d}"
            batch.append(body + resident_code_check_digit(body, formula))
        taken = set(SpareResidentCode.objects.filter(code__in=batch).values_list("code", flat=True))
        taken |= set(Resident.objects.filter(resident_code__in=batch).values_list("resident_code", flat=True))
        taken |= set(fresh)
        fresh.extend(dict.fromkeys(code for code in batch if code not in taken))
    SpareResidentCode.objects.bulk_create(SpareResidentCode(code=code) for code in fresh[:count])
    return count


# -- the rows ----------------------------------------------------------------------------------


def table_columns() -> Columns:
    """The columns written, in order (history and resident ids come from the database)."""

    def columns(model: Any, *, with_id: bool = False) -> list[str]:
        return [f.column for f in model._meta.concrete_fields if with_id or not f.primary_key]

    return Columns(columns(ResidentHistory), columns(Resident), columns(Household, with_id=True))


def generator_options() -> Options:
    """The generator's numbers must validate under the register's settings."""
    width = settings.JUMIN_ATENA_NO_DIGITS
    return Options(
        atena_width=width,
        household_width=width,
        m11_policy=m11_remainder_one_policy(),
        resident_code_formula=resident_code_formula(),
    )


def synthetic_city() -> City:
    """The register's municipality (``JUMIN_MUNICIPALITY``) with its 町字 from Japan Post."""
    prefecture, name = settings.JUMIN_MUNICIPALITY["prefecture"], settings.JUMIN_MUNICIPALITY["name"]
    city = default_city()
    if (city.prefecture, city.name) == (prefecture, name):
        return city
    towns = load_towns(prefecture, name)
    if not towns:
        raise DomainError("seed.no_towns", "郵便番号辞書にこの市区町村の町字がないため、合成市を作れません。")
    return City(prefecture, name, towns)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep the cyclic garbage collector off the generator's name and place tables (millions
    of long-lived objects) while the city streams through: about a sixth of the CPU time."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def row_encoding() -> Encoding:
    """How :func:`bulk_sink` wants the values: COPY text or Python values."""
    return _encoding()


def _encoding() -> Encoding:
    if connection.vendor == "postgresql":
        return COPY_TEXT
    return Encoding(
        true=True, false=False, null=None, text=str, integer=int, moment=connection.ops.adapt_datetimefield_value
    )


def fill_chome_counts(city: City) -> int:
    """The address master learns how many 丁目 each town of the synthetic city has, so that its
    postcode offers them as choices (issue 17); a count already set is kept.  Returns the towns
    changed."""
    changed = 0
    for town in city.towns:
        if town.chome_count:
            changed += Town.objects.filter(name=town.name, has_chome=True, chome_count=0).update(
                chome_count=town.chome_count
            )
    return changed


def _address_codes() -> dict[str, str]:
    """町字 name → 住所コード without the 小字 part, from the address master when it is loaded."""
    towns = list(Town.objects.values_list("name", "oaza_code"))
    if not towns:
        return {}
    lg_code5 = municipality_lg_code5()
    return {name: f"{lg_code5}{oaza}" for name, oaza in towns}


def _load(residents: int, seed: int, today: date, movement: Movement, progress: Progress | None) -> SeedStats:
    columns = table_columns()
    enc = _encoding()
    builder = RowBuilder(
        enc=enc,
        columns=columns,
        history_defaults=encoded_defaults(ResidentHistory, columns.history, enc),
        eras=era_table(),
        movement_id=movement.pk,
        now=timezone.now(),
        address_codes=_address_codes(),
        first_household_id=first_household_id(),
    )
    city = synthetic_city()
    warm_up(city)
    households = generate_city(residents, seed=seed, today=today, city=city, options=generator_options())
    with _frozen_heap(), _sink(columns) as sink:
        for household in households:
            sink.add(builder.household(household))
            if progress is not None:
                progress(builder.stats.residents)
    connection.check_constraints(
        table_names=[ResidentHistory._meta.db_table, Resident._meta.db_table, Household._meta.db_table]
    )
    reset_household_ids()
    return builder.stats


def first_household_id() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Explicit ids (the projection rows refer to them): no other writer meanwhile.
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Household._meta.db_table)} IN EXCLUSIVE MODE")
    return int(Household.objects.aggregate(last=Max("id"))["last"] or 0) + 1


def reset_household_ids() -> None:
    """PostgreSQL: the identity sequence past the explicit ids (SQLite follows by itself)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Household]):
            cursor.execute(sql)


# -- writing: COPY on PostgreSQL, executemany on SQLite ------------------------------------------


def _tables(columns: Columns) -> list[tuple[str, list[str]]]:
    return [
        (ResidentHistory._meta.db_table, list(columns.history)),
        (Resident._meta.db_table, list(columns.resident)),
        (Household._meta.db_table, list(columns.household)),
    ]


@contextmanager
def _sink(columns: Columns) -> Iterator[BulkSink]:
    with bulk_sink(_tables(columns)) as sink:
        yield sink


@contextmanager
def bulk_sink(tables: list[tuple[str, list[str]]]) -> Iterator[BulkSink]:
    """A writer of encoded rows (:func:`row_encoding`) into ``tables`` (name, columns): COPY on
    PostgreSQL, ``executemany`` on SQLite; ``sink.add_rows(index, rows)`` per table."""
    sink = open_sink(tables)
    try:
        yield sink
    except BaseException:
        sink.close(failed=True)
        raise
    sink.close()


def open_sink(tables: list[tuple[str, list[str]]]) -> BulkSink:
    """:func:`bulk_sink` without the context: the caller closes the sink (``close()``, or
    ``close(failed=True)`` after an error: nothing more is written, the writer thread ends)."""
    return _CopySink(tables) if connection.vendor == "postgresql" else _InsertSink(tables)


def copy_statement(table: str, columns: list[str]) -> str:
    quote = connection.ops.quote_name
    return f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


def insert_statement(table: str, columns: list[str]) -> str:
    quote = connection.ops.quote_name
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({marks})"  # noqa: S608  # nosec B608


class BulkSink:
    """Collects rows per table and writes them in blocks.

    ``THREADED``: a writer thread takes the blocks, so that the database stores one block
    while this thread builds the next (psycopg waits on the socket without the GIL).  The
    main thread does not use the connection until :meth:`close`; the writer's error, if any,
    is raised in the main thread.  (SQLite is written in line: sqlite3 binds parameters under
    the GIL, and a writer thread made the seed slower, not faster.)"""

    THREADED = False
    QUEUED_BLOCKS = 3

    def __init__(self) -> None:
        self._raw = connection.connection
        self._queue: queue.Queue[tuple[int, Any] | None] = queue.Queue(self.QUEUED_BLOCKS)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self.THREADED:
            self._thread = threading.Thread(target=self._run, name="seed-writer")
            self._thread.start()

    def add(self, rows: HouseholdRows) -> None:
        for index, batch in enumerate((rows.history, rows.residents, rows.households)):
            self.add_rows(index, batch)

    def add_rows(self, index: int, rows: list[Any]) -> None:
        raise NotImplementedError

    def _flush_all(self) -> None:
        raise NotImplementedError

    def _write(self, raw: Any, index: int, block: Any) -> None:
        raise NotImplementedError

    def _hand_over(self, index: int, block: Any) -> None:
        if self._thread is None:
            self._write(self._raw, index, block)
            return
        if self._error is not None:
            raise self._error
        self._queue.put((index, block))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:  # after an error: drain, the main thread raises it
                try:
                    self._write(self._raw, *item)
                except BaseException as error:  # noqa: BLE001 - handed to the main thread
                    self._error = error

    def close(self, *, failed: bool = False) -> None:
        try:
            if not failed:
                self._flush_all()
        finally:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join()
        if self._error is not None and not failed:
            raise self._error


class _CopySink(BulkSink):
    """PostgreSQL: rows as COPY text, one ``COPY … FROM STDIN`` per block of a few megabytes."""

    THREADED = True
    BLOCK = 8 << 20

    def __init__(self, tables: list[tuple[str, list[str]]]) -> None:
        self._statements = [copy_statement(table, columns) for table, columns in tables]
        self._buffers: list[list[str]] = [[] for _ in tables]
        self._sizes = [0 for _ in tables]
        super().__init__()

    def add_rows(self, index: int, rows: list[Any]) -> None:
        self._extend(index, ["\t".join(row) for row in rows])

    def _extend(self, index: int, lines: list[str]) -> None:
        self._buffers[index].extend(lines)
        self._sizes[index] += sum(map(len, lines)) + len(lines)
        if self._sizes[index] * 2 >= self.BLOCK:  # UTF-8: about 2 bytes per character here
            self._flush(index)

    def _flush(self, index: int) -> None:
        lines = self._buffers[index]
        if lines:
            self._buffers[index], self._sizes[index] = [], 0
            self._hand_over(index, ("\n".join(lines) + "\n").encode())

    def _flush_all(self) -> None:
        for index in range(len(self._buffers)):
            self._flush(index)

    def _write(self, raw: Any, index: int, block: Any) -> None:
        with raw.cursor() as cursor, cursor.copy(self._statements[index]) as copy:
            copy.write(block)


class _InsertSink(BulkSink):
    """SQLite: rows as parameter tuples, ``executemany`` of ``BATCH`` rows at a time."""

    BATCH = 2000

    def __init__(self, tables: list[tuple[str, list[str]]]) -> None:
        self._statements = [insert_statement(table, columns) for table, columns in tables]
        self._buffers: list[list[tuple[Any, ...]]] = [[] for _ in tables]
        super().__init__()

    def add_rows(self, index: int, rows: list[Any]) -> None:
        buffer = self._buffers[index]
        buffer.extend(rows)
        if len(buffer) >= self.BATCH:
            self._flush(index)

    def _flush(self, index: int) -> None:
        if self._buffers[index]:
            block, self._buffers[index] = self._buffers[index], []
            self._hand_over(index, block)

    def _flush_all(self) -> None:
        for index in range(len(self._buffers)):
            self._flush(index)

    def _write(self, raw: Any, index: int, block: Any) -> None:
        cursor = raw.cursor()
        try:
            cursor.executemany(self._statements[index], block)
        finally:
            cursor.close()
