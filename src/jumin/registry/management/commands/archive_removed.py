"""``jumin archive-removed [--dry-run] [--chunk-size N]``: move 除票 older than
``JUMIN_REMOVED_ARCHIVE_YEARS`` (5) years to the 除票DB (standard spec 1.1.5, 9.3).

Run at least once a year, outside the busy season (March–April).  Each chunk of persons is
one transaction with its own operation-log row; an interrupted run can simply be run again."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jumin.audit.context import acting_as
from jumin.conf.domain import era_table
from jumin.registry.archive import CHUNK, ArchiveResult, archive_removed, archive_years


class Command(BaseCommand):
    help = f"消除から{archive_years()}年を過ぎた除票を除票DBへ移します（--dry-run は件数を数えるだけ）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="移さずに対象の人数と履歴の行数を表示する")
        parser.add_argument("--chunk-size", type=int, default=CHUNK, help=f"1トランザクションの人数（既定 {CHUNK}）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with (
            acting_as(channel="batch", operator="jumin archive-removed"),
            Progress(*columns, console=Console(stderr=True), transient=True, disable=options["verbosity"] == 0) as bar,
        ):
            task = bar.add_task("除票DBへ移しています", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = archive_removed(dry_run=options["dry_run"], chunk_size=options["chunk_size"], progress=advance)
        self._summary(result, time.perf_counter() - started)

    def _summary(self, result: ArchiveResult, seconds: float) -> None:
        cutoff = era_table().format(result.cutoff)
        if result.dry_run:
            self.stdout.write(
                f"（試行）{cutoff}より前に消除された除票 {result.persons:,}人（異動履歴 {result.history_rows:,}行）"
                "が移行の対象です。何も移していません。"
            )
            return
        self.stdout.write(
            f"{cutoff}より前に消除された除票 {result.persons:,}人（異動履歴 {result.history_rows:,}行）を"
            f"除票DBへ移しました（{result.chunks}回に分けて、{seconds:.1f}秒）。"
        )
        if result.households_dropped:
            self.stdout.write(
                f"  世帯員がすべて除票DBへ移った世帯 {result.households_dropped:,}世帯を世帯の表から外しました。"
            )
