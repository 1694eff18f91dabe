"""Scenario ``provision_copy_update``: the 副本 of 住民票関係情報 (docs/number-exchange.md).

On the configured database, in a transaction that is rolled back: seeds the synthetic city when
the register is empty (``--residents``), builds the 副本 of every resident with
:func:`~jumin.intermediate_server.services.initial_load` (numbering each one in the
団体内統合宛名; the full initial load), then approves ``UPDATES`` 4-person 転入 with 個人番号 and
times :func:`~jumin.intermediate_server.services.update_copies` after each 本登録 (the 副本 update
per 本登録: outbox rows read, history rows read, 統合宛名 numbered, 副本 written, rows marked)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from stdnum.jp import in_ as individual_number

from jumin.audit.context import acting_as
from jumin.bench_fixtures import bench_operators, move_in_data, stock_spare_codes
from jumin.bench_harness import Context, Figure, StatementCounter, latency_figures, scenario, statement_figure
from jumin.intermediate_server.models import ProvisionCopy
from jumin.intermediate_server.services import initial_load, update_copies
from jumin.registry.models import Resident
from jumin.registry.seeding import seed_city
from jumin.registry.services import approve_movement, enter_movement

NAME = "provision_copy_update"
UPDATES = 100
NUMBER_BASE = 98_765_000_000  # 11 digits; the check digit is computed


def _with_numbers(index: int) -> dict[str, Any]:
    data = move_in_data(1_000_000 + index)
    for k, person in enumerate(data["persons"]):
        body = str(NUMBER_BASE + index * 4 + k)
        person["individual_number"] = body + individual_number.calc_check_digit(body)
    return data


@scenario(
    NAME,
    "副本: 全件の初期作成（統合宛名の付番込み）と本登録ごとの副本更新（4人の転入、連携の取込み）;"
    " --residents = 空の台帳に作成する人数",
    default_residents=10_000,
)
def provision_copy_update(ctx: Context) -> Iterable[Figure]:
    with transaction.atomic(), acting_as(channel="batch", place="BENCH", terminal="BENCH-1", operator="bench"):
        if not Resident.objects.exists():
            seed_city(max(ctx.residents, 20), seed=ctx.seed)
        residents = Resident.objects.count()
        start = time.perf_counter()
        written = initial_load()
        load = time.perf_counter() - start
        update_copies(limit=1_000_000)  # what earlier 本登録 left in the outbox: not timed
        counter, reviewer = bench_operators()
        numbers = Group.objects.filter(name="個人番号利用事務")
        counter.groups.add(*numbers)
        reviewer.groups.add(*numbers)
        stock_spare_codes(UPDATES * 4 + 10)
        samples = []
        counts: list[int] = []
        for index in ctx.track(range(UPDATES), UPDATES, "本登録ごとの副本更新"):
            approve_movement(enter_movement("move_in", _with_numbers(index), by=counter), by=reviewer)
            statements = StatementCounter()
            begin = time.perf_counter()
            with statements:
                result = update_copies()
            samples.append(time.perf_counter() - begin)
            counts.append(statements.count)
            if result.updated != 4:
                raise RuntimeError(f"a 4-person 本登録 updated {result.updated} 副本")
        copies = ProvisionCopy.objects.count()
        transaction.set_rollback(True)
    yield Figure(NAME, "initial_load_total", round(load, 2), "s")
    yield Figure(NAME, "initial_load_per_s", round(written / load, 1) if load else 0.0, "ops/s")
    yield Figure(NAME, "initial_load_written", written, "rows")
    yield Figure(NAME, "residents", residents, "rows")
    yield Figure(NAME, "copies_after", copies, "rows")
    yield from latency_figures(NAME, "update_per_final_4_persons", sorted(samples))
    yield statement_figure(NAME, "update_per_final_4_persons", counts)
