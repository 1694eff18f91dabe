"""``jumin load-variants``: load or refresh the 異体字 table from the public ``ja-itaiji`` data
(standard spec 2.1.2).  Staff entries are kept.  ``--add 辺 邉`` adds a staff entry (logged)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.audit.context import acting_as
from jumin.audit.services import record_operation
from jumin.core.errors import DomainError
from jumin.search import variants
from jumin.search.models import VariantKanji


class Command(BaseCommand):
    help = "異体字テーブルを公開データ（ja-itaiji）から読み込み・更新します（職員の登録分は残します）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--add", nargs=2, metavar=("文字", "異体字"), help="職員による異体字の登録（両方向）")
        parser.add_argument("--note", default="", help="--add の備考")

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(channel="batch", operator="jumin load-variants"):
            if options["add"]:
                self._add(*options["add"], note=options["note"])
                return
            added, removed = variants.load_package()
            record_operation(
                action="search.variants_load", target_type="variant_kanji", after={"added": added, "removed": removed}
            )
        total = VariantKanji.objects.count()
        self.stdout.write(f"異体字テーブル: 追加 {added} 件、削除 {removed} 件、合計 {total} 件")

    def _add(self, char: str, variant: str, *, note: str) -> None:
        if len(char) != 1 or len(variant) != 1 or char == variant:
            raise CommandError(str(DomainError("search.variant_invalid", "異なる1文字ずつ指定してください。")))
        for a, b in ((char, variant), (variant, char)):
            # a confirmed public pair becomes a staff pair (closed transitively, jumin.core.variants)
            VariantKanji.objects.update_or_create(char=a, variant=b, defaults={"source": "staff", "note": note[:200]})
        record_operation(
            action="search.variant_add", target_type="variant_kanji", after={"char": char, "variant": variant}
        )
        variants.invalidate()
        self.stdout.write(f"登録しました: {char} = {variant}")
