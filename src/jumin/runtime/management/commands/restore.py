"""``jumin restore FILE``: a backup of ``jumin backup`` into the configured database, which must be
empty (stop ``jumin serve`` and ``jumin worker`` first; then ``jumin migrate`` for a newer
release, ``jumin kiosk rebuild``; see docs/operations.md, "Backup and restore")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.core.errors import DomainError
from jumin.runtime.backup import restore


class Command(BaseCommand):
    help = "jumin backup のファイルを空のデータベースに戻す。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} がありません。")
        try:
            engine = restore(path)
        except DomainError as error:
            raise CommandError(f"{error.message}（{error.code}）") from None
        self.stdout.write(
            f"{path} を戻しました（{engine}）。送付先情報は含まれていません"
            "（バックアップの時点で未送信だったものは、申出により作成し直してください）。"
            "鍵（JUMIN_DATA_KEY など）はバックアップと別に保管したものを設定してください。"
        )
