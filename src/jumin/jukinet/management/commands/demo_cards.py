"""``jumin demo-cards [--count N] [--url URL]``: the simulated 認証局 (``python -m peers.jpki``)
issues a 個人番号カード to a few demo residents, so the 本人確認 screen of ``make run`` has cards
on its reader that pass the check (see :mod:`jumin.jukinet.demo_cards`).

For the demo and development only: refuses to run with DEBUG off unless the demo settings
(``JUMIN_DEMO``) are on.  Prints the 氏名 of the card holders, never a 個人番号."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.audit.context import acting_as
from jumin.core.errors import DomainError
from jumin.jukinet.card_reader import DEFAULT_SIMULATOR_URL
from jumin.jukinet.demo_cards import issue_demo_cards


class Command(BaseCommand):
    help = "デモ用：認証局シミュレータ（python -m peers.jpki）で数人の住民の個人番号カードを発行します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=3, help="カードを発行する住民の人数（既定 3）")
        parser.add_argument(
            "--url", default="", help="認証局シミュレータの URL（既定 JUMIN_CARD_READER_URL または 8768番）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or getattr(settings, "JUMIN_DEMO", False)):
            raise CommandError("デモ用のカードは開発・デモ環境（DEBUG または JUMIN_DEMO）でだけ発行できます。")
        if not 1 <= options["count"] <= 50:
            raise CommandError("--count は 1 から 50 までです。")
        url = options["url"] or str(getattr(settings, "JUMIN_CARD_READER_URL", "") or DEFAULT_SIMULATOR_URL)
        try:
            with acting_as(channel="batch", operator="jumin demo-cards"):
                result = issue_demo_cards(url, count=options["count"])
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from None
        if result.loaded:
            self.stdout.write(f"本人確認情報を作成しました（{result.loaded}件、初期移行）。")
        for name in result.issued:
            self.stdout.write(f"カードを発行しました：{name}")
        for name in result.already:
            self.stdout.write(f"カードはリーダーにあります：{name}")
        if not result.issued and not result.already:
            self.stdout.write("本人確認情報のある住民がいないため、カードを発行しませんでした。")
        else:
            self.stdout.write(f"本人確認の画面で、カードリーダー（{url}）のカードを選んでください。")
