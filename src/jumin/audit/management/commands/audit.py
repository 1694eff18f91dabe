"""``jumin audit verify | export | purge``."""

from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from jumin.audit.context import acting_as
from jumin.audit.models import LOG_MODELS
from jumin.audit.services import purge
from jumin.audit.verify import verify_all
from jumin.core.periods import add_months


def _day_start(text: str) -> datetime:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise CommandError("日付は YYYY-MM-DD で指定してください。") from exc
    return timezone.make_aware(datetime.combine(day, time.min))


class Command(BaseCommand):
    help = "監査ログの改ざん検査（verify）、外部保管用の書き出し（export）、保存期間経過分の削除（purge）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="ハッシュチェーンを検査し、最初の不整合を報告する")
        export = sub.add_parser("export", help="ログを JSON Lines で書き出す（外部保管用）")
        export.add_argument("--output", type=Path, required=True)
        export.add_argument("--until", help="この日より前の行だけ（YYYY-MM-DD）")
        removal = sub.add_parser("purge", help="保存期間を過ぎた行を削除する（先に export すること）")
        when = removal.add_mutually_exclusive_group(required=True)
        when.add_argument("--before", help="この日より前の行を削除（YYYY-MM-DD）")
        when.add_argument("--retention", action="store_true", help="保存年数（JUMIN_AUDIT_RETENTION_YEARS）を過ぎた行")
        removal.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _verify(self, options: dict[str, Any]) -> None:
        broken = False
        for summary in verify_all():
            if summary.first_broken is None:
                self.stdout.write(f"OK      {summary.log}: {summary.rows} 行")
            else:
                broken = True
                self.stdout.write(f"NG      {summary.first_broken}")
        if broken:
            raise CommandError("監査ログに改ざんまたは欠落があります（上の NG 行が最初の不整合です）。")

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
        with acting_as(channel="batch", operator="jumin audit purge"):
            deleted = purge(before, reason=options["reason"])
        for table, count in deleted.items():
            self.stdout.write(f"{table}: {count} 行を削除しました。")
