"""``jumin kiosk sync|rebuild|reconcile [--date YYYY-MM-DD] [--center-url URL]``: the コンビニ交付's
証明書発行サーバ (docs/kiosk.md).

``sync`` applies the KONBINI outbox rows written since the last pass (本登録 and blocks of
証明書発行; run it every minute from cron or a systemd timer); ``rebuild`` makes the kiosk data
from scratch out of the register (after a restore); ``reconcile`` compares the day's (default:
yesterday's) issued copies and fees with the daily report of the 証明書交付センター
(``JUMIN_KONBINI_CENTER_URL`` or ``--center-url``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jumin.audit.context import acting_as
from jumin.core.errors import DomainError
from jumin.kiosk import services, sync


class Command(BaseCommand):
    help = "コンビニ交付: 連携データの更新（sync）・再作成（rebuild）、証明書交付センターとの日次照合（reconcile）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sync", "rebuild", "reconcile"])
        parser.add_argument("--date", type=dt.date.fromisoformat, help="reconcile: 業務日 (YYYY-MM-DD; 既定は前日)")
        parser.add_argument("--center-url", default="", help="reconcile: 証明書交付センターのURL")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            with acting_as(channel="batch", operator=f"jumin kiosk {action}"):
                if action == "sync":
                    done = sync.sync()
                    self.stdout.write(f"連携: {done.rows} 件（住民 {done.residents}・抑止 {done.blocks}）")
                elif action == "rebuild":
                    done = sync.rebuild()
                    self.stdout.write(f"再作成: 住民 {done.residents} 人・抑止 {done.blocks} 件")
                else:
                    day = options.get("date") or timezone.localdate() - dt.timedelta(days=1)
                    row = services.reconcile(day, url=options.get("center_url") or None)
                    verdict = "一致" if row.matched else f"差異 {len(row.differences)} 件"
                    self.stdout.write(
                        f"{day.isoformat()} 当方 {row.our_copies} 通 {row.our_fee} 円 / "
                        f"センター {row.center_copies} 通 {row.center_fee} 円: {verdict}"
                    )
                    if not row.matched:
                        raise CommandError(f"照合で差異があります（{len(row.differences)} 件）。")
        except DomainError as error:
            raise CommandError(error.message) from None
