"""How long a 仮登録 keeps its persons (the edit lease)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone


def lease_minutes() -> int:
    return int(getattr(settings, "JUMIN_EDIT_LEASE_MINUTES", 8 * 60))


def lease_expiry() -> Any:
    return timezone.now() + timedelta(minutes=lease_minutes())
