"""Recompute every log's hash chain and report the first broken link."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from jumin.audit.chain import GENESIS, row_hash
from jumin.audit.models import LOG_MODELS, ChainHead, LogRow, OperationLog

BATCH = 2000


@dataclass(frozen=True)
class Finding:
    log: str
    row_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row_id}" if self.row_id is not None else "chain head"
        return f"{self.log}: {where}: {self.problem}"


@dataclass(frozen=True)
class LogSummary:
    log: str
    rows: int
    first_broken: Finding | None


def _purge_anchors() -> dict[str, set[str]]:
    anchors: dict[str, set[str]] = {}
    for after in OperationLog.objects.filter(action="audit.purge").values_list("after", flat=True):
        for table, anchor in (after or {}).get("anchors", {}).items():
            anchors.setdefault(table, set()).add(anchor)
    return anchors


def _rows(model: type[LogRow]) -> Iterator[LogRow]:
    last_id = 0
    while True:
        batch = list(model.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].pk


def verify_log(model: type[LogRow], anchors: set[str]) -> LogSummary:
    table = model._meta.db_table
    expected: str | None = None
    count = 0
    for row in _rows(model):
        count += 1
        if expected is None:
            if row.prev_hash != GENESIS and row.prev_hash not in anchors:
                return LogSummary(table, count, Finding(table, row.pk, "the first row does not start the chain"))
        elif row.prev_hash != expected:
            return LogSummary(table, count, Finding(table, row.pk, "a row before this one is missing or changed"))
        if row_hash(row.prev_hash, row) != row.hash:
            return LogSummary(table, count, Finding(table, row.pk, "the row was changed after it was written"))
        expected = row.hash
    head = ChainHead.objects.filter(log=table).first()
    emptied_by_purge = expected is None and head is not None and head.last_hash in anchors
    if head is not None and head.last_hash != (expected or GENESIS) and not emptied_by_purge:
        return LogSummary(table, count, Finding(table, None, "rows at the end of the log are missing"))
    return LogSummary(table, count, None)


def verify_all() -> list[LogSummary]:
    anchors = _purge_anchors()
    return [verify_log(model, anchors.get(model._meta.db_table, set())) for model in LOG_MODELS]
