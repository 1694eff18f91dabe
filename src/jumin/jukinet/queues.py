"""The telegram queue of 市町村CS on the 連携状況 screen (``jumin.linkage.queues``)."""

from __future__ import annotations

from django.db.models import Q

from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.models import Telegram
from jumin.jukinet.operator import NO_MANUAL_RESEND, destination_label
from jumin.linkage.queue_types import Sent
from jumin.linkage.queues import DeliveryQueue


def send() -> Sent:
    """One pass of ``jumin jukinet send`` (every destination, in 更新順番号 order)."""
    result = send_pending()
    return Sent(result.sent, result.failed, result.skipped)


def _row_label(telegram: Telegram) -> str:
    return f"更新順番号 {telegram.seq}"


TELEGRAMS = DeliveryQueue(
    name="jukinet.telegrams",
    label="住基ネット（電文）",
    model="jukinet.Telegram",
    created="created_at",
    sender="jumin.jukinet.queues.send",
    row_label=_row_label,
    group="destination",
    group_label=destination_label,
    no_manual_retry=Q(kind__in=sorted(NO_MANUAL_RESEND)),  # spec 4.1.3.0.4 (X)
)
