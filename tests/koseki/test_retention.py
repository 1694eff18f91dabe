"""保存期間 of the 本籍地 linkage (issue 23): the received 住民票記載事項通知 and the delivered
附票記載事項通知 with their FUHYO outbox rows are deleted by ``jumin retention run`` once their period
(a setting, in months) has passed — a younger row and a notice whose 仮登録 waits for review are
kept — and the counts are kept in ``RetentionRun``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.core.periods import add_months
from jumin.koseki.models import FuhyoCursor, FuhyoEntry, FuhyoNotice, FuhyoRecord, ReceivedKosekiNotice
from jumin.koseki.notices import receive_koseki_notice
from jumin.koseki.services import run_pass
from jumin.linkage.models import OutboxMessage
from jumin.linkage.retention import cutoff, months_setting
from jumin.retention import services
from jumin.retention.models import RetentionRun
from tests.koseki.test_notices import _notice as koseki_notice
from tests.koseki.test_notices import _resident

pytestmark = pytest.mark.django_db


def _days_ago(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


def test_the_cut_off_is_the_day_after_the_period_in_local_time(settings: Any) -> None:
    now = timezone.make_aware(datetime(2027, 3, 31, 0, 30))  # 00:30 JST: the local day counts
    assert cutoff(now, 1) == timezone.make_aware(datetime(2027, 2, 28, 0, 0)), "no 応当日: the month's end"
    settings.JUMIN_KOSEKI_NOTICE_RETENTION_MONTHS = 0
    assert months_setting("JUMIN_KOSEKI_NOTICE_RETENTION_MONTHS") == 1, "never less than a month"
    del settings.JUMIN_KOSEKI_NOTICE_RETENTION_MONTHS
    assert months_setting("JUMIN_KOSEKI_NOTICE_RETENTION_MONTHS") == 12


def test_received_koseki_notices_past_the_period_are_deleted_and_the_counts_kept(
    counter: User, reviewer: User, key_dir: Any, settings: Any
) -> None:
    settings.JUMIN_KOSEKI_NOTICE_RETENTION_MONTHS = 6
    now = timezone.now()
    edge = cutoff(now, 6)
    resident = _resident(counter, reviewer)
    old_bad = receive_koseki_notice(
        koseki_notice(resident, idempotency_key="k:old", event="x"), now=edge - timedelta(seconds=1)
    )
    young_bad = receive_koseki_notice(koseki_notice(resident, idempotency_key="k:young", event="x"), now=edge)
    old_waiting = receive_koseki_notice(koseki_notice(resident, idempotency_key="k:wait"), now=_days_ago(edge, 400))
    old_unknown = receive_koseki_notice(
        koseki_notice(resident, idempotency_key="k:who", resident_code="", name="誰か\u3000知らず"),
        now=_days_ago(edge, 1),
    )
    assert (old_bad.state, old_waiting.state, old_unknown.state) == ("invalid", "queued", "unmatched")

    [run] = services.run(["koseki_notices"], now=now)

    assert run.outcome == RetentionRun.Outcome.DONE
    assert run.counts == {"deleted": 2, "deleted_invalid": 1, "deleted_unmatched": 1, "kept_waiting": 1}
    left = set(ReceivedKosekiNotice.objects.values_list("notice_id", flat=True))
    assert left == {young_bad.notice_id, old_waiting.notice_id}, "the younger one and the waiting one stay"
    log = OperationLog.objects.get(action="koseki.notices_purged")
    assert log.after["deleted"] == 2 and resident.name not in str(log.after)


def test_delivered_fuhyo_notices_and_taken_outbox_rows_go_after_the_period(
    counter: User, reviewer: User, key_dir: Any, settings: Any
) -> None:
    settings.JUMIN_FUHYO_SENT_RETENTION_MONTHS = 3
    _resident(counter, reviewer)  # 本籍 上尾市: 管内本籍, recorded in our 附票 and sent at once
    run_pass()
    notice = FuhyoNotice.objects.get()
    assert notice.state == FuhyoNotice.State.SENT and notice.sent_at is not None
    taken = OutboxMessage.objects.get(destination=OutboxMessage.Destination.FUHYO)
    assert taken.state == OutboxMessage.State.SENT and taken.seq <= FuhyoCursor.objects.get().last_seq
    delivered = max(notice.sent_at, taken.created_at)

    soon = timezone.make_aware(datetime.combine(add_months(timezone.localdate(delivered), 3), datetime.min.time()))
    [kept] = services.run(["fuhyo_sent"], now=soon)
    assert kept.counts == {"notices": 0, "outbox": 0}, "three months to the day: still kept"

    _resident(counter, reviewer, given_name="次郎", birth="昭和60年1月1日")  # a row not yet taken
    later = soon + timedelta(days=1)
    [run] = services.run(["fuhyo_sent"], now=later)
    assert run.outcome == RetentionRun.Outcome.DONE and run.counts == {"notices": 1, "outbox": 1}
    assert not FuhyoNotice.objects.filter(pk=notice.pk).exists()
    left = OutboxMessage.objects.filter(destination=OutboxMessage.Destination.FUHYO)
    assert [m.state for m in left] == [OutboxMessage.State.PENDING], "a row not yet taken stays"
    assert FuhyoRecord.objects.count() == 1 and FuhyoEntry.objects.count() == 1, "our 附票 itself stays"
    assert OperationLog.objects.filter(action="koseki.fuhyo_sent_purged").count() == 2
