"""Health (``/healthz``) and readiness (``/readyz``) of a ``jumin serve`` process, for the load
balancer, systemd and the container runtime.  Both answer without login, in JSON, and say
nothing about any person: only the names of the checks and ``ok`` or why not.

* ``/healthz`` — the process answers.  No database query: a slow database must not get
  healthy processes restarted.
* ``/readyz`` — the process can serve: the database answers, every migration is applied, and
  the keys are present and the ones the database was written with (``KeyFingerprint``: the
  first ready check records them).  503 with the failed checks otherwise.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from jumin.runtime.models import KeyFingerprint

# The keys stored data depends on (SECRET_KEY and the signing key may be rotated freely).
DATA_KEYS = ("data_key", "lookup_key", "audit_key")
KEY_LENGTH = 32
_FINGERPRINT_TEXT = b"jumin key fingerprint v1"


def database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return f"unreachable ({type(error).__name__})"
    return "ok"


def migrations_check() -> str:
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return f"unknown ({type(error).__name__})"
    return "ok" if not pending else f"{len(pending)} pending"


def fingerprint(key: bytes) -> str:
    return hmac.new(key, _FINGERPRINT_TEXT, hashlib.sha256).hexdigest()


def keys_check() -> str:
    """``ok`` when every key is there and each data key is the one the database was written
    with (recorded here the first time)."""
    secrets = settings.SECRETS
    if not secrets.secret_key or len(secrets.signing_key) != KEY_LENGTH:
        return "missing"
    for name in DATA_KEYS:
        key: bytes = getattr(secrets, name)
        if len(key) != KEY_LENGTH:
            return f"{name} missing"
        try:
            with transaction.atomic():
                recorded, _ = KeyFingerprint.objects.get_or_create(
                    name=name, defaults={"fingerprint": fingerprint(key)}
                )
        except IntegrityError:  # another process recorded it at the same moment
            recorded = KeyFingerprint.objects.get(name=name)
        except DatabaseError as error:
            return f"unknown ({type(error).__name__})"
        if not hmac.compare_digest(recorded.fingerprint, fingerprint(key)):
            return f"{name} differs from the key the database was written with"
    return "ok"


def readiness() -> dict[str, str]:
    database = database_check()
    migrations = migrations_check() if database == "ok" else "unknown (database)"
    return {
        "database": database,
        "migrations": migrations,
        "keys": keys_check() if migrations == "ok" else "unknown (migrations)",
    }
