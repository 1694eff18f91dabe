"""Scenario ``statistics``: the monthly 異動集計表 and the full 人口統計 as of a past date on a
seeded city (issue 18: ≤ 30 s each, ≤ 300 MB at 1,000,000 residents).

Seed the city first (``jumin seed-city --residents N``); an empty register is seeded here with
``--residents`` inside the transaction (then the process's peak RSS includes the seeding).
Timed as the screen runs them: the SQL aggregation and the tables (``services.build``), then
the PDF of each; everything in a transaction that is rolled back."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import Group
from django.db import transaction

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.context import acting_as
from jumin.bench_harness import Context, Figure, scenario
from jumin.registry.models import Resident, ResidentHistory
from jumin.registry.seeding import TODAY, seed_city
from jumin.statistics import render, services

NAME = "statistics"


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _past_month(today: date) -> tuple[date, date]:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return services.month_period(year, month)


@scenario(
    NAME,
    "統計: 月報の異動集計表と過去の基準日の人口統計（町字・各歳・5歳階級・国籍）と PDF (各 ≤ 30 s, ≤ 300 MB)",
    default_residents=10_000,
)
def statistics_scenario(ctx: Context) -> Iterable[Figure]:
    with transaction.atomic(), acting_as(channel="batch", place="BENCH", terminal="BENCH-1", operator="bench"):
        seeded = False
        if not Resident.objects.exists():
            seed_city(ctx.residents, seed=ctx.seed)
            seeded = True
        user = User.objects.create_user(username="bench-statistics", display_name="ベンチ 統計")
        user.groups.set(Group.objects.filter(name="バッチ運用"))
        principal = Principal(user=User.objects.get(pk=user.pk))
        start, end = _past_month(TODAY)
        as_of = date(TODAY.year - 1, 12, 31)
        yield Figure(NAME, "residents", Resident.objects.count(), "rows")
        yield Figure(NAME, "history_rows", ResidentHistory.objects.count(), "rows")
        rss_before = _peak_mb()

        began = time.perf_counter()
        moves = services.build(principal, services.Request("movements", start=start, end=end))
        yield Figure(NAME, "movements_month", round(time.perf_counter() - began, 3), "s")
        yield Figure(NAME, "peak_rss_after_movements", _peak_mb(), "MB")
        began = time.perf_counter()
        render.pdf_bytes(moves, "ベンチ市", "令和8年11月26日")
        yield Figure(NAME, "movements_pdf", round(time.perf_counter() - began, 3), "s")

        began = time.perf_counter()
        population = services.build(principal, services.Request("population", as_of=as_of))
        yield Figure(NAME, "population_as_of", round(time.perf_counter() - began, 3), "s")
        yield Figure(NAME, "peak_rss_after_population", _peak_mb(), "MB")
        began = time.perf_counter()
        render.pdf_bytes(population, "ベンチ市", "令和8年11月26日")
        yield Figure(NAME, "population_pdf", round(time.perf_counter() - began, 3), "s")
        counted = dict(population[0].rows)["合計"][8]
        yield Figure(NAME, "population_counted", counted, "rows")
        yield Figure(NAME, "peak_rss", _peak_mb(), "MB")
        if not seeded:
            yield Figure(NAME, "peak_rss_before_statistics", rss_before, "MB")
        transaction.set_rollback(True)
