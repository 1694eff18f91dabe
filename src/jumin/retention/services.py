"""Run the retention rules (``jumin retention run``; the worker runs it daily)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import DatabaseError
from django.utils import timezone

from jumin.audit.context import acting_as
from jumin.audit.services import may_purge
from jumin.retention.models import RetentionRun
from jumin.retention.rules import Rule, registered

logger = logging.getLogger(__name__)


class UnknownRuleError(ValueError):
    pass


def select(keys: Iterable[str] = ()) -> list[Rule]:
    rules = registered()
    wanted = list(keys)
    unknown = sorted(set(wanted) - {r.key for r in rules})
    if unknown:
        raise UnknownRuleError(", ".join(unknown))
    return [r for r in rules if not wanted or r.key in wanted]


def run(keys: Iterable[str] = (), *, now: datetime | None = None) -> list[RetentionRun]:
    """Every rule (or those named), each on its own: a failing rule is recorded and the others
    still run.  A gated rule is skipped, with the reason, when the purge role is missing."""
    now = now or timezone.now()
    runs = []
    with acting_as(channel="batch", operator="jumin retention run"):
        for rule in select(keys):
            runs.append(_run_one(rule, now))
    return runs


def _run_one(rule: Rule, now: datetime) -> RetentionRun:
    started = timezone.now()
    if rule.gated and not may_purge():
        return RetentionRun.objects.create(
            rule=rule.key,
            started_at=started,
            finished_at=timezone.now(),
            outcome=RetentionRun.Outcome.SKIPPED,
            note="削除用ロール jumin_log_purge に属していません（jumin audit install-gate）",
        )
    try:
        counts = dict(rule.function()(now))
    except DatabaseError as error:  # the rule's own transaction rolled back; nothing half-deleted
        logger.error("retention: rule %s failed (%s)", rule.key, type(error).__name__)
        return RetentionRun.objects.create(
            rule=rule.key,
            started_at=started,
            finished_at=timezone.now(),
            outcome=RetentionRun.Outcome.FAILED,
            note=f"データベースエラー（{type(error).__name__}）",
        )
    logger.info("retention: rule %s deleted %s", rule.key, counts)
    return RetentionRun.objects.create(
        rule=rule.key, started_at=started, finished_at=timezone.now(), outcome=RetentionRun.Outcome.DONE, counts=counts
    )


def last_runs() -> dict[str, RetentionRun]:
    """The newest run of each rule."""
    latest = {}
    for rule in registered():
        row = RetentionRun.objects.filter(rule=rule.key).order_by("-started_at", "-pk").first()
        if row is not None:
            latest[rule.key] = row
    return latest
