"""``jumin jukinet build`` / ``jumin jukinet send``: one pass of 市町村CS.

``build`` turns pending registry outbox rows (destination ``jukinet_cs``) into 本人確認情報 rows
and telegrams; ``send`` does the same and then delivers the due telegrams to the prefecture
server (``JUMIN_PREFECTURE_URL``; empty = not configured, nothing is sent).  Run ``send`` from
cron or a systemd timer every minute; a failed telegram waits for its back-off time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.audit.context import acting_as
from jumin.core.errors import DomainError
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.services import build_from_outbox


class Command(BaseCommand):
    help = "住基ネット（市町村CS）: 本人確認情報の作成（build）と都道府県サーバへの送信（send）を1回行います。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["build", "send"], help="build: 本人確認情報の作成のみ / send: 作成と送信"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with acting_as(channel="batch", operator=f"jumin jukinet {options['action']}"):
                built = build_from_outbox()
                self.stdout.write(f"本人確認情報を{built.built}件作成しました（エラー {built.failed}件）。")
                if options["action"] == "send":
                    sent = send_pending()
                    if sent.skipped:
                        self.stdout.write(sent.skipped)
                        return
                    self.stdout.write(f"都道府県サーバへ{sent.sent}件送信しました（エラー {sent.failed}件）。")
                    for destination, seq in sent.blocked.items():
                        self.stdout.write(f"  {destination}: 更新順番号 {seq} から先は再送待ちです。")
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from None
