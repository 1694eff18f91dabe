"""The 150-year purge of 本人確認情報 (住基法施行令34条2項) with a controlled clock."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from jumin.audit.models import OperationLog
from jumin.jukinet.models import IdentityRecord, RecordStatus, Telegram
from jumin.jukinet.retention import last_purgeable_day, purge_identity_records

JST = ZoneInfo("Asia/Tokyo")


def _record(seq: int, *, superseded: date | None = None, removed: date | None = None) -> IdentityRecord:
    """A row that became 修正前 on ``superseded`` (00:30 JST: still the day before in UTC), or a
    消除 notified on ``removed``."""
    notified = removed or date(2000, 1, 1)
    return IdentityRecord.objects.create(
        atena_no=f"A{seq:05d}",
        history_no=1,
        nationality_kind="japanese",
        resident_code=f"{seq:011d}",
        name="上尾\u3000太郎",
        birth_text="昭和55年4月1日",
        sex="1",
        municipality_code="112194",
        address="埼玉県上尾市本町三丁目1番1号",
        reason="death" if removed else "birth",
        request_no=f"test:{seq}",
        update_seq=seq,
        record_status=RecordStatus.REMOVED if removed else RecordStatus.CURRENT,
        recorded_at=datetime.combine(notified, time(23, 30), JST),
        superseded_at=datetime.combine(superseded, time(0, 30), JST) if superseded else None,
    )


@pytest.mark.parametrize(
    ("day", "kept_until"),
    [
        (date(2024, 6, 1), date(2174, 6, 1)),
        (date(2024, 2, 29), date(2174, 2, 28)),
        (date(2023, 12, 31), date(2173, 12, 31)),
    ],
)
def test_last_purgeable_day_is_the_inverse_of_the_retention_period(day: date, kept_until: date) -> None:
    assert last_purgeable_day(kept_until) < day
    assert last_purgeable_day(date.fromordinal(kept_until.toordinal() + 1)) >= day


@pytest.mark.spec("7.1.1.1", partial=True)
@pytest.mark.django_db
def test_superseded_rows_go_after_150_years_to_the_day() -> None:
    june = _record(1, superseded=date(2024, 6, 1))
    leap = _record(2, superseded=date(2024, 2, 29))
    current = _record(3)
    Telegram.objects.create(
        destination="prefecture",
        seq=1,
        idempotency_key="k1",
        kind="identity_update",
        identity=june,
        body={},
        state="sent",
    )

    assert purge_identity_records(date(2174, 2, 28)).superseded == 0, "2024-02-29 is kept to 2174-02-28"
    first = purge_identity_records(date(2174, 3, 1))
    assert (first.superseded, first.removed) == (1, 0)
    assert not IdentityRecord.objects.filter(pk=leap.pk).exists()

    assert purge_identity_records(date(2174, 6, 1)).superseded == 0, "2024-06-01 is kept to 2174-06-01"
    second = purge_identity_records(date(2174, 6, 2))
    assert (second.superseded, second.telegrams) == (1, 1)
    assert list(IdentityRecord.objects.values_list("pk", flat=True)) == [current.pk], "現存 rows are never purged"
    log = OperationLog.objects.filter(action="jukinet.identity_purged").order_by("-id").first()
    assert log is not None and log.after["superseded"] == 1 and "resident_code" not in str(log.after)


@pytest.mark.spec("7.1.1.1", partial=True)
@pytest.mark.django_db
def test_removed_records_go_150_years_after_the_removal_unless_a_telegram_is_unsent() -> None:
    removed = _record(1, removed=date(2024, 6, 1))
    waiting = _record(2, removed=date(2024, 6, 1))
    Telegram.objects.create(
        destination="prefecture", seq=2, idempotency_key="k2", kind="identity_update", identity=waiting, body={}
    )
    assert purge_identity_records(date(2174, 6, 1)).removed == 0
    result = purge_identity_records(date(2174, 6, 2))
    assert (result.removed, result.kept_unsent) == (1, 1)
    assert not IdentityRecord.objects.filter(pk=removed.pk).exists()
    assert IdentityRecord.objects.filter(pk=waiting.pk).exists()
