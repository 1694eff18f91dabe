"""Scenario ``seed_city``: ``jumin seed-city`` against a raw COPY of the same rows (DESIGN.md §7).

In one run, on a database whose register is empty:

1. seed ``--residents`` residents (generation, 個人番号 sealing, rows, COPY/executemany,
   foreign-key checks) in a transaction; dump the rows it wrote to temporary files; roll back;
2. write exactly those rows again with a plain COPY (PostgreSQL) or ``executemany`` (SQLite)
   and the same foreign-key checks, in a transaction; roll back.

The database is left as it was (PostgreSQL: VACUUM and CHECKPOINT before each step, so both
start from equally clean tables; identity sequences keep the values they handed out).
"""

from __future__ import annotations

import pickle  # nosec B403 - a temporary file written and read by this process only
import resource
import tempfile
import time
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from jumin.bench_harness import Context, Figure, scenario, throughput_figure
from jumin.registry.models import Household, Movement, Resident, ResidentHistory
from jumin.registry.seeding import (
    SeedResult,
    copy_statement,
    insert_statement,
    register_is_empty,
    seed_city,
    seed_user,
    table_columns,
)

NAME = "seed_city"
_CHUNK = 1 << 20
_SQLITE_BATCH = 2000


@dataclass
class _Seeded:
    seconds: float
    result: SeedResult
    movement: Movement
    peak_rss: float


@scenario(
    NAME,
    "合成市の作成 (jumin seed-city) と同じ行の生 COPY/executemany の比較 (DESIGN.md §7: 2倍以内)",
    default_residents=10_000,
)
def seed_city_scenario(ctx: Context) -> Iterable[Figure]:
    if not register_is_empty():
        raise CommandError("seed_city は住民のいないデータベースで実行してください（同じ条件で比べるため）。")
    _settle()
    with tempfile.TemporaryDirectory(prefix="jumin-seed-bench-") as scratch:
        seeded = _seed(ctx, Path(scratch))
        _settle()
        raw_seconds = _raw(ctx, Path(scratch), seeded.movement)
        _settle()
    result = seeded.result
    persons = result.residents + result.removed
    yield Figure(NAME, "seed_total", round(seeded.seconds, 3), "s")
    yield throughput_figure(NAME, "persons_per_s", persons, seeded.seconds)
    yield Figure(NAME, "rows", result.history_rows + persons + result.households, "rows")
    yield Figure(NAME, "history_rows", result.history_rows, "rows")
    yield Figure(NAME, "households", result.households, "rows")
    yield Figure(NAME, "peak_rss", seeded.peak_rss, "MB")
    yield Figure(NAME, "raw_copy_total", round(raw_seconds, 3), "s")
    yield Figure(NAME, "seed_over_raw_copy", round(seeded.seconds / raw_seconds, 3), "ratio")


def _tables() -> list[tuple[str, list[str]]]:
    columns = table_columns()
    return [
        (ResidentHistory._meta.db_table, list(columns.history)),
        (Resident._meta.db_table, list(columns.resident)),
        (Household._meta.db_table, list(columns.household)),
    ]


def _settle() -> None:
    """PostgreSQL, outside any transaction: VACUUM the dead rows a rolled-back load leaves, and
    CHECKPOINT (when the role may) so that no step pays for the previous one's writes."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    names = ", ".join(connection.ops.quote_name(table) for table, _ in _tables())
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {names}")
        with suppress(DatabaseError):  # needs superuser or pg_checkpoint; without, figures are noisier
            cursor.execute("CHECKPOINT")


# -- 1. the seed --------------------------------------------------------------------------------


def _seed(ctx: Context, scratch: Path) -> _Seeded:
    """Seed and time it, dump what it wrote, roll back."""
    total = ctx.residents
    progress = ctx.progress
    task = progress.add_task("合成市を作成", total=total) if progress is not None else None

    shown = 0

    def advance(done: int) -> None:
        nonlocal shown
        if progress is not None and task is not None and (done - shown >= 1000 or done == total):
            progress.update(task, completed=done)
            shown = done

    with transaction.atomic():
        start = time.perf_counter()
        result = seed_city(total, seed=ctx.seed, progress=advance)
        seconds = time.perf_counter() - start
        peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        movement = Movement.objects.get(movement_no=result.movement_no)
        for index, (table, columns) in enumerate(_tables()):
            _dump(table, columns, scratch / f"{index}.rows")
        transaction.set_rollback(True)
    if progress is not None and task is not None:
        progress.remove_task(task)
    return _Seeded(seconds, result, movement, peak)


def _dump(table: str, columns: list[str], path: Path) -> None:
    quote = connection.ops.quote_name
    select = f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} ORDER BY id"  # noqa: S608  # nosec B608
    raw = connection.connection
    with path.open("wb") as out:
        if connection.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY ({select}) TO STDOUT") as copy:
                for data in copy:
                    out.write(data)
            return
        cursor = raw.execute(select)
        while batch := cursor.fetchmany(_SQLITE_BATCH):
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)


# -- 2. the raw copy of the same rows -----------------------------------------------------------


def _raw(ctx: Context, scratch: Path, movement: Movement) -> float:
    """The same rows with a plain COPY / executemany and the same FK checks; rolled back.
    Only the writes and the checks are timed (not reading the temporary files)."""
    with transaction.atomic():
        movement.entered_by = seed_user()  # the seed's own user was rolled back with it
        movement.save(force_insert=True)  # same id: the dumped history rows refer to it
        seconds = 0.0
        tables = _tables()
        for index, (table, columns) in enumerate(ctx.track(tables, len(tables), "同じ行を生 COPY")):
            seconds += _write(table, columns, scratch / f"{index}.rows")
        start = time.perf_counter()
        connection.check_constraints(table_names=[table for table, _ in tables])
        seconds += time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


def _write(table: str, columns: list[str], path: Path) -> float:
    raw = connection.connection
    seconds = 0.0
    with path.open("rb") as source:
        if connection.vendor == "postgresql":
            start = time.perf_counter()
            with raw.cursor() as cursor, cursor.copy(copy_statement(table, columns)) as copy:
                while data := source.read(_CHUNK):
                    copy.write(data)
            return time.perf_counter() - start
        insert = insert_statement(table, columns)
        cursor = raw.cursor()
        while True:
            try:
                batch = pickle.load(source)  # noqa: S301  # nosec B301 - written above by this process
            except EOFError:
                break
            start = time.perf_counter()
            cursor.executemany(insert, batch)
            seconds += time.perf_counter() - start
    return seconds
