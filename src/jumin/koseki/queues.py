"""The 附票記載事項通知 queue on the 連携状況 screen (``jumin.linkage.queues``), per 本籍地."""

from __future__ import annotations

from jumin.koseki.models import FuhyoNotice
from jumin.koseki.services import run_pass
from jumin.linkage.queue_types import Sent
from jumin.linkage.queues import DeliveryQueue


def send() -> Sent:
    """One pass: take the outbox rows, send the notices, as ``jumin koseki sync`` does."""
    done = run_pass(pull=False)
    return Sent(done.sent, done.failed, done.skipped)


def _row_label(notice: FuhyoNotice) -> str:
    return f"更新順番号 {notice.seq}"


def _destination_label(code: str) -> str:
    return f"附票記載事項通知（本籍地 {code}）"


FUHYO_NOTICES = DeliveryQueue(
    name="koseki.fuhyo_notices",
    label="附票記載事項通知",
    model="koseki.FuhyoNotice",
    created="created_at",
    sender="jumin.koseki.queues.send",
    row_label=_row_label,
    group="destination",
    group_label=_destination_label,
)
