"""``jumin load-unified-characters [FILE]``: load the official 住基ネット統一文字 table (spec
7.1.1.1) from a UTF-8 CSV 「文字,代替文字,備考」 (代替文字 empty: the character is in the
統一文字 set).  Its rows win over the shipped seed.  Without FILE: reload the shipped seed (rows
already loaded from an official table are kept).  docs/jukinet.md "統一文字"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.audit.context import acting_as
from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.linkage import unified_characters
from jumin.linkage.models import UnifiedCharacter


class Command(BaseCommand):
    help = "住基ネット統一文字の変換表（文字,代替文字,備考 の CSV）を読み込みます。ファイル省略時は同梱の初期データ。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="J-LIS の統一文字表から作った CSV（UTF-8、見出し行あり）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        source = UnifiedCharacter.Source.OFFICIAL if path else UnifiedCharacter.Source.SEED
        try:
            if path:
                with Path(path).open(encoding="utf-8", newline="") as handle:
                    rows = unified_characters.read_csv(handle)
            else:
                rows = unified_characters.seed_rows()
            with acting_as(channel="batch", operator="jumin load-unified-characters"):
                result = unified_characters.load(rows, source=source)
                record_operation(
                    action="linkage.unified_characters_load",
                    target_type="unified_character",
                    after={"source": source, "added": result.added, "changed": result.changed},
                )
        except OSError as error:
            raise CommandError(f"ファイルを読めません: {error.strerror}") from None
        except (DomainError, UnicodeDecodeError) as error:
            message = error.message if isinstance(error, DomainError) else "UTF-8 で保存してください。"
            raise CommandError(f"読み込めませんでした（変換表は変更していません）: {message}") from None
        total = UnifiedCharacter.objects.count()
        self.stdout.write(
            f"統一文字変換表: 追加 {result.added} 件、更新 {result.changed} 件、"
            f"変更なし {result.unchanged} 件、合計 {total} 件"
        )
