"""``jumin koseki sync``: one pass of the 本籍地 linkage (docs/koseki.md) — take the FUHYO outbox
rows, send the 附票記載事項通知 (in order per 本籍地, retrying after an outage), receive the
附票記載事項通知 of other municipalities and the 住民票記載事項通知 (entered for review).  Run it
every few minutes from cron or a systemd timer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jumin.audit.context import acting_as
from jumin.koseki import services


class Command(BaseCommand):
    help = "戸籍の附票連携: 附票記載事項通知の作成・送信と、本籍地からの通知の受信（sync）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sync"])

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(channel="batch", operator="jumin koseki sync"):
            done = services.run_pass()
        if done.skipped:
            self.stderr.write(done.skipped)
        for error in done.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"附票記載事項通知: 作成 {done.collected}（管内 {done.local}）送信 {done.sent} エラー {done.failed} / "
            f"受信: 附票 {done.fuhyo_received} 戸籍の通知 {done.koseki_received}（審査待ち {done.queued}）"
        )
