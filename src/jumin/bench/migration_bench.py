"""Scenario ``migration``: ``jumin migrate-data`` export and import of a seeded city, against the
seed time (issue 22: the import of a city with history within 2× the seed of the same city).

In one run, on a database whose register is empty: seed ``--residents`` (timed) and export it
into a temporary directory (timed), roll back; import the files into the now empty register
(timed: the validation pass and the writing pass), roll back.  The database is left as it was.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction

from jumin.audit.context import acting_as
from jumin.bench_harness import Context, Figure, scenario, throughput_figure
from jumin.handover.exporter import export_register
from jumin.handover.importer import import_register
from jumin.handover.layout import HISTORY_FILE
from jumin.registry.seeding import register_is_empty, seed_city

NAME = "migration"


@scenario(
    NAME,
    "移行データ（中間標準レイアウト CSV）の出力と取込み（検証＋一括書込み）を合成市の作成時間と比較（2倍以内）",
    default_residents=10_000,
)
def migration_scenario(ctx: Context) -> Iterable[Figure]:
    if not register_is_empty():
        raise CommandError(
            "migration は住民のいないデータベースで実行してください（取込みは空の住民記録にだけ行えます）。"
        )
    with tempfile.TemporaryDirectory(prefix="jumin-migration-bench-") as scratch:
        folder = Path(scratch) / "layout"
        with transaction.atomic(), acting_as(channel="batch", operator="bench"):
            start = time.perf_counter()
            seeded = seed_city(ctx.residents, seed=ctx.seed)
            seed_seconds = time.perf_counter() - start
            start = time.perf_counter()
            counts = export_register(folder)
            export_seconds = time.perf_counter() - start
            transaction.set_rollback(True)
        size = sum(p.stat().st_size for p in folder.iterdir())
        with transaction.atomic(), acting_as(channel="batch", operator="bench"):
            start = time.perf_counter()
            result = import_register(folder)
            import_seconds = time.perf_counter() - start
            transaction.set_rollback(True)
    if result.issues:
        raise CommandError(f"取込みの検証で {len(result.issues)} 件の誤り（出力と取込みが一致しません）")
    rows = counts[HISTORY_FILE]
    yield Figure(NAME, "seed_total", round(seed_seconds, 3), "s")
    yield Figure(NAME, "export_total", round(export_seconds, 3), "s")
    yield Figure(NAME, "import_total", round(import_seconds, 3), "s")
    yield Figure(NAME, "import_validation", round(result.validation_seconds, 3), "s")
    yield Figure(NAME, "import_over_seed", round(import_seconds / seed_seconds, 3), "ratio")
    yield Figure(NAME, "history_rows", rows, "rows")
    yield Figure(NAME, "persons", seeded.residents + seeded.removed, "rows")
    yield throughput_figure(NAME, "import_rows_per_s", rows, import_seconds)
    yield throughput_figure(NAME, "export_rows_per_s", rows, export_seconds)
    yield Figure(NAME, "files_size", round(size / 1e6, 1), "MB")
    yield Figure(NAME, "peak_rss", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "MB")
