"""The retention rules: what is deleted when, and why (issue 22; docs/operations.md 「保存期間」).

Each rule names one kind of record, its period and its legal basis, and the dotted path of the
function that deletes what is due: ``purge(now) -> {count name: number}``, in its own
transaction(s), writing its own operation-log row.  Satellites register their rules from
``AppConfig.ready()`` (model-free, like the register's hooks)::

    retention_rules.register("jumin.cards.retention.DELIVERY_INFO")

``jumin retention run`` (the worker, daily) runs every registered rule and keeps a
``RetentionRun`` row per rule and run: the counts are the statistics of what was deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils.module_loading import import_string

from jumin.registry.hooks import Hook

Purge = Callable[[datetime], Mapping[str, int]]


@dataclass(frozen=True)
class Rule:
    key: str  # stable, for the CLI and the run rows
    label: str  # 対象
    period: str  # 保存期間
    basis: str  # 根拠
    purge: str  # dotted path of a Purge
    gated: bool = False  # deletes from append-only tables: needs the purge role on PostgreSQL

    def function(self) -> Purge:
        return import_string(self.purge)  # type: ignore[no-any-return]


retention_rules: Hook[Rule] = Hook("retention.rules")


def registered() -> list[Rule]:
    """The rules in registration order, one per key."""
    seen: dict[str, Rule] = {}
    for rule in retention_rules.implementations():
        seen.setdefault(rule.key, rule)
    return list(seen.values())
