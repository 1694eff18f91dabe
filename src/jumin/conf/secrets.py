"""Secrets and encryption keys: read from the environment, else from ``var/secrets.json``,
which is generated on first run (owner-only permissions, never committed).

* ``secret_key`` — Django's SECRET_KEY (sessions, CSRF, signed terminal cookies).
* ``data_key`` — 256-bit AES-GCM key that encrypts 個人番号 at rest.
* ``lookup_key`` — 256-bit HMAC-SHA256 key for exact look-up of 個人番号 without decrypting.
* ``audit_key`` — 256-bit HMAC-SHA256 key of the audit logs' hash chains: without it, a
  changed log row cannot be re-chained unnoticed.
* ``signing_key`` — 32-byte Ed25519 private key (seed) that signs the 発行番号 printed in the
  verification QR code of every certificate; its public key is published on the verification
  page so anyone can check a printed copy.

Each can be overridden by ``JUMIN_SECRET_KEY``, ``JUMIN_DATA_KEY``, ``JUMIN_LOOKUP_KEY``,
``JUMIN_AUDIT_KEY`` and ``JUMIN_SIGNING_KEY`` (keys as URL-safe base64 of 32 bytes), which is how production keeps them
in a secret store.  A key added by a newer release is appended to an existing file.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "secrets.json"
# Names of environment variables, not secrets.
ENVIRONMENT = {
    "secret_key": "JUMIN_SECRET_KEY",  # nosec B105
    "data_key": "JUMIN_DATA_KEY",
    "lookup_key": "JUMIN_LOOKUP_KEY",
    "audit_key": "JUMIN_AUDIT_KEY",
    "signing_key": "JUMIN_SIGNING_KEY",
}


class SecretsError(RuntimeError):
    pass


@dataclass(frozen=True)
class Secrets:
    secret_key: str
    data_key: bytes
    lookup_key: bytes
    audit_key: bytes
    signing_key: bytes

    def __repr__(self) -> str:  # never print key material
        return "Secrets(<redacted>)"


def _new_value(name: str) -> str:
    if name == "secret_key":
        return secrets.token_urlsafe(64)
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _write_new(path: Path, values: dict[str, str]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(values, handle)
    os.replace(temporary, path)


def _read_or_create(path: Path) -> dict[str, str]:
    """Create the file, or add missing keys to it, under an exclusive lock so that
    several processes starting together agree on one set of keys."""
    lock = os.open(path.with_name(f".{path.name}.lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        values: dict[str, str] = {}
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                values = json.load(handle)
        missing = [name for name in ENVIRONMENT if name not in values]
        if missing:
            values.update({name: _new_value(name) for name in missing})
            _write_new(path, values)
        return values
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)


def _key(name: str, value: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except ValueError as exc:
        raise SecretsError(f"{ENVIRONMENT[name]} is not URL-safe base64") from exc
    if len(raw) != 32:
        raise SecretsError(f"{ENVIRONMENT[name]} must encode exactly 32 bytes")
    return raw


def load_secrets(var_dir: Path) -> Secrets:
    from_env = {name: os.environ[env] for name, env in ENVIRONMENT.items() if os.environ.get(env)}
    values = dict(from_env)
    if len(from_env) < len(ENVIRONMENT):
        values = {**_read_or_create(var_dir / FILE_NAME), **from_env}
    return Secrets(
        secret_key=values["secret_key"],
        data_key=_key("data_key", values["data_key"]),
        lookup_key=_key("lookup_key", values["lookup_key"]),
        audit_key=_key("audit_key", values["audit_key"]),
        signing_key=_key("signing_key", values["signing_key"]),
    )
