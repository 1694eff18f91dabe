"""Export the whole register in the migration layout (標準仕様 10.6: the hand-over at the end of a
contract).  One CSV per table (UTF-8, header row of Japanese item names, docs/migration.md),
into a directory the operator names; the files are created readable by the owner only,
because 住民.csv holds the 個人番号 in plain (the layout requires it — the target system seals
it again).  Nothing of the data goes to a log; the operation log records the export with its
counts only.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.core.migration_layout import format_value
from jumin.core.program_items import BY_KEY
from jumin.handover.layout import (
    BLOCK,
    HISTORY,
    HOUSEHOLD,
    MEASURE,
    MOVEMENT,
    OFFENDER,
    PROGRAM,
    PROTECTED,
    TABLES,
    TRANSFER,
    Table,
)
from jumin.protection.models import Block, MeasureTransfer, Offender, ProtectedPerson, SupportMeasure
from jumin.registry.models import ArchivedHistory, Household, HouseholdOrder, Movement, ResidentHistory
from jumin.registry.numbers import NumberSealer

CHUNK = 5000


@contextmanager
def _open(directory: Path, table: Table) -> Iterator[Any]:
    fd = os.open(directory / table.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(table.header())
        yield writer


def _write(directory: Path, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    columns = table.columns
    count = 0
    with _open(directory, table) as writer:
        for row in rows:
            writer.writerow([format_value(c, row.get(c.field)) for c in columns])
            count += 1
    return count


def prepare_directory(directory: Path) -> None:
    """The directory must exist or be creatable, and hold none of the layout's files."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    taken = [t.file for t in TABLES if (directory / t.file).exists()]
    if taken:
        raise DomainError("migration.files_exist", f"出力先に同じ名前のファイルがあります: {', '.join(taken)}")


def export_register(directory: Path) -> dict[str, int]:
    """Write every table; returns the rows written per file."""
    prepare_directory(directory)
    counts: dict[str, int] = {}
    programs: list[dict[str, Any]] = []
    counts[HISTORY.file] = _write(directory, HISTORY, _history_rows(programs))
    counts[PROGRAM.file] = _write(directory, PROGRAM, programs)
    counts[HOUSEHOLD.file] = _write(directory, HOUSEHOLD, _household_rows())
    counts[MOVEMENT.file] = _write(directory, MOVEMENT, _movement_rows())
    counts[MEASURE.file] = _write(
        directory, MEASURE, (dict(v) for v in SupportMeasure.objects.order_by("measure_no").values())
    )
    for model, table in (
        (ProtectedPerson, PROTECTED),
        (Offender, OFFENDER),
        (MeasureTransfer, TRANSFER),
        (Block, BLOCK),
    ):
        counts[table.file] = _write(directory, table, _related(model, table))
    record_operation(action="handover.export", target_type="registry", after=counts)
    return counts


def _fields(table: Table, skip: set[str]) -> list[str]:
    return [c.field for c in table.columns if c.field not in skip]


def _history_rows(programs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Main history then the 除票DB, each by 宛名番号 and 履歴番号; the 個人番号 opened."""
    sealer = NumberSealer()
    extra = {"archived", "movement_no", "individual_number", "archived_at"}
    fields = [*_fields(HISTORY, extra), "program_items", "individual_number_ct"]
    for model, archived in ((ResidentHistory, False), (ArchivedHistory, True)):
        names = [*fields, "movement__movement_no"] + (["archived_at"] if archived else [])
        query = model.objects.order_by("atena_no", "history_no").values_list(*names)
        for values in query.iterator(chunk_size=CHUNK):
            row = dict(zip(names, values, strict=True))
            row["archived"] = archived
            row["movement_no"] = row.pop("movement__movement_no")
            sealed = row.pop("individual_number_ct")
            row["individual_number"] = sealer.open(sealed, row["atena_no"]) if sealed else ""
            for key, items in (row.pop("program_items") or {}).items():
                programs.append(_program_row(row["atena_no"], row["history_no"], key, items))
            yield row


def _program_row(atena_no: str, history_no: int, key: str, items: dict[str, Any]) -> dict[str, Any]:
    if key not in BY_KEY:
        raise DomainError("migration.unknown_program", "個別事項に定義されていない業務があります。")
    return {"atena_no": atena_no, "history_no": history_no, "program": key, **items}


def _household_rows() -> Iterator[dict[str, Any]]:
    orders = {o.household_no: o for o in HouseholdOrder.objects.all()}
    for values in Household.objects.order_by("household_no").values().iterator(chunk_size=CHUNK):
        row: dict[str, Any] = dict(values)
        order = orders.get(row["household_no"])
        if order is not None:
            row["member_order"] = " ".join(order.atena_nos)
            row["order_set_at"] = order.set_at
        yield row


def _movement_rows() -> Iterator[dict[str, Any]]:
    """The movements on the record (本登録); a 仮登録 is not part of the register."""
    query = Movement.objects.filter(state=Movement.State.FINAL).order_by("movement_no")
    for row in query.values(*_fields(MOVEMENT, {"cancels_no"}), "cancels__movement_no").iterator(chunk_size=CHUNK):
        row["cancels_no"] = row.pop("cancels__movement_no")
        yield row


def _related(model: Any, table: Table) -> Iterator[dict[str, Any]]:
    """Rows of a table that refers to a 支援措置 by its number."""
    fields = _fields(table, set())
    names = ["measure__measure_no" if f == "measure_no" else f for f in fields]
    for values in model.objects.order_by("measure__measure_no", "id").values_list(*names):
        yield dict(zip(fields, values, strict=True))


def write_report(path: Path, issues: Iterable[Any]) -> None:
    """The validation report: ファイル, 行, 項目, コード, メッセージ (no values)."""
    handle: IO[str]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["ファイル", "行", "項目", "コード", "メッセージ"])
        for issue in issues:
            writer.writerow([issue.file, issue.record, issue.item, issue.code, issue.message])
