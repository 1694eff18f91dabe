"""``jumin migrate-data export DIR`` / ``jumin migrate-data import DIR [--check-only] [--report FILE]``.

The migration layout of docs/migration.md (標準仕様 10.6 中間標準レイアウト出力, 10.8 CSV取込).
The export writes the 個人番号 into ``DIR/住民.csv`` only (files readable by the owner); the
import checks everything first and writes the report of every issue (record, item, code,
message — never a value) to ``DIR/検証結果.csv`` or ``--report``; it writes nothing when there
is an issue, and refuses a register that is not empty."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.audit.context import acting_as
from jumin.core.errors import DomainError
from jumin.handover.exporter import export_register, write_report
from jumin.handover.importer import import_register
from jumin.handover.layout import REPORT_FILE


class Command(BaseCommand):
    help = "住民記録を移行用レイアウト（CSV）で出力・取込みします（標準仕様 10.6・10.8）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "import"], help="export: 出力 / import: 取込み")
        parser.add_argument("directory", type=Path, help="CSV ファイルのディレクトリ")
        parser.add_argument("--check-only", action="store_true", help="取込み: 検証だけ行い、何も書き込まない")
        parser.add_argument("--report", type=Path, help=f"取込み: 検証結果の出力先（既定 DIR/{REPORT_FILE}）")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        start = time.perf_counter()
        try:
            with acting_as(channel="batch", operator="jumin migrate-data"):
                if options["action"] == "export":
                    counts = export_register(directory)
                else:
                    counts = self._import(directory, options)
        except DomainError as error:
            raise CommandError(error.message) from error
        for file, count in counts.items():
            self.stdout.write(f"  {file:<12} {count:>12,} 件")
        self.stdout.write(f"  所要時間     {time.perf_counter() - start:>12,.1f} 秒")

    def _import(self, directory: Path, options: dict[str, Any]) -> dict[str, int]:
        if not directory.is_dir():
            raise CommandError("指定したディレクトリがありません。")
        result = import_register(directory, check_only=options["check_only"])
        report: Path = options["report"] or directory / REPORT_FILE
        write_report(report, result.issues)
        if result.issues:
            raise CommandError(
                f"検証で {len(result.issues):,} 件の誤りが見つかりました。何も書き込んでいません。検証結果: {report}"
            )
        if not result.written:
            self.stdout.write(
                f"検証で誤りは見つかりませんでした（--check-only: 書き込んでいません）。検証結果: {report}"
            )
            return {}
        self.stdout.write("取り込みました。")
        return result.counts
