"""``jumin jukinet build|send|receive|codes|import-codes FILE``: one pass of 市町村CS.

``build`` turns pending registry outbox rows (destination ``jukinet_cs``) into 本人確認情報 rows
and telegrams (and the 転入通知 of a 国内転入); ``send`` does the same and then delivers the due
telegrams to the prefecture server (``JUMIN_PREFECTURE_URL``) and the 転入通知 to the other
municipalities (``JUMIN_MUNICIPALITY_URL``; empty = not configured, nothing is sent).  Run
``send`` and ``receive`` from cron or a systemd timer every minute; a failed telegram waits for
its back-off time.  ``receive`` fetches the 転入通知 addressed to us and records them;
``import-codes FILE`` adds spare 住民票コード received from CS; ``codes`` shows the stock.
``receive`` also fetches the 転出証明書情報 (特例転入); ``purge-certificates`` erases the ones past
their time (run it daily)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.audit.context import acting_as
from jumin.core.errors import DomainError
from jumin.jukinet import reconciliation
from jumin.jukinet.dispatch import send_pending
from jumin.jukinet.initial_load import initial_load, missing_count
from jumin.jukinet.move_out_certificates import pull_move_out_certificates, purge_move_out_certificates
from jumin.jukinet.notices import pull_move_in_notices
from jumin.jukinet.services import build_from_outbox
from jumin.jukinet.spare_codes import import_spare_code_file, spare_code_status


class Command(BaseCommand):
    help = (
        "住基ネット（市町村CS）: 本人確認情報の作成（build）と送信（send）、転入通知の受信（receive）、"
        "空きコードの取込（import-codes FILE）と残数（codes）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=[
                "build",
                "send",
                "receive",
                "codes",
                "import-codes",
                "purge-certificates",
                *reconciliation.COMMANDS,
            ],
            help="build: 作成のみ / send: 作成と送信 / receive: 転入通知の受信 / codes: 空きコード残数 / "
            "import-codes FILE: 空きコードの取込",
        )
        parser.add_argument("file", nargs="?", type=Path, help="import-codes: 空きコードのファイル（1行に1コード）")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            with acting_as(channel="batch", operator=f"jumin jukinet {action}"):
                if action == "import-codes":
                    self._import(options.get("file"))
                elif action == "codes":
                    self.stdout.write(spare_code_status().message)
                elif action == "receive":
                    self._receive()
                    self._receive_certificates()
                elif action == "initial-load":
                    self._initial_load()
                elif action in reconciliation.COMMANDS:  # reconcile, refresh-digests, purge-identity
                    reconciliation.run_command(action, self.stdout.write)
                elif action == "purge-certificates":
                    purged = purge_move_out_certificates()
                    self.stdout.write(
                        f"転出証明書情報を消去しました（未転入 {purged.pending}件、転入済 {purged.used}件）。"
                    )
                else:
                    self._build_and_send(action)
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from None

    def _initial_load(self) -> None:
        with reconciliation.progress_bar("本人確認情報を作成しています", missing_count()) as advance:
            loaded = initial_load(progress=advance)
        self.stdout.write(
            f"本人確認情報を{loaded.created}件作成しました（現存 {loaded.current}件、消除 {loaded.removed}件）。"
            "電文は作成していません（都道府県サーバへの初期データは別途媒体で渡します）。"
        )

    def _build_and_send(self, action: str) -> None:
        built = build_from_outbox()
        self.stdout.write(f"本人確認情報を{built.built}件作成しました（エラー {built.failed}件）。")
        if built.notices:
            self.stdout.write(f"転入通知を{built.notices}件作成しました。")
        if built.certificates:
            self.stdout.write(f"転出証明書情報（特例転出）を{built.certificates}件作成しました。")
        if action != "send":
            return
        sent = send_pending()
        if sent.skipped:
            self.stdout.write(sent.skipped)
        if sent.sent or sent.failed or not sent.skipped:
            self.stdout.write(f"{sent.sent}件送信しました（エラー {sent.failed}件）。")
        for destination, seq in sent.blocked.items():
            self.stdout.write(f"  {destination}: 更新順番号 {seq} から先は再送待ちです。")

    def _receive(self) -> None:
        result = pull_move_in_notices()
        if result.skipped:
            self.stdout.write(result.skipped)
            return
        self.stdout.write(
            f"転入通知を{result.received}件受信し、{result.queued}件を除票への記録として仮登録しました"
            f"（審査・決裁で本登録します。取込エラー {result.left}件）。"
        )

    def _receive_certificates(self) -> None:
        result = pull_move_out_certificates()
        if result.skipped:
            self.stdout.write(result.skipped)
            return
        self.stdout.write(f"転出証明書情報を{result.received}件受信しました（読めないもの {result.refused}件）。")

    def _import(self, path: Path | None) -> None:
        if path is None:
            raise CommandError("空きコードのファイルを指定してください（jumin jukinet import-codes FILE）。")
        result = import_spare_code_file(path)
        counts = f"重複 {result.duplicates}件、エラー {len(result.rejected)}件"
        self.stdout.write(f"空きコードを{result.added}件取り込みました（{counts}）。")
        for line, code in result.rejected[:50]:
            self.stdout.write(f"  {line}行目: {code}")
        if result.status is not None:
            self.stdout.write(result.status.message)
