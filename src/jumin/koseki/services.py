"""The one pass of the 本籍地 linkage (``jumin koseki sync``, the screen's 「今すぐ送受信」): take the
FUHYO outbox rows, send the 附票記載事項通知, receive the 本籍地's notices (docs/koseki.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.koseki import fuhyo, notices


@dataclass
class PassResult:
    collected: int = 0
    local: int = 0
    sent: int = 0
    failed: int = 0
    fuhyo_received: int = 0
    koseki_received: int = 0
    queued: int = 0
    left: int = 0
    skipped: str = ""
    errors: tuple[str, ...] = ()


def run_pass(*, pull: bool = True, now: datetime | None = None) -> PassResult:
    """Collect, send and (``pull``) receive; a peer that cannot be reached is reported, not raised."""
    now = now or timezone.now()
    result = PassResult()
    collected = fuhyo.collect(now=now)
    result.collected, result.local = collected.rows, collected.local
    sent = fuhyo.send_pending(now=now)
    result.sent, result.failed, result.skipped = sent.sent, sent.failed, sent.skipped
    errors: list[str] = []
    if pull and not sent.skipped:
        try:
            taken = fuhyo.pull_fuhyo_notices(now=now)
            result.fuhyo_received = taken.recorded
        except DomainError as exc:
            errors.append(exc.message)
        try:
            received = notices.pull_koseki_notices(now=now)
            result.koseki_received, result.queued, result.left = received.received, received.queued, received.left
        except DomainError as exc:
            errors.append(exc.message)
    result.errors = tuple(errors)
    record_operation(
        action="koseki.pass",
        target_type="koseki",
        target_id="fuhyo",
        after={
            "collected": result.collected,
            "local": result.local,
            "sent": result.sent,
            "failed": result.failed,
            "fuhyo_received": result.fuhyo_received,
            "koseki_received": result.koseki_received,
        },
    )
    return result
