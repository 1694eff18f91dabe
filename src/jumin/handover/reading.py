"""Reading the files of the migration layout (標準仕様 10.8 CSV取込): each file streamed one
record at a time (``csv`` module), its items read by a reader compiled once for its header
(:class:`jumin.core.migration_layout.RowReader`); a bad header or a record of the wrong width
is an :class:`Issue`."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from jumin.conf.domain import era_table, m11_remainder_one_policy, resident_code_formula
from jumin.core.migration_layout import Issue, RowReader, Rules, check_header
from jumin.core.program_items import BY_KEY, clean_program
from jumin.handover.layout import HISTORY, HOUSEHOLD, Table

REQUIRED_FILES = (HISTORY, HOUSEHOLD)
PROGRAM_SHAPES = {
    "registration": ("registered",),
    "coverage": ("insured", "acquired_on", "lost_on"),
    "pension": ("insured", "acquired_on", "lost_on", "basic_pension_no", "category", "category_changed_on"),
    "allowance": ("start_month", "end_month"),
}


def rules() -> Rules:
    return Rules(eras=era_table(), m11=m11_remainder_one_policy(), formula=resident_code_formula())


def records(
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


def rows(
    directory: Path, table: Table, checks: Rules, issues: list[Issue]
) -> Iterator[tuple[int, dict[str, Any], bool]]:
    """(line, field values, ok) of every record of a table, its issues added to ``issues``."""
    for line, items, reader in records(directory, table, checks, issues):
        values, found = reader.read(line, items)
        issues.extend(found)
        yield line, values, not found


def defaults(model: Any) -> dict[str, Any]:
    """The NOT NULL fields of ``model`` with a default (an empty item of another vendor's file,
    e.g. an empty JSON item, becomes the default)."""
    return {f.name: f for f in model._meta.concrete_fields if not f.null and f.has_default()}


def fill_defaults(values: dict[str, Any], fields: Mapping[str, Any]) -> None:
    for name, f in fields.items():
        if values.get(name, "") is None:
            values[name] = f.get_default()


def valid_rows(directory: Path, table: Table, checks: Rules, model: Any = None) -> Iterator[dict[str, Any]]:
    """The records of a table that the validation accepted, an empty item of a NOT NULL field
    of ``model`` as the field's default (e.g. an empty JSON item of another vendor's file)."""
    fields = defaults(model) if model is not None else {}
    issues: list[Issue] = []
    for _line, values, _ok in rows(directory, table, checks, issues):
        fill_defaults(values, fields)
        yield values


def program_items(values: Mapping[str, Any]) -> dict[str, Any]:
    """One program's items of 個別事項.csv, checked like an entry (jumin.core.program_items);
    raises :class:`jumin.core.errors.DomainError`."""
    program = BY_KEY[values["program"]]
    raw = {name: values[name] for name in PROGRAM_SHAPES[program.shape]}
    return clean_program(program.key, raw)
