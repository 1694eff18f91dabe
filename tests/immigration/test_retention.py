"""保存期間 of the received 法務省通知 (issue 23): ``jumin retention run`` deletes a notice received
before the period (``JUMIN_IMMIGRATION_NOTICE_RETENTION_MONTHS``) and keeps a younger one, with the
counts in ``RetentionRun``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from jumin.audit.models import OperationLog
from jumin.immigration.inbound import receive_notice
from jumin.immigration.models import ReceivedNotice
from jumin.linkage.retention import cutoff
from jumin.retention import services

pytestmark = pytest.mark.django_db


def test_received_immigration_notices_past_the_period_are_deleted(settings: Any) -> None:
    settings.JUMIN_IMMIGRATION_NOTICE_RETENTION_MONTHS = 12
    now = timezone.now()
    edge = cutoff(now, 12)
    old = receive_notice({"notice_id": "MOJ-old", "kind": "unknown"}, now=edge - timedelta(minutes=1))
    young = receive_notice({"notice_id": "MOJ-young", "kind": "unknown"}, now=edge + timedelta(minutes=1))
    assert old.state == young.state == ReceivedNotice.State.INVALID

    [run] = services.run(["immigration_notices"], now=now)

    assert run.counts == {"deleted": 1, "deleted_invalid": 1, "kept_waiting": 0}
    assert list(ReceivedNotice.objects.values_list("notice_id", flat=True)) == ["MOJ-young"]
    assert OperationLog.objects.filter(action="immigration.notices_purged").count() == 1
    [again] = services.run(["immigration_notices"], now=now)
    assert again.counts == {"deleted": 0, "kept_waiting": 0}
