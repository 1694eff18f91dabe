"""``jumin applications import|send``: the 申請管理システム's exchanges with the 電子申請機能's
連携サーバ (``JUMIN_EAPPLICATION_URL``).

``import`` takes the applications filed (and withdrawn) since the last run — signature and CRL
checked, 4情報 matched against the register — and is safe to run again; ``send`` first lets
the applications follow their movements (本登録 → 完了), then sends the queued statuses with the
自治体コメント to the residents.  Run both every few minutes (cron or a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.applications.services import follow_movements, import_applications, send_statuses
from jumin.audit.context import acting_as
from jumin.core.errors import DomainError


class Command(BaseCommand):
    help = "電子申請: 申請データの取り込み（import）、処理状況の送信（send）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "send"], help="import: 取り込み / send: 処理状況の送信")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            with acting_as(channel="batch", operator=f"jumin applications {action}"):
                if action == "import":
                    result = import_applications()
                    self.stdout.write(
                        f"電子申請を{result.received}件受信し、{result.imported}件を取り込みました"
                        f"（取り込み済み {result.already}件、取下げ {result.withdrawn}件、"
                        f"内容の異なる再送 {result.conflicts}件、形式不正 {result.refused}件）。"
                    )
                    return
                followed = follow_movements()
                sent = send_statuses()
                self.stdout.write(
                    f"住基の異動を{followed}件反映し、処理状況を{sent.sent}件送信しました"
                    f"（エラー {sent.failed}件、待機 {sent.waiting}件）。"
                )
        except DomainError as error:
            raise CommandError(error.message) from error
