"""``jumin retention run [--rule KEY …]`` and ``jumin retention rules``: the one place where
records past their retention period are deleted (docs/operations.md 「保存期間」).

``run`` runs every registered rule (or those named) and keeps one run row per rule with the
counts deleted; it exits non-zero when a rule failed (a rule skipped for want of the purge role
is reported, not retried: the worker would otherwise run it again every tick).
``rules`` lists each rule with its period, its legal basis and its last run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jumin.retention import services
from jumin.retention.models import RetentionRun
from jumin.retention.rules import registered


def _counts(run: RetentionRun) -> str:
    return "、".join(f"{name} {value}" for name, value in run.counts.items()) or "—"


class Command(BaseCommand):
    help = "保存期間を過ぎた記録の消去（run）と、保存期間の規則の一覧（rules）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run", "rules"])
        parser.add_argument("--rule", action="append", default=[], help="run: この規則だけ（繰り返し可）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rules":
            self._rules()
            return
        try:
            runs = services.run(options["rule"])
        except services.UnknownRuleError as error:
            raise CommandError(f"規則がありません: {error}") from None
        for run in runs:
            self.stdout.write(f"{run.rule}: {run.get_outcome_display()} {_counts(run)} {run.note}".rstrip())
        bad = [r.rule for r in runs if r.outcome == RetentionRun.Outcome.FAILED]
        if bad:
            raise CommandError(f"消去できなかった規則があります: {', '.join(bad)}")

    def _rules(self) -> None:
        last = services.last_runs()
        for rule in registered():
            self.stdout.write(f"{rule.key}\t{rule.label}\t{rule.period}\t{rule.basis}")
            run = last.get(rule.key)
            if run is not None:
                when = timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M")
                self.stdout.write(f"\t最終実行 {when} {run.get_outcome_display()} {_counts(run)}")
