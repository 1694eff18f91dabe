"""Initial load of the 本人確認情報 file (going live; ``jumin jukinet initial-load``).

Every person of the register — current residents, 除票 in the main tables and 除票 in the
除票DB — that has no ``IdentityRecord`` yet gets one current record, built from the person's
latest history row exactly as :func:`jumin.jukinet.services._record_for` builds a notified one
(the same 40 items; the 個人番号 is the history row's sealed column, copied as it is — the
ciphertext is bound to the 宛名番号, which does not change), with its stored 整合性確認 digest
(jumin.jukinet.reconciliation.Stamper).

* The records take 更新順番号 from the same sequence as the telegrams (one reservation per block)
  but **no telegram is queued**: the prefecture receives its initial copy out of band (a file
  handed over at the start of operation; ``peers.prefecture`` loads one with ``--copy``), and
  the first telegram after it carries the next 更新順番号.
* ``request_no`` is ``initial:<宛名番号>:<履歴番号>``; ``operator_id`` is the user who entered
  the movement of that history row.
* Rows are streamed from the database with a server-side cursor (``iterator``) in 宛名番号
  order and written in blocks: ``COPY`` on PostgreSQL, batched ``INSERT`` on SQLite.  Memory
  stays flat in the size of the register.  One transaction; one operation-log row
  ``jukinet.initial_load`` with the counts only.
* Pending ``jukinet_cs`` outbox rows of history the load already covers are marked ``sent``
  (``last_error`` = ``jukinet.initial_load``) so they are not built a second time.
* Running it again adds only the persons still missing (none, normally).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.services import record_operation
from jumin.conf.db import analyze
from jumin.jukinet.models import IdentityRecord
from jumin.jukinet.reconciliation import Stamper
from jumin.jukinet.services import SERIAL, record_values
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import (
    ArchivedHistory,
    ArchivedResident,
    Movement,
    Resident,
    ResidentHistory,
)
from jumin.registry.numbers import reserve_serials

BLOCK = 2000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class InitialLoadResult:
    created: int
    current: int
    removed: int
    first_seq: int | None
    last_seq: int | None


def missing_count() -> int:
    """How many persons of the register have no 本人確認情報 yet."""
    _analyze()
    return _latest(ResidentHistory, Resident).count() + _latest(ArchivedHistory, ArchivedResident).count()


def _latest(
    history: type[ResidentHistory] | type[ArchivedHistory], projection: type[Resident] | type[ArchivedResident]
) -> QuerySet[Any]:
    """The latest history row of every person of ``projection`` without an IdentityRecord."""
    latest = projection.objects.filter(atena_no=OuterRef("atena_no"), history_no=OuterRef("history_no"))
    known = IdentityRecord.objects.filter(atena_no=OuterRef("atena_no"))
    return history.objects.filter(Exists(latest)).exclude(Exists(known))


def _operators() -> Callable[[int], str]:
    """movement id → the username of who entered it (cached; a register has few movements per
    person, and a seeded or migrated one mostly a single one)."""
    cache: dict[int, str] = {}

    def lookup(movement_id: int) -> str:
        if movement_id not in cache:
            if len(cache) > 50_000:
                cache.clear()
            user_id = Movement.objects.filter(pk=movement_id).values_list("entered_by_id", flat=True).first()
            name = User.objects.filter(pk=user_id).values_list("username", flat=True).first() if user_id else None
            cache[movement_id] = name or ""
        return cache[movement_id]

    return lookup


# What _record_for reads of a history row (model instances cost ~10× more per row at 10^6 rows).
FIELDS = (
    "atena_no",
    "history_no",
    "nationality_kind",
    "resident_code",
    "surname",
    "given_name",
    "name_alphabet",
    "furigana_surname",
    "furigana_given_name",
    "birth_text",
    "birth_sort",
    "sex",
    "address_code",
    "postcode",
    "address",
    "banchi",
    "individual_number_ct",
    "individual_number_lookup",
    "became_resident_text",
    "address_set_text",
    "notified_on",
    "previous_address_code",
    "previous_address",
    "relationship",
    "reason",
    "effective_text",
    "effective_sort",
    "category",
    "initiation",
    "processed_on",
    "terminal",
    "status",
    "planned_move_out_on",
    "former_surname",
    "former_surname_furigana",
    "alias",
    "foreign_resident_since_text",
    "movement_id",
)


class _Row:
    """The columns of :data:`FIELDS` with the ``name``/``furigana`` of ``PersonRecord``."""

    def __init__(self, values: tuple[Any, ...]) -> None:
        self.__dict__.update(zip(FIELDS, values, strict=True))

    def __getattr__(self, name: str) -> Any:  # only reached for a column not in FIELDS
        raise AttributeError(name)

    @property
    def name(self) -> str:
        if self.surname or self.given_name:
            return f"{self.surname}\u3000{self.given_name}".strip("\u3000")
        return str(self.name_alphabet)

    @property
    def furigana(self) -> str:
        return f"{self.furigana_surname}\u3000{self.furigana_given_name}".strip("\u3000")


def _rows() -> Iterator[Any]:
    for history, projection in ((ResidentHistory, Resident), (ArchivedHistory, ArchivedResident)):
        rows = _latest(history, projection).order_by("atena_no").values_list(*FIELDS)
        for values in rows.iterator(chunk_size=BLOCK):
            yield _Row(values)


def initial_load(*, now: datetime | None = None, progress: Progress | None = None) -> InitialLoadResult:
    """Build the missing 本人確認情報 (see the module docstring)."""
    now = now or timezone.now()
    operator = _operators()
    columns = [f for f in IdentityRecord._meta.concrete_fields if not f.primary_key]
    defaults = [(f.attname, f.get_default()) for f in columns]
    postgres = connection.vendor == "postgresql"  # psycopg adapts dates, datetimes and booleans
    stamper = Stamper()  # the 整合性確認 digest of each record, stored with it
    created = removed = 0
    first: int | None = None
    last: int | None = None
    with transaction.atomic(), _Writer([f.column for f in columns]) as write:
        _analyze()
        block: list[Any] = []

        def flush() -> None:
            nonlocal created, removed, first, last
            serials = reserve_serials(SERIAL, len(block))
            first = serials.start if first is None else first
            last = serials[-1]
            records = []
            for row, seq in zip(block, serials, strict=True):
                record = record_values(
                    row,
                    None,
                    seq=seq,
                    request_no=f"initial:{row.atena_no}:{row.history_no}",
                    now=now,
                    operator=operator(row.movement_id),
                )
                removed += record["record_status"] == "removed"
                full = {name: record.get(name, default) for name, default in defaults}
                full["digest"] = stamper.of(full)
                values = tuple(full[name] for name, _default in defaults)
                records.append(values if postgres else tuple(map(_sqlite_value, values)))
            write(records)
            created += len(block)
            block.clear()
            if progress is not None:
                progress(created)

        for row in _rows():
            block.append(row)
            if len(block) >= BLOCK:
                flush()
        if block:
            flush()
        covered = _covered_outbox()
        with connection.cursor() as cursor:  # the reconciliation reads the new rows next
            cursor.execute(f"ANALYZE {connection.ops.quote_name(IdentityRecord._meta.db_table)}")
        record_operation(
            action="jukinet.initial_load",
            target_type="jukinet",
            after={
                "created": created,
                "removed": removed,
                "first_seq": first,
                "last_seq": last,
                "telegrams": 0,
                "outbox_covered": covered,
            },
        )
    return InitialLoadResult(created, created - removed, removed, first, last)


def _covered_outbox() -> int:
    """Pending ``jukinet_cs`` outbox rows of history the initial load already holds: handed to
    CS (``sent``), so ``build_from_outbox`` does not build them a second time."""
    loaded = IdentityRecord.objects.filter(atena_no=OuterRef("atena_no"), history_no__gte=OuterRef("history_no"))
    pending = OutboxMessage.objects.filter(
        destination=OutboxMessage.Destination.JUKINET_CS, state=OutboxMessage.State.PENDING, movement__isnull=False
    ).filter(Exists(loaded))
    return pending.update(state=OutboxMessage.State.SENT, last_error="jukinet.initial_load")


def _analyze() -> None:
    """Fresh planner statistics after the bulk load (jumin.conf.db.analyze)."""
    analyze((ResidentHistory, Resident, ArchivedHistory, ArchivedResident, IdentityRecord))


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Writer:
    """A block writer: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, columns: list[str]) -> None:
        quote = connection.ops.quote_name
        table = quote(IdentityRecord._meta.db_table)
        names = ", ".join(quote(c) for c in columns)
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"
        marks = ", ".join("%s" for _ in columns)
        self.insert_sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608  # nosec B608

    def __enter__(self) -> Callable[[list[tuple[Any, ...]]], None]:
        return self.write

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            raw = connection.connection
            with raw.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        with connection.cursor() as cursor:
            cursor.executemany(self.insert_sql, rows)
