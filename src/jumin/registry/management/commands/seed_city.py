"""``jumin seed-city --residents N [--seed S] [--today YYYY-MM-DD] [--replace | --if-empty]``.

Builds a deterministic synthetic city (:mod:`jumin.synthetic`) in the register: the same
N, seed and --today give the same residents, households and history.  For demos, tests
and benchmarks only: refuses to run with DEBUG off (outside the demo settings of ``make run``) unless --force."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from jumin.audit.context import acting_as
from jumin.conf.domain import era_table
from jumin.core.errors import DomainError
from jumin.registry.seeding import TODAY, SeedResult, register_is_empty, seed_city


class Command(BaseCommand):
    help = "合成市（架空の住民・世帯・異動履歴）を住民記録に作成します。人数とシードが同じなら同じデータです。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, default=10_000, help="現存の住民の人数（既定 10000）")
        parser.add_argument("--seed", type=int, default=1, help="乱数のシード（既定 1）")
        parser.add_argument(
            "--today", type=date.fromisoformat, default=TODAY, help=f"基準日 YYYY-MM-DD（既定 {TODAY.isoformat()}）"
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--replace", action="store_true", help="今の住民記録をすべて削除して作り直す")
        group.add_argument("--if-empty", action="store_true", help="住民が既にいれば何もしない")
        parser.add_argument("--force", action="store_true", help="DEBUG が無効でも実行する")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.JUMIN_DEMO) and not options["force"]:
            raise CommandError("合成市は開発・試験環境（DEBUG）でだけ作成できます。本番では使わないでください。")
        if options["if_empty"] and not register_is_empty():
            if options["verbosity"] > 1:
                self.stdout.write("住民が既に記録されているため、合成市は作成しませんでした。")
            return
        start = time.perf_counter()
        try:
            result = self._seed(options)
        except DomainError as error:
            raise CommandError(error.message) from error
        self._summary(result, options, time.perf_counter() - start)

    def _seed(self, options: dict[str, Any]) -> SeedResult:
        residents = options["residents"]
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        console = Console(stderr=True)
        with (
            acting_as(channel="batch", operator="jumin seed-city"),
            Progress(*columns, console=console, transient=True, disable=options["verbosity"] == 0) as progress,
        ):
            task = progress.add_task("合成市を作成しています", total=residents)
            shown = 0

            def advance(done: int) -> None:
                nonlocal shown
                if done - shown >= 1000 or done == residents:
                    progress.update(task, completed=done)
                    shown = done

            return seed_city(
                residents, seed=options["seed"], today=options["today"], replace=options["replace"], progress=advance
            )

    def _summary(self, result: SeedResult, options: dict[str, Any], seconds: float) -> None:
        today = era_table().format(options["today"])
        lines = [
            f"合成市を作成しました（シード {options['seed']}、基準日 {today}、異動番号 {result.movement_no}）。",
            f"  住民（現存）   {result.residents:>12,} 人",
            f"  除票           {result.removed:>12,} 人",
            f"  世帯（現存）   {result.households - result.inactive_households:>12,} 世帯",
            f"  世帯（住民なし）{result.inactive_households:>11,} 世帯（全員が転出・死亡した世帯、親元の世帯）",
            f"  異動履歴       {result.history_rows:>12,} 行",
            f"  空き住民票コード {result.spare_codes:>10,} 件",
            f"  所要時間       {seconds:>12,.1f} 秒",
        ]
        for line in lines:
            self.stdout.write(line)
