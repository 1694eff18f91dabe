"""Recompute every log's hash chain and report the first broken link; check the access
index against the access log; compare the chain heads with the latest signed checkpoint."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from jumin.audit import checkpoint
from jumin.audit.chain import GENESIS, row_hash
from jumin.audit.models import LOG_MODELS, AccessedPerson, AccessLog, ChainHead, LogRow, OperationLog

BATCH = 2000
CHECKPOINT = "checkpoint"


@dataclass(frozen=True)
class Finding:
    log: str
    row_id: int | None
    problem: str

    def __str__(self) -> str:
        if self.log == CHECKPOINT:
            return f"{self.log}: {self.problem}"
        where = f"row {self.row_id}" if self.row_id is not None else "chain head"
        return f"{self.log}: {where}: {self.problem}"


@dataclass(frozen=True)
class LogSummary:
    log: str
    rows: int
    first_broken: Finding | None


@dataclass
class Purges:
    """What the recorded retention purges deleted: per log, the hashes the remaining rows
    chain to, and how many rows had been appended up to the last deleted one."""

    anchors: dict[str, set[str]] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)


def _purges() -> Purges:
    purges = Purges()
    for after in OperationLog.objects.filter(action="audit.purge").values_list("after", flat=True):
        for table, anchor in (after or {}).get("anchors", {}).items():
            purges.anchors.setdefault(table, set()).add(anchor)
        for table, position in (after or {}).get("positions", {}).items():
            purges.positions[table] = max(purges.positions.get(table, 0), int(position))
    return purges


def _purge_anchors() -> dict[str, set[str]]:
    return _purges().anchors


def _rows(model: type[LogRow]) -> Iterator[LogRow]:
    last_id = 0
    while True:
        batch = list(model.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].pk


IndexEntry = tuple[int, str, datetime]
AccessRow = tuple[int, list[str] | None, datetime]


def _index_problem(batch: list[AccessRow]) -> Finding | None:
    """The 開示請求 index rows of these access-log rows must be exactly the (deduplicated)
    persons of each chained row: an index row removed hides a look-up, one added invents it."""
    expected: Counter[IndexEntry] = Counter()
    for pk, persons, at in batch:
        for person in dict.fromkeys(persons or []):
            expected[(pk, str(person), at)] += 1
    found: Counter[IndexEntry] = Counter(
        AccessedPerson.objects.filter(access_id__gte=batch[0][0], access_id__lte=batch[-1][0]).values_list(
            "access_id", "atena_no", "at"
        )
    )
    if found == expected:
        return None
    wrong = min(entry[0] for entry in (expected - found) + (found - expected))
    return Finding(AccessedPerson._meta.db_table, wrong, "the index rows do not match this access log row")


def verify_access_index() -> Finding | None:
    """Check every index row against the (chained) access log, so the index is as
    tamper-evident as the log it indexes."""
    checked = 0
    last_id = 0
    while True:
        rows = AccessLog.objects.filter(id__gt=last_id).order_by("id").values_list("id", "persons", "at")
        batch: list[AccessRow] = list(rows[:BATCH])
        if not batch:
            break
        problem = _index_problem(batch)
        if problem is not None:
            return problem
        checked += sum(len(dict.fromkeys(persons or [])) for _, persons, _ in batch)
        last_id = batch[-1][0]
    if AccessedPerson.objects.count() != checked:
        return Finding(AccessedPerson._meta.db_table, None, "index rows without their access log row")
    return None


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
    if head is None and expected is not None:
        return LogSummary(table, count, Finding(table, None, "the chain head is missing"))
    emptied_by_purge = expected is None and head is not None and head.last_hash in anchors
    if head is not None and head.last_hash != (expected or GENESIS) and not emptied_by_purge:
        return LogSummary(table, count, Finding(table, None, "rows at the end of the log are missing"))
    return LogSummary(table, count, None)


def verify_all() -> list[LogSummary]:
    anchors = _purge_anchors()
    summaries = [verify_log(model, anchors.get(model._meta.db_table, set())) for model in LOG_MODELS]
    index_problem = verify_access_index()
    summaries.append(LogSummary(AccessedPerson._meta.db_table, AccessedPerson.objects.count(), index_problem))
    return summaries


@dataclass(frozen=True)
class CheckpointResult:
    latest: checkpoint.Checkpoint | None
    findings: list[Finding]


def verify_checkpoint(folder: Path | None = None, key: Ed25519PublicKey | None = None) -> CheckpointResult:
    """The checkpoint files are intact, and every log still reaches the latest one's heads:
    the row with the checkpointed hash is still in the log, or a recorded purge deleted it.
    A log whose rows were removed from the end (chain head set back) or that was deleted with
    its head fails here, though its remaining chain is valid."""
    files = checkpoint.check_files(folder, key)
    findings = [Finding(CHECKPOINT, None, problem) for problem in files.problems]
    latest = files.latest
    if latest is None:
        return CheckpointResult(None, findings)
    purges = _purges()
    models = {m._meta.db_table: m for m in LOG_MODELS}
    heads = {h.log: h for h in ChainHead.objects.all()}
    for table, point in sorted(latest.heads.items()):
        model = models.get(table)
        if model is None or point.rows == 0:
            continue
        head = heads.get(table)
        where = f"checkpoint {latest.number} ({latest.at}) recorded {point.rows} rows"
        if head is None and not model.objects.exists():
            findings.append(Finding(table, None, f"the log and its chain head are gone; {where}"))
        elif head is not None and head.rows < point.rows:
            findings.append(Finding(table, None, f"the chain head was set back to {head.rows} rows; {where}"))
        elif model.objects.filter(hash=point.hash).exists():
            continue
        elif purges.positions.get(table, 0) >= point.rows or point.hash in purges.anchors.get(table, set()):
            continue  # deleted by a recorded retention purge
        else:
            findings.append(Finding(table, None, f"rows up to the checkpointed head are missing; {where}"))
    return CheckpointResult(latest, findings)
