"""``jumin cards send|receive|purge``: 送付先情報 and card status events with the J-LIS card
management system.

``send`` builds 送付先情報 for the 個人番号 designated by 本登録 since the last run and sends the
due rows and the card events recorded at the counter (``JUMIN_CARDSYSTEM_URL``; empty = not
configured, nothing is sent); ``receive`` records the card events J-LIS has for us; ``purge`` deletes
the rows sent one business day ago or earlier.  Run ``send`` every few minutes and ``purge``
daily (cron or a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.audit.context import acting_as
from jumin.cards.services import (
    collect_assignments,
    pull_card_events,
    purge_sent,
    send_card_events,
    send_delivery_info,
)
from jumin.core.errors import DomainError


class Command(BaseCommand):
    help = "個人番号カード: 送付先情報・カードの事象の送信（send）、事象の受信（receive）、送信済みの削除（purge）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["send", "receive", "purge"],
            help="send: 作成と送信 / receive: カードの事象の受信 / purge: 送信済みの削除",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            with acting_as(channel="batch", operator=f"jumin cards {action}"):
                if action == "purge":
                    deleted = purge_sent()
                    self.stdout.write(f"送信済みの送付先情報を{deleted}件削除しました。")
                    return
                if action == "receive":
                    pulled = pull_card_events()
                    self.stdout.write(
                        pulled.skipped
                        or f"カードの事象を{pulled.received}件受信し、{pulled.recorded}件を記録しました"
                        f"（記録できず {pulled.refused}件）。"
                    )
                    return
                built = collect_assignments()
                self.stdout.write(f"送付先情報を{built}件作成しました。")
                result = send_delivery_info()
                if result.skipped:
                    self.stdout.write(result.skipped)
                self.stdout.write(
                    f"送付先情報を{result.sent}件送信しました（エラー {result.failed}件、待機 {result.waiting}件）。"
                )
                events = send_card_events()
                if events.skipped:
                    self.stdout.write(events.skipped)
                self.stdout.write(
                    f"カードの事象を{events.sent}件送信しました（エラー {events.failed}件、待機 {events.waiting}件）。"
                )
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from None
