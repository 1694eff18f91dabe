"""Hash chaining of log rows (keyed: HMAC-SHA256 with the audit key)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from django.conf import settings

from jumin.audit.models import LogRow

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def payload(row: LogRow) -> bytes:
    """The canonical bytes of a row's chained fields (stable across both engines)."""
    data = {name: _plain(getattr(row, name)) for name in row.CHAIN_FIELDS}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(prev_hash: str, row: LogRow) -> str:
    key: bytes = settings.SECRETS.audit_key
    return hmac.new(key, prev_hash.encode() + b"\n" + payload(row), hashlib.sha256).hexdigest()
