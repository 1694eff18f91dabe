"""The retention rules of the 本籍地 linkage (jumin.retention; docs/koseki.md 「保存期間」).

* ``koseki_notices`` — the received 住民票記載事項通知 (:class:`ReceivedKosekiNotice`): kept
  ``JUMIN_KOSEKI_NOTICE_RETENTION_MONTHS`` months (default 12) from receipt; one whose 仮登録
  still waits for review is kept.  What a notice changed stays in the register (the movement).
* ``fuhyo_sent`` — the 附票記載事項通知 we sent (:class:`FuhyoNotice` ``sent``, incl. 管内本籍 ones)
  and the FUHYO outbox rows already taken by :func:`jumin.koseki.fuhyo.collect` (``sent``, at or
  below the cursor): kept ``JUMIN_FUHYO_SENT_RETENTION_MONTHS`` months (default 12) from their
  delivery (the outbox row: from its creation).  A notice not yet delivered is never deleted.

Our own 戸籍の附票 (:class:`FuhyoRecord` / :class:`FuhyoEntry`, which also records the received
附票記載事項通知 once per notice id) is the 附票 itself, kept like a 住民票 (150 years for the 附票の除票,
住基法施行令34条1項): no rule deletes it (none is due before 2169).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from jumin.audit.services import record_operation
from jumin.koseki.fuhyo import CURSOR, FUHYO
from jumin.koseki.models import FuhyoCursor, FuhyoNotice, ReceivedKosekiNotice
from jumin.linkage.models import OutboxMessage
from jumin.linkage.retention import cutoff, months_setting, purge_received
from jumin.retention.rules import Rule

KOSEKI_NOTICES = Rule(
    key="koseki_notices",
    label="受信した住民票記載事項通知（戸籍の届出・本籍地から）",
    period="受信から JUMIN_KOSEKI_NOTICE_RETENTION_MONTHS か月（既定 12 か月）。審査待ちのものは残す",
    basis="住民基本台帳法施行令34条4項（通知書: 1年）— 適用は未確認のため設定値",
    purge="jumin.koseki.retention.purge_notices",
)
FUHYO_SENT = Rule(
    key="fuhyo_sent",
    label="送信済みの附票記載事項通知と附票連携の送信待ち行（FUHYO）",
    period="送信から JUMIN_FUHYO_SENT_RETENTION_MONTHS か月（既定 12 か月）。未送信のものは残す",
    basis="住民基本台帳法施行令34条4項（通知書: 1年）— 適用は未確認のため設定値",
    purge="jumin.koseki.retention.purge_fuhyo_sent",
)


def purge_notices(now: datetime) -> dict[str, int]:
    before = cutoff(now, months_setting("JUMIN_KOSEKI_NOTICE_RETENTION_MONTHS"))
    return purge_received(ReceivedKosekiNotice, before, action="koseki.notices_purged")


def purge_fuhyo_sent(now: datetime) -> dict[str, int]:
    """Delete the delivered 附票記載事項通知 and the taken FUHYO outbox rows past the period."""
    before = cutoff(now, months_setting("JUMIN_FUHYO_SENT_RETENTION_MONTHS"))
    with transaction.atomic():
        cursor = FuhyoCursor.objects.select_for_update().filter(name=CURSOR).first()
        taken = cursor.last_seq if cursor is not None else 0
        sent = FuhyoNotice.objects.filter(state=FuhyoNotice.State.SENT, sent_at__lt=before)
        outbox = OutboxMessage.objects.filter(
            destination=FUHYO, state=OutboxMessage.State.SENT, seq__lte=taken, created_at__lt=before
        )
        result = {"notices": sent.delete()[0], "outbox": outbox.delete()[0]}
        record_operation(
            action="koseki.fuhyo_sent_purged", target_type="retention", after={**result, "before": before.isoformat()}
        )
    return result
