"""Import a register in the migration layout (標準仕様 10.8 CSV取込; the layout of 10.6).

One pass over the files, inside one transaction:

* **validation** of every record (:func:`validate`): each item (check digits of
  宛名番号・世帯番号・住民票コード・個人番号, codes, dates, 続柄, the database's lengths), the
  checks across records of :class:`jumin.core.migration_layout.RegisterCheck` (履歴番号, 世帯主,
  households) and the references between the files.  The result is a list of
  :class:`Issue` — the report.
* **writing**, into an empty register only, by :class:`jumin.handover.writer.RegisterWriter`:
  each record the validation accepted is written as it is read, as long as no issue has been
  found; the transaction is **rolled back** when the report has any issue, so that nothing is
  ever committed from files with an issue (``--check-only`` validates without writing).

The files are read in this order: 異動 (the history rows refer to them), 世帯, 個別事項 (kept
by history row: they go into the history rows), 住民, then the 支援措置 files.
"""

from __future__ import annotations

import time
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.core.migration_layout import Issue, RegisterCheck, Rules, unknown_references
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
)
from jumin.handover.reading import program_items, rows, rules
from jumin.handover.writer import RegisterWriter
from jumin.protection.models import Block, SupportMeasure
from jumin.registry.models import Household, HouseholdOrder, Movement
from jumin.registry.seeding import register_is_empty


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
    validation_seconds: float = 0.0  # the pass that validates (and streams the accepted rows)


# -- validation (and the stream of accepted records) ----------------------------------------


@dataclass
class _Seen:
    check: RegisterCheck = field(default_factory=RegisterCheck)
    movements: set[str] = field(default_factory=set)
    measures: set[str] = field(default_factory=set)
    order_refs: list[tuple[int, str]] = field(default_factory=list)  # manual 記載順位 (line, 宛名番号)
    program_refs: list[tuple[int, str, int]] = field(default_factory=list)  # (line, 宛名番号, 履歴番号)


def validate(directory: Path, writer: RegisterWriter | None = None) -> list[Issue]:
    """Every issue of the files (empty: they can be imported).  With a ``writer``, the records
    are written as they are read while no issue has been found (the caller rolls back when
    the result is not empty)."""
    issues: list[Issue] = []
    checks = rules()
    seen = _Seen()
    _check_movements(directory, checks, seen, issues)
    stream = writer.begin() if writer is not None and not issues else None
    try:
        _check_households(directory, checks, seen, issues, stream)
        _check_programs(directory, checks, seen, issues, stream)
        for line, values, ok in rows(directory, HISTORY, checks, issues):
            if ok:
                _check_history(line, values, seen, issues)
                if stream is not None and _clean(seen, issues):
                    stream.history(values)
    finally:
        if stream is not None:
            stream.end_stream(failed=not _clean(seen, issues))
    _check_across(seen, issues)
    issues += _check_protection(directory, checks, seen.check.known_persons(), seen, issues)
    return sorted(issues)


def _clean(seen: _Seen, issues: list[Issue]) -> bool:
    """No issue so far (of a record or across records): the records may still be written (a
    record after an issue could break a constraint of the database, e.g. a duplicate 履歴番号)."""
    return not issues and not seen.check.issues


def _check_movements(directory: Path, checks: Rules, seen: _Seen, issues: list[Issue]) -> None:
    cancels: list[tuple[int, str]] = []
    for line, values, ok in rows(directory, MOVEMENT, checks, issues):
        if ok:
            if values["movement_no"] in seen.movements:
                issues.append(
                    Issue(MOVEMENT.file, line, "異動番号", "migration.duplicate_movement", "異動番号が重複しています。")
                )
            seen.movements.add(values["movement_no"])
            if values["cancels_no"]:
                cancels.append((line, values["cancels_no"]))
    issues += _unknown(MOVEMENT.file, "取消す異動の異動番号", cancels, seen.movements, "migration.unknown_movement")


def _check_households(
    directory: Path, checks: Rules, seen: _Seen, issues: list[Issue], stream: RegisterWriter | None
) -> None:
    for line, values, ok in rows(directory, HOUSEHOLD, checks, issues):
        if ok:
            seen.check.household(line, values["household_no"], values["head_atena_no"], values["is_active"])
            seen.order_refs += [(line, no) for no in values["member_order"].split()]
            if stream is not None and _clean(seen, issues):
                stream.household(values)


def _check_programs(
    directory: Path, checks: Rules, seen: _Seen, issues: list[Issue], stream: RegisterWriter | None
) -> None:
    """Each 個別事項 checked like an entry; whether its history row exists is checked after
    住民.csv.  The writer keeps them by history row (they go into the history rows)."""
    for line, values, ok in rows(directory, PROGRAM, checks, issues):
        if not ok:
            continue
        seen.program_refs.append((line, values["atena_no"], values["history_no"]))
        try:
            items = program_items(values)
        except DomainError as error:
            issues.append(Issue(PROGRAM.file, line, "業務", error.code, error.message))
            continue
        if stream is not None:
            stream.programs.setdefault((values["atena_no"], values["history_no"]), {})[values["program"]] = items


def _check_history(line: int, values: dict[str, Any], seen: _Seen, issues: list[Issue]) -> None:
    archived = values["archived"]
    if archived and values["archived_at"] is None:
        issues.append(Issue(HISTORY.file, line, "除票DBへの移行日時", "migration.required", "必須の項目が空です。"))
    if values["movement_no"] and values["movement_no"] not in seen.movements:
        issues.append(Issue(HISTORY.file, line, "異動番号", "migration.unknown_movement", "参照先の番号がありません。"))
    seen.check.history_row(
        line,
        values["atena_no"],
        values["history_no"],
        household_no=values["household_no"],
        relationship=values["relationship"],
        is_head=values["is_head"],
        current=values["status"] == "current",
        reason=values["reason"],
        category=values["category"],
        archived=archived,
    )


def _check_across(seen: _Seen, issues: list[Issue]) -> None:
    """The checks that need all of 住民.csv: 個別事項 and 記載順位 refer to its rows and
    persons, and :meth:`RegisterCheck.finish` (履歴番号, 除票DB, households)."""
    check = seen.check
    issues += [
        Issue(PROGRAM.file, line, "履歴番号", "migration.unknown_history", "住民の記録にない履歴です。")
        for line, atena_no, history_no in seen.program_refs
        if not check.has_row(atena_no, history_no)
    ]
    issues += unknown_references(HOUSEHOLD.file, "記載順位（手動）", seen.order_refs, check.known_persons())
    issues += check.finish()


def _unknown(file: str, item: str, refs: list[tuple[int, str]], known: set[str], code: str) -> list[Issue]:
    return [Issue(file, line, item, code, "参照先の番号がありません。") for line, no in refs if no not in known]


def _check_protection(
    directory: Path, checks: Rules, persons: Container[str], seen: _Seen, issues: list[Issue]
) -> list[Issue]:
    found: list[Issue] = []
    for line, values, ok in rows(directory, MEASURE, checks, issues):
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
        for line, values, ok in rows(directory, table, checks, issues):
            if not ok:
                continue
            if (values["measure_no"] or table is not BLOCK) and values["measure_no"] not in seen.measures:
                found.append(
                    Issue(table.file, line, "支援措置番号", "migration.unknown_measure", "参照先の番号がありません。")
                )
            if item:
                found += unknown_references(table.file, item, [(line, values["atena_no"])], persons)
    return found


# -- import ---------------------------------------------------------------------------------


def import_register(directory: Path, *, check_only: bool = False) -> ImportResult:
    """Validate, and — without issues and unless ``check_only`` — write (see the module)."""
    start = time.perf_counter()
    if check_only:
        issues = validate(directory)
        return ImportResult(issues=issues, validation_seconds=time.perf_counter() - start)
    with transaction.atomic():
        if not _is_empty():
            raise RegisterNotEmptyError
        writer = RegisterWriter(directory, rules())
        try:
            issues = validate(directory, writer)
        finally:
            writer.end_stream(failed=True)  # a no-op after the stream ended normally
        result = ImportResult(issues=issues, validation_seconds=time.perf_counter() - start)
        if issues:
            transaction.set_rollback(True)  # nothing of the files is committed
            return result
        result.counts = writer.finish()
        record_operation(action="handover.import", target_type="registry", after=result.counts)
    result.written = True
    return result


def _is_empty() -> bool:
    others = (Household, HouseholdOrder, Movement, SupportMeasure, Block)
    return register_is_empty() and not any(model.objects.exists() for model in others)
