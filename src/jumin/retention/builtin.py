"""The rules of the register and of the logs (the satellites register their own)."""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.utils import timezone

from jumin.audit.services import purge as purge_logs
from jumin.core.periods import add_months
from jumin.registry import retention as registry_retention
from jumin.retention.rules import Rule

REMOVED = Rule(
    key="removed",
    label="除票（除票DB）と異動の入力内容",
    period="消除の日から150年",
    basis="住民基本台帳法施行令34条1項",
    purge="jumin.retention.builtin.purge_removed",
    gated=True,
)
REBUILT_ORIGINALS = Rule(
    key="rebuilt_originals",
    label="改製原住民票",
    period="改製の日から150年",
    basis="住民基本台帳法施行令34条1項",
    purge="jumin.retention.builtin.purge_rebuilt_originals",
    gated=True,
)
AUDIT_LOGS = Rule(
    key="audit_logs",
    label="アクセスログ・操作ログ・認証ログ・設定変更ログ・印刷ログ",
    period="JUMIN_AUDIT_RETENTION_YEARS 年（既定 7 年）",
    basis="特定個人情報保護評価書（記録の保存）",
    purge="jumin.retention.builtin.purge_audit_logs",
    gated=True,
)


def purge_removed(now: datetime) -> dict[str, int]:
    return registry_retention.purge_removed(timezone.localdate(now))


def purge_rebuilt_originals(now: datetime) -> dict[str, int]:
    return registry_retention.purge_rebuilt_originals(timezone.localdate(now))


def purge_audit_logs(now: datetime) -> dict[str, int]:
    cutoff = add_months(timezone.localdate(now), -12 * settings.JUMIN_AUDIT_RETENTION_YEARS)
    before = timezone.make_aware(datetime.combine(cutoff, time.min))
    return purge_logs(before, reason="保存期間経過（jumin retention run）")
