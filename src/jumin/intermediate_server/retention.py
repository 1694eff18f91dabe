"""情報提供等記録's retention rule (jumin.retention): seven years (``keep_until``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from jumin.intermediate_server.services import purge_records
from jumin.retention.rules import Rule

PROVISION_RECORDS = Rule(
    key="provision_records",
    label="情報提供等記録",
    period="7年",
    basis="番号法23条・同施行令29条",
    purge="jumin.intermediate_server.retention.purge",
)


def purge(now: datetime) -> dict[str, int]:
    return {"deleted": purge_records(today=timezone.localdate(now))}
