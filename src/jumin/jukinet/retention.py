"""The 150-year purge of the 本人確認情報 file (住基法施行令34条2項; ``jumin jukinet purge-identity``).

施行令34条2項: 本人確認情報 notified to CS are kept — for a 記載/修正, until 150 years after the
next notification for that person (the row became 修正前: ``superseded_at``); for a 消除, 150
years from the notification (``recorded_at`` of the current row with レコード状況 消除).  The
150 years are counted as for a 除票 (施行令34条1項, jumin.core.periods.removed_record_retention_until:
the first day is not counted): a row that became 修正前 on 2024-06-01 is kept to 2174-06-01 and
deleted from 2174-06-02; one of 2024-02-29 is kept to 2174-02-28.  The day is the local (JST) day.

The sent telegrams of a purged row go with it (they carry the same items); a row with a
telegram not yet delivered is kept.  One transaction, one operation-log row
``jukinet.identity_purged`` with the counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from jumin.audit.services import record_operation
from jumin.core.periods import last_purgeable_day
from jumin.jukinet.models import IdentityRecord, RecordStatus, Telegram
from jumin.jukinet.move_out_certificates import purge_move_out_certificates
from jumin.retention.rules import Rule

YEARS = 150


@dataclass(frozen=True)
class PurgeResult:
    superseded: int
    removed: int
    telegrams: int
    kept_unsent: int
    last_day: date  # rows of this local day and before were due


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def purge_identity_records(today: date | None = None) -> PurgeResult:
    """Delete the 修正前 and 消除 本人確認情報 whose 150 years have passed (module docstring)."""
    today = today or timezone.localdate()
    last_day = last_purgeable_day(today)
    before = _start_of(last_day + timedelta(days=1))
    due = IdentityRecord.objects.filter(
        Q(superseded_at__lt=before)
        | Q(superseded_at__isnull=True, record_status=RecordStatus.REMOVED, recorded_at__lt=before)
    )
    # a superseded telegram (「異動事由を変更しての再送」) is never sent: it goes with its record
    done = (Telegram.State.SENT, Telegram.State.SUPERSEDED)
    unsent = Telegram.objects.filter(identity=OuterRef("pk")).exclude(state__in=done)
    with transaction.atomic():
        kept = due.filter(Exists(unsent)).count()
        purgeable = due.exclude(Exists(unsent))
        superseded = purgeable.filter(superseded_at__isnull=False).count()
        removed = purgeable.filter(superseded_at__isnull=True).count()
        telegrams, _ = Telegram.objects.filter(identity__in=purgeable.values("pk")).delete()
        purgeable.delete()
        record_operation(
            action="jukinet.identity_purged",
            target_type="jukinet",
            after={
                "superseded": superseded,
                "removed": removed,
                "telegrams": telegrams,
                "kept_unsent": kept,
                "last_day": last_day.isoformat(),
            },
        )
    return PurgeResult(superseded, removed, telegrams, kept, last_day)


# -- the rules of jumin.retention ------------------------------------------------------------

IDENTITY_RECORDS = Rule(
    key="identity_records",
    label="本人確認情報（修正前・消除）と送信した電文",
    period="修正・消除の通知から150年",
    basis="住民基本台帳法施行令34条2項",
    purge="jumin.jukinet.retention.purge_identity",
)
MOVE_OUT_CERTIFICATES = Rule(
    key="move_out_certificates",
    label="転出証明書情報（特例転出・受信）",
    period="転出予定日の後 JUMIN_MOVE_OUT_CERTIFICATE_DAYS 日、または転入の本登録まで",
    basis="住民基本台帳法24条の2・住基ネット技術的基準",
    purge="jumin.jukinet.retention.purge_move_out",
)


def purge_identity(now: datetime) -> dict[str, int]:
    done = purge_identity_records(timezone.localdate(now))
    return {
        "superseded": done.superseded,
        "removed": done.removed,
        "telegrams": done.telegrams,
        "kept_unsent": done.kept_unsent,
    }


def purge_move_out(now: datetime) -> dict[str, int]:
    done = purge_move_out_certificates(timezone.localdate(now), now=now)
    return {"pending": done.pending, "used": done.used}
