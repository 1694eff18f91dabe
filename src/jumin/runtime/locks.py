"""One lock per scheduled job, so two workers never run the same job at once.

* PostgreSQL: a session-level advisory lock, ``pg_try_advisory_lock(JOBS, crc32(job))``, on the
  worker's own connection.  PostgreSQL drops it when the session ends, so a worker that dies
  holds nothing.
* SQLite: an exclusive ``flock`` on a file beside the database (``.<db>.job-<job>.lock``; for
  an in-memory database, in ``JUMIN_VAR_DIR``).  SQLite is one file on one machine, so every
  worker shares the directory; the kernel drops the lock when the process ends.

Both are tried, never waited for: a busy lock means another worker is running the job."""

from __future__ import annotations

import fcntl
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

# The first key of the two-key advisory lock: "JOBS" in ASCII, the worker's own key space.
ADVISORY_SPACE = 0x4A4F4253


def advisory_key(job: str) -> int:
    """The second key: CRC-32 of the job name as a signed 32-bit integer."""
    value = zlib.crc32(job.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


def lock_path(job: str) -> Path:
    name = str(settings.DATABASES["default"]["NAME"])
    if name and ":memory:" not in name and "mode=memory" not in name:
        database = Path(name)
        return database.parent / f".{database.name}.job-{job}.lock"
    return Path(settings.VAR_DIR) / f".job-{job}.lock"


@contextmanager
def job_lock(job: str) -> Iterator[bool]:
    """Yields True when this process now holds the job's lock (released on exit), else False."""
    if connection.vendor == "postgresql":
        with _advisory(job) as held:
            yield held
    elif connection.vendor == "sqlite":
        with _file(job) as held:
            yield held
    else:  # pragma: no cover - jumin supports PostgreSQL and SQLite only
        raise NotImplementedError(connection.vendor)


@contextmanager
def _advisory(job: str) -> Iterator[bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_SPACE, advisory_key(job)])
        row = cursor.fetchone()
    held = bool(row and row[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_SPACE, advisory_key(job)])
            except DatabaseError:
                connection.close()  # the session is gone or broken: closing it drops the lock


@contextmanager
def _file(job: str) -> Iterator[bool]:
    descriptor = os.open(lock_path(job), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
