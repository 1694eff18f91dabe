"""``jumin rebuild-projection``: rebuild the Resident and Household projection from the
history rows (the history is the record; the projection is only an index of it)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from jumin.audit.context import acting_as
from jumin.audit.services import record_operation
from jumin.registry.services import rebuild_projection


class Command(BaseCommand):
    help = "異動履歴から現在の住民・世帯の表を作り直します。"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with acting_as(channel="batch", operator="jumin rebuild-projection"):
            persons = rebuild_projection()
            record_operation(action="registry.rebuild_projection", target_type="registry", after={"persons": persons})
        self.stdout.write(f"{persons}人分を作り直しました（{time.perf_counter() - started:.1f}秒）。")
