"""``jumin linked-system add|rotate|revoke|list|capabilities``: credentials of linked systems."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.accounts.models import CAPABILITIES, LinkedSystem
from jumin.accounts.services import (
    add_linked_system,
    revoke_linked_system,
    rotate_linked_system_key,
    set_linked_system_capabilities,
)
from jumin.audit.context import acting_as
from jumin.core.errors import DomainError


class Command(BaseCommand):
    help = "連携システム（コンビニ交付・申請管理・宛名など）のAPI鍵と権限を管理します。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="登録して API 鍵を表示する（鍵は一度だけ表示）")
        add.add_argument("code")
        add.add_argument("name")
        add.add_argument("--capability", action="append", default=[], help="権限（複数可）")
        rotate = sub.add_parser("rotate", help="鍵を更新する（古い鍵は猶予時間だけ有効）")
        rotate.add_argument("code")
        rotate.add_argument("--grace-hours", type=float, default=24.0)
        revoke = sub.add_parser("revoke", help="失効させる（すぐに使えなくなる）")
        revoke.add_argument("code")
        caps = sub.add_parser("capabilities", help="権限を置き換える")
        caps.add_argument("code")
        caps.add_argument("--capability", action="append", default=[])
        sub.add_parser("list", help="一覧")

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(channel="batch", operator="jumin linked-system"):
            try:
                getattr(self, f"_{options['action']}")(options)
            except DomainError as error:
                raise CommandError(error.message) from error

    def _system(self, code: str) -> LinkedSystem:
        system = LinkedSystem.objects.filter(code=code).first()
        if system is None:
            raise CommandError("その連携システムは登録されていません。")
        return system

    def _add(self, options: dict[str, Any]) -> None:
        system, key = add_linked_system(options["code"], options["name"], options["capability"])
        self.stdout.write(f"{system} を登録しました。API 鍵（この一度だけ表示します）:")
        self.stdout.write(key)

    def _rotate(self, options: dict[str, Any]) -> None:
        key = rotate_linked_system_key(self._system(options["code"]), grace=timedelta(hours=options["grace_hours"]))
        self.stdout.write(f"新しい API 鍵（古い鍵は {options['grace_hours']} 時間有効）:")
        self.stdout.write(key)

    def _revoke(self, options: dict[str, Any]) -> None:
        revoke_linked_system(self._system(options["code"]))
        self.stdout.write("失効させました。")

    def _capabilities(self, options: dict[str, Any]) -> None:
        set_linked_system_capabilities(self._system(options["code"]), options["capability"])
        self.stdout.write("権限を更新しました。")

    def _list(self, options: dict[str, Any]) -> None:
        labels = dict(CAPABILITIES)
        for system in LinkedSystem.objects.all():
            state = "有効" if system.is_active else "失効"
            caps = "、".join(str(labels[c.split(".", 1)[1]]) for c in sorted(system.capability_names()))
            self.stdout.write(f"{system.code:<12} {state} {system.name}  [{caps or '権限なし'}]")
