"""``jumin conformance``: write docs/conformance.md from the last test run's spec reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.conformance.report import load_results, render


class Command(BaseCommand):
    help = "テスト結果から標準仕様への適合状況（docs/conformance.md）を作成します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("results", nargs="+", type=Path, help="spec-report JSON files (one per database engine)")
        parser.add_argument("--output", type=Path, default=Path("docs/conformance.md"))

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [p for p in options["results"] if p.exists()]
        if not paths:
            raise CommandError("テスト結果ファイルがありません。先に make test を実行してください。")
        evidence, engines = load_results(paths)
        options["output"].parent.mkdir(parents=True, exist_ok=True)
        options["output"].write_text(render(evidence, engines), encoding="utf-8")
        self.stdout.write(f"{options['output']} を作成しました（{', '.join(engines)}）。")
