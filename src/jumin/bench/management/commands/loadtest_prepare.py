"""``jumin loadtest-prepare --users N --output FILE``: accounts and sample residents for the
staff load test (``loadtest/locustfile.py``, docs/benchmarks.md 「負荷試験」; issue 22), as
:mod:`jumin.bench.load_accounts` makes them.  The bench scenario ``staff_load`` does the same
on its own; this command is for running locust by hand.

The file holds passwords and authenticator keys: the command runs only where accounts like
these may exist (DEBUG, the demo, or ``JUMIN_LOADTEST=1`` in the environment), and the file is
written with mode 0600."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.bench.load_accounts import LoadAccountsError, prepare_load_accounts, write_accounts


class Command(BaseCommand):
    help = "負荷試験用の職員アカウント（パスワード・認証アプリ・端末）と試験対象の住民を用意します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=100, help="窓口の職員の数（審査・決裁はその1割、最低1人）")
        parser.add_argument("--residents", type=int, default=2000, help="試験で開く住民の数")
        parser.add_argument("--output", type=Path, required=True, help="書き出すJSONファイル（パスワードを含む）")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = prepare_load_accounts(options["users"], options["residents"], options["seed"])
        except LoadAccountsError as refused:
            raise CommandError(str(refused)) from refused
        output: Path = options["output"]
        write_accounts(output, data)
        roles = [account["role"] for account in data["accounts"]]
        self.stdout.write(
            f"窓口 {roles.count('clerk')} 人・審査 {roles.count('reviewer')} 人、住民 {len(data['residents'])} 人を"
            f" {output} に書き出しました"
            f"（端末登録コードの有効期限は {settings.JUMIN_ENROLLMENT_CODE_TTL_MINUTES} 分）。"
        )
