"""``jumin terminal-code TERMINAL``: issue a one-time enrollment code for a terminal."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.accounts.models import Terminal
from jumin.accounts.services import issue_enrollment_code


class Command(BaseCommand):
    help = "端末登録コード（1回限り・有効期限つき）を発行します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("terminal", help="端末コード（例: SHIMIN-1）")

    def handle(self, *args: Any, **options: Any) -> None:
        terminal = Terminal.objects.filter(code=options["terminal"], is_active=True).first()
        if terminal is None:
            raise CommandError("その端末コードの有効な端末はありません。")
        code = issue_enrollment_code(terminal)
        self.stdout.write(f"{terminal}: 端末登録コード {code}")
