"""``jumin backup`` / ``jumin restore``: a copy of the database, never of 送付先情報 and never of a key.

* PostgreSQL: ``pg_dump --format=custom`` with ``--exclude-table-data`` for the tables in
  ``EXCLUDED_DATA``; restored with ``pg_restore --single-transaction --exit-on-error
  --no-owner --no-privileges`` into an empty database.
* SQLite: the online backup API (``sqlite3.Connection.backup``: a consistent copy while the
  server runs), then the excluded tables are emptied in the copy with ``secure_delete`` on
  and the copy is rebuilt by ``VACUUM``, so no page of the file still holds their rows.
  Restored with the same API into an empty database file.

Excluded data: the 送付先情報 of ``jumin.cards`` (``DeliveryInfo``).  The assessment promises
that no backup copy of it exists: it lives in the database for one business day only
(``jumin cards purge``); the structure of the table is kept, so a restored database works.
Every backup is checked before it is kept: the written file must hold no row of an excluded
table (``pg_restore --list`` has no TABLE DATA entry for it; the SQLite copy counts none).

Keys are never in a backup: they live in the environment or in ``$JUMIN_VAR_DIR/secrets.json``
and ``$JUMIN_VAR_DIR/jukinet/`` (docs/operations.md, "Backup and restore"), which this module
never reads.  The file is written with owner-only permissions, under a temporary name first.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404 - pg_dump / pg_restore with fixed arguments, no shell
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps
from django.db import connection

from jumin.core.errors import DomainError

# (app label, model) whose rows never go into a backup.
EXCLUDED_DATA = (("cards", "DeliveryInfo"),)
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    size: int
    excluded: tuple[str, ...]


def excluded_tables() -> tuple[str, ...]:
    return tuple(apps.get_model(label, model)._meta.db_table for label, model in EXCLUDED_DATA)


def _engine(database: Mapping[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise DomainError("backup.engine", f"このデータベース（{engine}）のバックアップには対応していません。")


def _pg_environment(database: Mapping[str, Any]) -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore: the password never on a command line."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            environment[variable] = str(database[key])
    environment["PGDATABASE"] = str(database["NAME"])
    return environment


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DomainError(
            "backup.tool_missing", f"{name} が見つかりません（PostgreSQL のクライアントを入れてください）。"
        )
    return found


def _run(argv: list[str], environment: dict[str, str], what: str) -> str:
    completed = subprocess.run(argv, env=environment, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()[-3:]
        raise DomainError("backup.failed", f"{what}に失敗しました: {' / '.join(detail)}")
    return completed.stdout


def _temporary_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(descriptor)
    os.chmod(name, 0o600)
    return Path(name)


def backup(path: Path, database: Mapping[str, Any] | None = None) -> BackupResult:
    """Write a backup of ``database`` (default: the configured one) to ``path``."""
    target = dict(database or connection.settings_dict)
    engine = _engine(target)
    excluded = excluded_tables()
    partial = _temporary_beside(path)
    try:
        if engine == "postgresql":
            _pg_backup(partial, target, excluded)
        else:
            _sqlite_backup(partial, target, excluded, use_django=database is None)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=path, engine=engine, size=path.stat().st_size, excluded=excluded)


def _pg_backup(partial: Path, database: Mapping[str, Any], excluded: tuple[str, ...]) -> None:
    environment = _pg_environment(database)
    _run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-password",
            f"--file={partial}",
            *(f"--exclude-table-data={table}" for table in excluded),
        ],
        environment,
        "pg_dump",
    )
    listing = _run([_tool("pg_restore"), "--list", str(partial)], environment, "pg_restore --list")
    for line in listing.splitlines():
        words = line.split()
        if "TABLE DATA" in line and any(table in words for table in excluded):
            raise DomainError("backup.not_excluded", "バックアップに送付先情報が含まれたため、書き出しを中止しました。")


def _sqlite_backup(partial: Path, database: Mapping[str, Any], excluded: tuple[str, ...], *, use_django: bool) -> None:
    if use_django:
        connection.ensure_connection()
        source = connection.connection
        own = False
    else:
        name = str(database["NAME"])
        source = sqlite3.connect(name, uri=name.startswith("file:"))
        own = True
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        copy.execute("PRAGMA secure_delete = ON")
        for table in excluded:
            copy.execute(f'DELETE FROM "{table}"')  # noqa: S608  # nosec B608 - table names from the models
        copy.commit()
        copy.execute("PRAGMA journal_mode = DELETE")
        copy.execute("VACUUM")
        for table in excluded:
            (left,) = copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608  # nosec B608
            if left:
                raise DomainError(
                    "backup.not_excluded", "バックアップに送付先情報が残ったため、書き出しを中止しました。"
                )
    finally:
        copy.close()
        if own:
            source.close()


# -- restore -----------------------------------------------------------------------------------


def backup_engine(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise DomainError("restore.unknown_file", f"{path.name} は jumin backup の書き出したファイルではありません。")


def restore(path: Path, database: Mapping[str, Any] | None = None) -> str:
    """Restore the backup ``path`` into ``database`` (default: the configured one), which must
    be empty: a restore never merges into or overwrites a register.  Returns the engine."""
    target = dict(database or connection.settings_dict)
    engine = _engine(target)
    kind = backup_engine(path)
    if kind != engine:
        raise DomainError("restore.engine", f"{kind} のバックアップは {engine} のデータベースに戻せません。")
    if engine == "postgresql":
        _pg_restore(path, target)
    else:
        _sqlite_restore(path, target)
    return engine


def _pg_tables(database: Mapping[str, Any]) -> int:
    options = {k: v for k, v in {"host": database.get("HOST"), "port": database.get("PORT")}.items() if v}
    with psycopg.connect(
        dbname=str(database["NAME"]),
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        **options,
    ) as pg:
        row = pg.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    return int(row[0]) if row else 0


def _pg_restore(path: Path, database: Mapping[str, Any]) -> None:
    if _pg_tables(database):
        raise DomainError(
            "restore.not_empty",
            f"データベース {database['NAME']} は空ではありません。空のデータベースに戻してください。",
        )
    environment = _pg_environment(database)
    _run(
        [
            _tool("pg_restore"),
            "--no-password",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={database['NAME']}",
            str(path),
        ],
        environment,
        "pg_restore",
    )


def _sqlite_restore(path: Path, database: Mapping[str, Any]) -> None:
    name = str(database["NAME"])
    if "mode=memory" in name or name == ":memory:":
        raise DomainError("restore.memory", "メモリ上のデータベースには戻せません。")
    target = Path(name)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (verdict,) = source.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise DomainError("restore.damaged", f"{path.name} は壊れています（integrity_check: {verdict}）。")
        copy = sqlite3.connect(target)
        try:
            (tables,) = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
            if tables:
                raise DomainError(
                    "restore.not_empty", f"{target.name} は空ではありません。空のデータベースに戻してください。"
                )
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
