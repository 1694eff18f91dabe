"""What the retention rules of the linked systems' stores share (jumin.retention; docs/operations.md
「保存期間」): the cut-off of a period in months set by a setting, and the purge of a store of
received notices that became 仮登録 for review (戸籍の住民票記載事項通知, 法務省通知).

A period is counted like the others (jumin.core.periods): a row of day D is kept for N months and
deleted from the day after D + N months (the first day is not counted), in local time.  The
periods are settings: the 1 year of 住基法施行令34条4項 (届出書・通知書等) is their default, its
application to these stores is not verified."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from jumin.audit.services import record_operation
from jumin.core.periods import add_months

DEFAULT_MONTHS = 12


def months_setting(name: str) -> int:
    """A retention period in months (at least 1) from the setting ``name``."""
    return max(1, int(getattr(settings, name, DEFAULT_MONTHS)))


def cutoff(now: datetime, months: int) -> datetime:
    """Rows stored before this instant are past a period of ``months`` on the local day of ``now``."""
    day = add_months(timezone.localdate(now), -months)
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def purge_received(model: Any, before: datetime, *, action: str, waiting: str = "queued") -> dict[str, int]:
    """Delete the received notices of ``model`` (``received_at``, ``state``) received before
    ``before``, except those whose 仮登録 still waits for review (``waiting``): one transaction, one
    operation-log row ``action`` with the counts per state only; returns them (and ``kept_waiting``)."""
    due = model.objects.filter(received_at__lt=before)
    with transaction.atomic():
        counts = _count_by_state(due.exclude(state=waiting))
        kept = due.filter(state=waiting).count()
        due.exclude(state=waiting).delete()
        result = {"deleted": sum(counts.values()), **{f"deleted_{k}": v for k, v in sorted(counts.items())}}
        result["kept_waiting"] = kept
        record_operation(action=action, target_type="retention", after={**result, "before": before.isoformat()})
    return result


def _count_by_state(rows: Any) -> dict[str, int]:
    return {row["state"]: row["n"] for row in rows.order_by().values("state").annotate(n=Count("pk"))}
