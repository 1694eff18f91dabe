"""``jumin audit verify | checkpoint | checkpoint-key | export | purge | install-gate``."""

from __future__ import annotations

import json
import re
from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from jumin.audit import checkpoint
from jumin.audit.context import acting_as
from jumin.audit.models import LOG_MODELS, AccessedPerson
from jumin.audit.services import may_purge, purge
from jumin.audit.triggers import PURGE_ROLE
from jumin.audit.verify import verify_all, verify_checkpoint
from jumin.core.periods import add_months


def _day_start(text: str) -> datetime:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise CommandError("日付は YYYY-MM-DD で指定してください。") from exc
    return timezone.make_aware(datetime.combine(day, time.min))


class Command(BaseCommand):
    help = (
        "監査ログの改ざん検査（verify）、署名付きチェックポイント（checkpoint）、外部保管用の書き出し（export）、"
        "保存期間経過分の削除（purge）、削除用ロールの設定（install-gate）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="ハッシュチェーンとチェックポイントを検査し、最初の不整合を報告する")
        verify.add_argument("--checkpoints", type=Path, help="チェックポイントの置き場所（外部保管の写しなど）")
        verify.add_argument("--public-key", help="チェックポイントの検証鍵（PEM）")
        verify.add_argument("--require-checkpoint", action="store_true", help="チェックポイントが無ければ NG とする")
        sub.add_parser("checkpoint", help="各ログのチェーンの先頭を署名付きファイルに書き出す（cron で定期実行）")
        key = sub.add_parser("checkpoint-key", help="チェックポイントの署名鍵（Ed25519）を作る")
        key.add_argument("--private", type=Path, required=True)
        key.add_argument("--public", type=Path, required=True)
        gate = sub.add_parser("install-gate", help="PostgreSQL: 削除用ロール jumin_log_purge を作り、利用者に付与する")
        gate.add_argument("--grant-to", help="削除（purge）を実行するデータベースの利用者")
        export = sub.add_parser("export", help="ログを JSON Lines で書き出す（外部保管用）")
        export.add_argument("--output", type=Path, required=True)
        export.add_argument("--until", help="この日より前の行だけ（YYYY-MM-DD）")
        removal = sub.add_parser("purge", help="保存期間を過ぎた行を削除する（先に export すること）")
        when = removal.add_mutually_exclusive_group(required=True)
        when.add_argument("--before", help="この日より前の行を削除（YYYY-MM-DD）")
        when.add_argument("--retention", action="store_true", help="保存年数（JUMIN_AUDIT_RETENTION_YEARS）を過ぎた行")
        removal.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action'].replace('-', '_')}")(options)

    def _verify(self, options: dict[str, Any]) -> None:
        broken = False
        for summary in verify_all():
            if summary.first_broken is None:
                self.stdout.write(f"OK      {summary.log}: {summary.rows} 行")
            else:
                broken = True
                self.stdout.write(f"NG      {summary.first_broken}")
        try:
            key = checkpoint.public_key(options["public_key"]) if options["public_key"] else None
        except (checkpoint.CheckpointError, ValueError) as exc:
            raise CommandError(f"検証鍵を読めません: {exc}") from exc
        result = verify_checkpoint(options["checkpoints"], key)
        for finding in result.findings:
            broken = True
            self.stdout.write(f"NG      {finding}")
        if result.latest is None and not result.findings:
            broken = broken or options["require_checkpoint"]
            mark = "NG" if options["require_checkpoint"] else "WARN"
            self.stdout.write(f"{mark:<8}checkpoint: チェックポイントがありません（jumin audit checkpoint）")
        elif result.latest is not None and not result.findings:
            self.stdout.write(f"OK      checkpoint {result.latest.number} ({result.latest.at})")
        if broken:
            raise CommandError("監査ログに改ざんまたは欠落があります（上の NG 行が最初の不整合です）。")

    def _checkpoint(self, options: dict[str, Any]) -> None:
        # A log set back after the last checkpoint must not get a fresh checkpoint of its
        # shortened chain (verify compares with the latest one only): refuse, and say why.
        findings = verify_checkpoint().findings
        for finding in findings:
            self.stdout.write(f"NG      {finding}")
        if findings:
            raise CommandError("前回のチェックポイントと合わないため、新しいチェックポイントを書き出しません。")
        try:
            point = checkpoint.write()
        except (checkpoint.CheckpointError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"チェックポイント {point.number} を {point.path} に書き出しました。")

    def _checkpoint_key(self, options: dict[str, Any]) -> None:
        try:
            checkpoint.generate_key(options["private"], options["public"])
        except FileExistsError as exc:
            raise CommandError(f"{options['private']} は既にあります（上書きしません）。") from exc
        self.stdout.write(f"署名鍵 {options['private']} と検証鍵 {options['public']} を作りました。")

    def _install_gate(self, options: dict[str, Any]) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite では不要です（削除の許可は接続ごとの関数で行います）。")
            return
        grantee = options["grant_to"]
        if grantee is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", grantee):
            raise CommandError("ロール名は英数字と _ にしてください。")
        qn = connection.ops.quote_name
        tables = [*(m._meta.db_table for m in LOG_MODELS), AccessedPerson._meta.db_table]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [PURGE_ROLE])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE ROLE {qn(PURGE_ROLE)} NOLOGIN")
            cursor.execute(f"GRANT SELECT, DELETE ON {', '.join(qn(t) for t in tables)} TO {qn(PURGE_ROLE)}")
            if grantee:
                cursor.execute(f"GRANT {qn(PURGE_ROLE)} TO {qn(grantee)}")
        to = f"、{grantee} に付与しました" if grantee else ""
        self.stdout.write(f"ロール {PURGE_ROLE} を用意しました{to}。")

    def _export(self, options: dict[str, Any]) -> None:
        until = _day_start(options["until"]) if options["until"] else None
        count = 0
        with options["output"].open("w", encoding="utf-8") as out:
            for model in LOG_MODELS:
                rows = model.objects.order_by("id")
                if until is not None:
                    rows = rows.filter(at__lt=until)
                for row in rows.values().iterator(chunk_size=2000):
                    out.write(
                        json.dumps({"log": model._meta.db_table, **row}, cls=DjangoJSONEncoder, ensure_ascii=False)
                    )
                    out.write("\n")
                    count += 1
        self.stdout.write(f"{count} 行を {options['output']} に書き出しました。")

    def _purge(self, options: dict[str, Any]) -> None:
        if options["retention"]:
            today = timezone.localdate()
            cutoff = add_months(today, -12 * settings.JUMIN_AUDIT_RETENTION_YEARS)
            before = timezone.make_aware(datetime.combine(cutoff, time.min))
        else:
            before = _day_start(options["before"])
        if not may_purge():
            raise CommandError(
                f"このデータベース利用者はロール {PURGE_ROLE} に属していません。"
                "削除用の利用者で実行してください（jumin audit install-gate --grant-to 利用者）。"
            )
        with acting_as(channel="batch", operator="jumin audit purge"):
            deleted = purge(before, reason=options["reason"])
        for table, count in deleted.items():
            self.stdout.write(f"{table}: {count} 行を削除しました。")
