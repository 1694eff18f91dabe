"""``jumin backup FILE``: a backup of the database without 送付先情報 and without keys
(:mod:`jumin.runtime.backup`; PostgreSQL: pg_dump custom format, SQLite: the online backup API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.audit.context import acting_as
from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.runtime.backup import backup


class Command(BaseCommand):
    help = "データベースをバックアップする（送付先情報と鍵は含めない）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="書き出すファイル（PostgreSQL: pg_dump カスタム形式、SQLite: データベースファイル）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with acting_as(channel="batch", operator="jumin backup"):
                result = backup(path)
                record_operation(
                    action="runtime.backup",
                    after={"engine": result.engine, "bytes": result.size, "excluded": list(result.excluded)},
                )
        except DomainError as error:
            raise CommandError(f"{error.message}（{error.code}）") from None
        self.stdout.write(
            f"バックアップを書き出しました: {result.path}（{result.engine}, {result.size:,} バイト。"
            f"除いたデータ: {', '.join(result.excluded)}。鍵は含みません）。"
        )
