"""Writers of the 連携状況 screen: 「今すぐ再送」 for the failed rows of one queue.

The failed rows of the chosen queue and destination lose their back-off (due now) in one
transaction, written to the operation log (queue, destination, how many, their error codes: no
personal data); then the queue's send pass runs once, in the same order and by the same rules
as the scheduled pass (``jumin.linkage.delivery``).  Rows the standard keeps from a manual
re-send (4.1.3.0.4, 特例転出の転出証明書情報) are not touched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.linkage.queue_types import Queue, Sent
from jumin.linkage.queues import find

RUN_BATCH = "accounts.run_batch"


@dataclass(frozen=True)
class Retried:
    label: str
    rows: int
    sent: Sent


def _queue(by: User, name: str) -> Queue:
    if not by.has_perm(RUN_BATCH):
        raise DomainError("auth.forbidden", "この処理を行う権限がありません。")
    queue = find(name)
    if queue is None:
        raise DomainError("linkage.no_such_queue", "その送信先はありません。")
    return queue


def retry_now(by: User, name: str, key: str = "", *, now: datetime | None = None) -> Retried:
    """Make the failed rows of one queue (and destination) due now, then run its send pass."""
    queue = _queue(by, name)
    now = now or timezone.now()
    with transaction.atomic():
        rows = queue.retryable(key).select_for_update()
        errors = sorted(set(rows.values_list("last_error", flat=True)))
        count = rows.update(next_attempt_at=now)
        if not count:
            raise DomainError("linkage.nothing_to_retry", "再送できる送信エラーはありません。")
        record_operation(
            action="linkage.retry_requested",
            target_type="linkage",
            target_id=f"{name}:{key}" if key else name,
            after={"rows": count, "errors": errors[:20]},
        )
    label = next((line.label for line in queue.lines() if line.key == key), queue.label)
    return Retried(label, count, queue.send())
