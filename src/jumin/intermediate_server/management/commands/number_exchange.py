"""``jumin number_exchange initial-load|run|purge``: the 中間サーバー's batch work
(docs/number-exchange.md).

``initial-load`` builds the 副本 of every person without one (once, before the outbox consumer
takes over); ``run`` updates the 副本 from the outbox, asks the 符号 still missing and answers
the 情報照会 waiting for us (``JUMIN_PROVISION_NETWORK_URL``); ``purge`` drops the
情報提供等記録 past their seven years.  Run ``run`` every few minutes, ``purge`` daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.audit.context import acting_as
from jumin.core.errors import DomainError
from jumin.intermediate_server.services import (
    answer_requests,
    initial_load,
    obtain_codes,
    purge_records,
    update_copies,
)


class Command(BaseCommand):
    help = "中間サーバー: 副本の初期作成（initial-load）、定時処理（run）、情報提供等記録の削除（purge）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["initial-load", "run", "purge"])

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            with acting_as(channel="batch", operator=f"jumin number_exchange {action}"):
                if action == "initial-load":
                    self.stdout.write(f"副本を{initial_load()}件作成しました。")
                    return
                if action == "purge":
                    self.stdout.write(f"保存期間を過ぎた情報提供等記録を{purge_records()}件削除しました。")
                    return
                total = 0
                while (copies := update_copies()).updated or copies.unchanged or copies.failed:
                    total += copies.updated
                self.stdout.write(f"副本を{total}件更新しました。")
                codes = obtain_codes()
                self.stdout.write(f"符号を{codes.obtained}件取得しました（エラー {codes.failed}件）。")
                answers = answer_requests()
                self.stdout.write(
                    f"情報照会を{answers.received}件受け付け、{answers.answered}件回答しました"
                    f"（自動応答不可 {answers.deferred}件、未送信 {answers.unsent}件）。"
                )
        except DomainError as error:
            raise CommandError(error.message) from None
