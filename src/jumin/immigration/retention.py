"""The retention rule of the received 法務省通知 (jumin.retention; docs/immigration.md 「保存期間」).

``immigration_notices`` — :class:`ReceivedNotice` (住基法30条の50): kept
``JUMIN_IMMIGRATION_NOTICE_RETENTION_MONTHS`` months (default 12) from receipt; one whose 仮登録
still waits for review is kept.  What a notice changed stays in the register (the movement)."""

from __future__ import annotations

from datetime import datetime

from jumin.immigration.models import ReceivedNotice
from jumin.linkage.retention import cutoff, months_setting, purge_received
from jumin.retention.rules import Rule

IMMIGRATION_NOTICES = Rule(
    key="immigration_notices",
    label="受信した法務省通知（出入国在留管理庁から）",
    period="受信から JUMIN_IMMIGRATION_NOTICE_RETENTION_MONTHS か月（既定 12 か月）。審査待ちのものは残す",
    basis="住民基本台帳法施行令34条4項（通知書: 1年）— 適用は未確認のため設定値",
    purge="jumin.immigration.retention.purge",
)


def purge(now: datetime) -> dict[str, int]:
    before = cutoff(now, months_setting("JUMIN_IMMIGRATION_NOTICE_RETENTION_MONTHS"))
    return purge_received(ReceivedNotice, before, action="immigration.notices_purged")
