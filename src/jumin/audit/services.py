"""Writers of the audit logs.  Every function appends one chained row in a transaction."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models, transaction

from jumin.audit.chain import GENESIS, row_hash
from jumin.audit.context import current
from jumin.audit.models import (
    LOG_MODELS,
    AccessedPerson,
    AccessLog,
    AuthLog,
    ChainHead,
    LogRow,
    OperationLog,
    PrintLog,
    SettingsLog,
)
from jumin.audit.throttle import AuthLogThrottle
from jumin.audit.triggers import PURGE_ROLE
from jumin.log_redaction import redact

L = TypeVar("L", bound=LogRow)


def _clean(value: Any) -> Any:
    """Strip anything that looks like a 個人番号 or 住民票コード from free values."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _last_hash(log: str) -> str:
    """The last hash of a chain, its head row locked until the transaction ends (SQLite: the
    IMMEDIATE transaction holds the write lock already).  Plain SQL: this runs for every
    logged read, and the ORM would cost more than the statement."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_hash FROM {ChainHead._meta.db_table} WHERE log = %s{lock}", [log])  # noqa: S608  # nosec B608
        found = cursor.fetchone()
    if found is None:  # the first row of this log
        head, _ = ChainHead.objects.select_for_update().get_or_create(log=log, defaults={"last_hash": GENESIS})
        return head.last_hash
    return str(found[0])


def _advance(log: str, last_hash: str, count: int = 1) -> None:
    table, rows = ChainHead._meta.db_table, connection.ops.quote_name("rows")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_hash = %s, {rows} = {rows} + %s WHERE log = %s",  # noqa: S608  # nosec B608
            [last_hash, count, log],
        )


def _append(
    model: type[L], index_persons: Sequence[str] = (), companion: models.Model | None = None, **fields: Any
) -> L:
    """Append one chained row (and, for the access log, its ``AccessedPerson`` index rows, and
    the ``companion`` row of the same read — see :func:`record_access`)."""
    # No savepoint of its own: a log row that cannot be written fails the whole operation it
    # logs (a read or write without its log row must not happen), and savepoints are round trips.
    with transaction.atomic(savepoint=False):
        log = model._meta.db_table
        last_hash = _last_hash(log)
        row = _new_row(model, prev_hash=last_hash, **fields)
        row.hash = row_hash(row.prev_hash, row)
        if connection.vendor == "postgresql":
            _write_together(row, log, index_persons, companion)
        else:
            row.save(force_insert=True)
            _advance(log, row.hash)
            AccessedPerson.objects.bulk_create(
                [AccessedPerson(access_id=row.pk, atena_no=a, at=row.at) for a in index_persons]
            )
            if companion is not None:
                companion.save(force_insert=True)
    return row


def _new_row(model: type[L], **fields: Any) -> L:
    """A log row stamped with who, where and through what the current operation runs."""
    context = current()
    return model(
        operator_id=context.operator_id,
        operator=context.operator,
        place=context.place,
        terminal=context.terminal,
        client=context.client,
        channel=context.channel,
        request_id=context.request_id,
        ip=context.ip,
        **fields,
    )


# -- access-log batches (issue 24) -------------------------------------------------------------

# (the transaction depth the batch began at, the rows waiting)
_batch: ContextVar[tuple[int, list[tuple[AccessLog, list[str]]]] | None] = ContextVar("access_log_batch", default=None)


@contextmanager
def access_log_batch() -> Iterator[None]:
    """The access-log rows recorded inside the block are written together when it ends — also
    when it raises — as consecutive links of the chain: one lock of the chain head and one
    statement on PostgreSQL, however many reads a screen logs (a person page logs three).
    Each row keeps its own time, purpose and persons.  Only reads logged at the depth of
    transactions the block began at wait: a read logged inside a writer's own transaction is
    written in that transaction at once, so that nothing is committed without its log row.
    Used around each request (``jumin.audit.middleware.AccessLogBatchMiddleware``); a nested
    block joins the outer one."""
    if _batch.get() is not None:
        yield
        return
    pending: list[tuple[AccessLog, list[str]]] = []
    token = _batch.set((_depth(), pending))
    try:
        yield
    finally:
        _batch.reset(token)
        if pending:
            _append_many(pending)


def _depth() -> int:
    return len(connection.atomic_blocks)


def _deferring() -> bool:
    batch = _batch.get()
    return batch is not None and batch[0] == _depth()


def _defer(model: type[AccessLog], index_persons: Sequence[str] = (), **fields: Any) -> AccessLog:
    row = _new_row(model, **fields)
    batch = _batch.get()
    assert batch is not None  # nosec B101 - only called inside a batch
    batch[1].append((row, list(index_persons)))
    return row


def _append_many(pending: list[tuple[AccessLog, list[str]]]) -> None:
    with transaction.atomic(savepoint=False):
        log = AccessLog._meta.db_table
        last_hash = _last_hash(log)
        for row, _ in pending:
            row.prev_hash = last_hash
            row.hash = last_hash = row_hash(row.prev_hash, row)
        if connection.vendor == "postgresql":
            _write_many(pending, log)
            return
        for row, _ in pending:
            row.save(force_insert=True)
        _advance(log, last_hash, len(pending))
        AccessedPerson.objects.bulk_create(
            [AccessedPerson(access_id=row.pk, atena_no=a, at=row.at) for row, persons in pending for a in persons]
        )


def _write_many(pending: list[tuple[AccessLog, list[str]]], log: str) -> None:
    """PostgreSQL: the rows (in chain order: one multi-row INSERT numbers them in order), the
    chain head and the persons index in ONE statement; the index rows find their log row by
    its hash, which is unique."""
    qn = connection.ops.quote_name
    fields = [f for f in AccessLog._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(qn(f.column) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(pending))
    head, rows, index = qn(ChainHead._meta.db_table), qn("rows"), qn(AccessedPerson._meta.db_table)
    sql = (
        f"WITH head AS (UPDATE {head} SET last_hash = %s, {rows} = {rows} + %s WHERE log = %s), "  # noqa: S608  # nosec B608
        f"new_rows AS (INSERT INTO {qn(AccessLog._meta.db_table)} ({columns}) VALUES {values} RETURNING id, hash), "
        f"persons AS (INSERT INTO {index} (access_id, atena_no, at) SELECT new_rows.id, p.atena_no, p.at "
        "FROM new_rows JOIN unnest(%s::text[], %s::varchar[], %s::timestamptz[]) AS p(hash, atena_no, at) "
        "ON p.hash = new_rows.hash) SELECT id, hash FROM new_rows"
    )
    params: list[Any] = [pending[-1][0].hash, len(pending), log]
    for row, _ in pending:
        params += [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
    indexed = [(row, a) for row, persons in pending for a in persons]
    params += [[r.hash for r, _ in indexed], [a for _, a in indexed], [r.at for r, _ in indexed]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {h: i for i, h in cursor.fetchall()}
    for row, _ in pending:
        row.pk = ids[row.hash]
        row._state.adding = False


_STATEMENTS: dict[tuple[type[LogRow], bool], tuple[str, list[Any]]] = {}


def _together_sql(model: type[LogRow], with_persons: bool) -> tuple[str, list[Any]]:
    """PostgreSQL: the log row, the chain head and the persons index in ONE statement
    (data-modifying CTEs), built once per log table."""
    key = (model, with_persons)
    if key not in _STATEMENTS:
        qn = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(qn(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        head, rows = qn(ChainHead._meta.db_table), qn("rows")
        sql = (
            f"WITH head AS (UPDATE {head} SET last_hash = %s, {rows} = {rows} + 1 WHERE log = %s), "  # noqa: S608  # nosec B608
            f"new_row AS (INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks}) RETURNING id)"
        )
        if with_persons:
            index = qn(AccessedPerson._meta.db_table)
            sql += (
                f", persons AS (INSERT INTO {index} (access_id, atena_no, at) "  # noqa: S608  # nosec B608
                "SELECT new_row.id, person, %s FROM new_row, unnest(%s::varchar[]) AS person)"
            )
        _STATEMENTS[key] = (f"{sql} SELECT id FROM new_row", fields)  # noqa: S608  # nosec B608
    return _STATEMENTS[key]


def _write_together(row: LogRow, log: str, persons: Sequence[str], companion: models.Model | None = None) -> None:
    sql, fields = _together_sql(type(row), bool(persons))
    params: list[Any] = [row.hash, log]
    params += [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
    if persons:
        params += [row.at, list(persons)]
    if companion is not None:
        extra_sql, extra_params = _companion_sql(companion)
        sql = f"{sql.partition(' SELECT id FROM new_row')[0]}{extra_sql} SELECT (SELECT id FROM new_row), id FROM also"  # noqa: S608  # nosec B608
        params += extra_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    row.pk = found[0]
    row._state.adding = False
    if companion is not None:
        companion.pk = found[1]
        companion._state.adding = False


def _companion_sql(companion: models.Model) -> tuple[str, list[Any]]:
    """PostgreSQL: ``, also AS (INSERT … RETURNING id)`` for a companion row, and its parameters."""
    qn = connection.ops.quote_name
    fields = [f for f in companion._meta.concrete_fields if not f.primary_key]
    sql = (
        f", also AS (INSERT INTO {qn(companion._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608  # nosec B608
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id)"
    )
    return sql, [f.get_db_prep_save(f.pre_save(companion, add=True), connection) for f in fields]


def record_access(
    *,
    purpose: str,
    persons: Sequence[str],
    action: str = "view",
    criteria: Mapping[str, Any] | None = None,
    result_count: int | None = None,
    individual_number_shown: bool = False,
    resident_code_shown: bool = False,
    at: datetime | None = None,
    companion: models.Model | None = None,
) -> AccessLog:
    """Log a read of personal data.  ``at`` is only for importing logs of a former system.
    ``companion``: a new row that belongs with this read (the operator's search-history row),
    written with the log row at once — in the same statement on PostgreSQL (issue 24) — even
    inside an :func:`access_log_batch`, so that its ``pk`` is known when this returns."""
    extra: dict[str, Any] = {"at": at} if at is not None else {}
    shown = [redact(str(p)) for p in persons]
    fields: dict[str, Any] = {
        "purpose": purpose,
        "action": action,
        "persons": shown,
        "criteria": _clean(dict(criteria or {})),
        "result_count": result_count if result_count is not None else len(persons),
        "individual_number_shown": individual_number_shown,
        "resident_code_shown": resident_code_shown,
    }
    index_persons = list(dict.fromkeys(shown))
    if companion is not None:
        return _append(AccessLog, index_persons=index_persons, companion=companion, **extra, **fields)
    write = _defer if _deferring() else _append
    return write(AccessLog, index_persons=index_persons, **extra, **fields)


def record_operation(
    *,
    action: str,
    target_type: str = "",
    target_id: str = "",
    movement_id: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    individual_number_accessed: bool = False,
) -> OperationLog:
    return _append(
        OperationLog,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        movement_id=str(movement_id),
        before=_clean(dict(before or {})),
        after=_clean(dict(after or {})),
        reason=redact(reason),
        individual_number_accessed=individual_number_accessed,
    )


def record_auth(event: str, *, username: str = "", detail: str = "") -> AuthLog:
    return _append(AuthLog, event=event, username=redact(username)[:150], detail=redact(detail)[:200])


_auth_failures: AuthLogThrottle | None = None


def _write_auth_failure(event: str, source: str, detail: str) -> None:
    record_auth(event, detail=detail)


def auth_failures() -> AuthLogThrottle:
    """The process's throttle of auth-failure rows (see :mod:`jumin.audit.throttle`)."""
    global _auth_failures  # noqa: PLW0603
    if _auth_failures is None:
        _auth_failures = AuthLogThrottle(
            _write_auth_failure,
            limit=settings.JUMIN_AUTH_LOG_FAILURES_PER_SOURCE,
            window=settings.JUMIN_AUTH_LOG_FAILURE_WINDOW_SECONDS,
        )
    return _auth_failures


def record_auth_failure(event: str, *, detail: str = "") -> bool:
    """An auth failure anyone can cause at will (an invalid API key): logged like
    :func:`record_auth`, but at most N rows per source address a window, then one summary
    row with the number left out.  True when a row was written."""
    return auth_failures().record(event, current().ip, detail)


def record_setting(target: str, key: str, *, before: Mapping[str, Any], after: Mapping[str, Any]) -> SettingsLog:
    return _append(SettingsLog, target=target, key=key, before=_clean(dict(before)), after=_clean(dict(after)))


def record_print(
    *,
    title: str,
    mode: str,
    document: str = "",
    persons: Sequence[str] = (),
    pages: int | None = None,
    printer: str = "",
    seal: bool = False,
    individual_number_printed: bool = False,
    issue_no: str = "",
) -> PrintLog:
    return _append(
        PrintLog,
        title=title,
        mode=mode,
        document=redact(document),
        persons=[redact(p) for p in persons],
        pages=pages,
        printer=printer,
        seal=seal,
        individual_number_printed=individual_number_printed,
        issue_no=issue_no,
    )


def may_purge() -> bool:
    """PostgreSQL: the session's user is a member of the purge role (the triggers refuse the
    gate to anyone else); SQLite: always (the gate is the connection's own function)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s) "
            "AND pg_has_role(current_user, (SELECT oid FROM pg_roles WHERE rolname = %s), 'MEMBER')",
            [PURGE_ROLE, PURGE_ROLE],
        )
        return bool(cursor.fetchone()[0])


@contextmanager
def purge_gate() -> Iterator[None]:
    """Open the append-only triggers' DELETE gate for this transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jumin.log_purge = 'on'")
        yield
        return
    previous = getattr(connection, "jumin_log_purge", False)
    connection.jumin_log_purge = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connection.jumin_log_purge = previous  # type: ignore[attr-defined]


def purge(before: datetime, *, reason: str) -> dict[str, int]:
    """Delete log rows older than ``before`` (the retention period has passed).

    The purge itself is written to the operation log with, for each log, the hash the
    first remaining row chains to, so ``verify`` can still check the rest."""
    deleted: dict[str, int] = {}
    anchors: dict[str, str] = {}
    positions: dict[str, int] = {}
    with transaction.atomic(), purge_gate():
        heads = {h.log: h.rows for h in ChainHead.objects.select_for_update()}
        for model in LOG_MODELS:
            table = model._meta.db_table
            doomed = model.objects.filter(at__lt=before)
            last = doomed.order_by("-id").values_list("hash", flat=True).first()
            if model is AccessLog:
                AccessedPerson.objects.filter(at__lt=before).delete()
            deleted[table], _ = doomed.delete()
            if last is not None:
                anchors[table] = last
                # How many rows had been appended up to the last one deleted: a signed
                # checkpoint at or before it is satisfied by this purge (verify).
                positions[table] = heads.get(table, 0) - model.objects.count()
    record_operation(
        action="audit.purge",
        target_type="audit",
        after={"before": before.isoformat(), "deleted": deleted, "anchors": anchors, "positions": positions},
        reason=reason,
    )
    return deleted
