"""Secrets and encryption keys: read from the environment, else from ``var/secrets.json``,
which is generated on first run (owner-only permissions, never committed).

* ``secret_key`` — Django's SECRET_KEY (sessions, CSRF, signed terminal cookies).
* ``data_key`` — 256-bit AES-GCM key that encrypts 個人番号 at rest.
* ``lookup_key`` — 256-bit HMAC-SHA256 key for exact look-up of 個人番号 without decrypting.

Each can be overridden by ``JUMIN_SECRET_KEY``, ``JUMIN_DATA_KEY`` and ``JUMIN_LOOKUP_KEY``
(keys as URL-safe base64 of 32 bytes), which is how production keeps them in a secret store.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "secrets.json"
ENVIRONMENT = {"secret_key": "JUMIN_SECRET_KEY", "data_key": "JUMIN_DATA_KEY", "lookup_key": "JUMIN_LOOKUP_KEY"}


class SecretsError(RuntimeError):
    pass


@dataclass(frozen=True)
class Secrets:
    secret_key: str
    data_key: bytes
    lookup_key: bytes

    def __repr__(self) -> str:  # never print key material
        return "Secrets(<redacted>)"


def _new_values() -> dict[str, str]:
    return {
        "secret_key": secrets.token_urlsafe(64),
        "data_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "lookup_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }


def _read_or_create(path: Path) -> dict[str, str]:
    """Create the file exactly once, even when several processes start together."""
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(_new_values(), handle)
        try:
            os.link(temporary, path)  # fails if another process won the race
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    with path.open(encoding="utf-8") as handle:
        values: dict[str, str] = json.load(handle)
    return values


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
    )
