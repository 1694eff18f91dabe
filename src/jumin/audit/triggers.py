"""Append-only enforcement in the database, on PostgreSQL and on SQLite.

UPDATE is always refused.  DELETE (and TRUNCATE on PostgreSQL) is refused unless the
connection has opened the purge gate: on PostgreSQL the transaction-local setting
``jumin.log_purge = 'on'`` AND the session's user is a member of the database role
``jumin_log_purge`` (created by ``jumin audit install-gate``; the application's own user is
not a member, so a session of the application cannot open the gate), on SQLite the
connection function ``jumin_log_purge_allowed()`` returning 1.  A connection that does not
know that function (the sqlite3 shell) cannot delete either: the trigger fails closed.

SQLite rebuilds a table for many ALTERs and loses its triggers: a migration that alters a
log table must call :func:`install` again.  ``tests/audit`` checks every log table.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

PURGE_ROLE = "jumin_log_purge"

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION jumin_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') AND coalesce(current_setting('jumin.log_purge', true), '') = 'on' THEN
    -- The setting alone is not enough: any session may SET it.  Only members of the purge
    -- role may delete; no role, no purge (fail closed).
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '__ROLE__') THEN
      IF pg_has_role(current_user, '__ROLE__', 'MEMBER') THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NULL;
      END IF;
    END IF;
    RAISE EXCEPTION 'jumin: % is append-only (%): the purge gate needs the role __ROLE__',
      TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
  END IF;
  RAISE EXCEPTION 'jumin: % is append-only (%)', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END $$ LANGUAGE plpgsql;
""".replace("__ROLE__", PURGE_ROLE)  # nosec B608  (a constant role name)

# Creates the purge role when the migrating user may (a superuser or CREATEROLE); otherwise
# ``jumin audit install-gate`` run by an administrator creates it.
CREATE_ROLE_SQL = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '__ROLE__') THEN
    CREATE ROLE __ROLE__ NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege OR duplicate_object OR unique_violation THEN
  NULL;
END $$;
""".replace("__ROLE__", PURGE_ROLE)  # nosec B608  (a constant role name)


def _postgresql(table: str) -> list[str]:
    return [
        FUNCTION_SQL,
        f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"',
        f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION jumin_append_only()",
        f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}"',
        f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION jumin_append_only()",
    ]


def _sqlite(table: str) -> list[str]:
    message = f"jumin: {table} is append-only"
    return [
        f'DROP TRIGGER IF EXISTS "{table}_no_update"',
        f'CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{message} (UPDATE)'); END",
        f'DROP TRIGGER IF EXISTS "{table}_no_delete"',
        f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}" '
        f"WHEN jumin_log_purge_allowed() = 0 BEGIN SELECT RAISE(ABORT, '{message} (DELETE)'); END",
    ]


def statements(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return _postgresql(table)
    if vendor == "sqlite":
        return _sqlite(table)
    raise NotImplementedError(f"append-only triggers are not written for {vendor}")


def install(schema_editor: Any, tables: list[str]) -> None:
    for table in tables:
        for sql in statements(schema_editor.connection.vendor, table):
            schema_editor.execute(sql, params=None)


def install_gate_role(schema_editor: Any) -> None:
    """PostgreSQL: the current trigger function and (when permitted) the purge role."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION_SQL, params=None)
        schema_editor.execute(CREATE_ROLE_SQL, params=None)


def register_sqlite_function(connection: BaseDatabaseWrapper) -> None:
    """Give a new SQLite connection the purge-gate function the triggers call."""
    raw = connection.connection

    def allowed() -> int:
        return 1 if getattr(connection, "jumin_log_purge", False) else 0

    raw.create_function("jumin_log_purge_allowed", 0, allowed)
