"""``jumin immigration pull|send|report [--month YYYY-MM]``: the 出入国在留管理庁 link (docs/immigration.md).

``pull`` fetches the 法務省通知 kept for us and enters each one as a 仮登録 for review (or puts it
on the 取込エラー一覧); ``send`` turns the new outbox rows into 市町村通知 and delivers the waiting
ones in order (``JUMIN_IMMIGRATION_URL``).  Run both from cron or a systemd timer.  ``report``
prints the month's figures for the 定期報告 (spec 6.1, ``jumin.immigration.reports``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.audit.context import acting_as
from jumin.core.errors import DomainError
from jumin.immigration import inbound, outbound, reports


class Command(BaseCommand):
    help = "出入国在留管理庁: 法務省通知の受信（pull）、市町村通知の送信（send）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["pull", "send", "report"])
        parser.add_argument("--month", default="", help="report: 対象月 (YYYY-MM)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            with acting_as(channel="batch", operator=f"jumin immigration {action}"):
                if action == "report":
                    self._report(options["month"])
                elif action == "pull":
                    pulled = inbound.pull_notices()
                    if pulled.skipped:
                        raise CommandError(pulled.skipped)
                    self.stdout.write(
                        f"法務省通知: 受信 {pulled.received} 件（審査待ち {pulled.queued}・取込エラー {pulled.left}）"
                    )
                else:
                    sent = outbound.send()
                    if sent.skipped:
                        raise CommandError(sent.skipped)
                    self.stdout.write(f"市町村通知: 送信 {sent.sent} 件・送信エラー {sent.failed} 件")
        except DomainError as error:
            raise CommandError(error.message) from None

    def _report(self, month: str) -> None:
        try:
            first = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            raise CommandError("対象月は --month YYYY-MM で指定してください。") from None
        for line in reports.lines(reports.periodic_report(first)):
            self.stdout.write(line)
