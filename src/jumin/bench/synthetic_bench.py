"""Scenario: generate the synthetic city in memory (no database).

``--residents`` is the city size.  The figures say how fast :mod:`jumin.synthetic`
produces persons on one core, which bounds how fast ``jumin seed-city`` can load them.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterable
from datetime import date

from jumin.bench_harness import Context, Figure, scenario, throughput_figure
from jumin.synthetic import city_chunks, default_city, generate_chunk, warm_up

TODAY = date(2026, 11, 26)
NAME = "synthetic_city"


@scenario(NAME, "合成市の生成（DBなし）: persons/s on one core, --residents = city size", default_residents=100_000)
def synthetic_city(ctx: Context) -> Iterable[Figure]:
    start = time.perf_counter()
    city = default_city()
    warm_up(city)
    setup = time.perf_counter() - start
    persons = households = events = 0
    chunks = city_chunks(ctx.residents)
    start = time.perf_counter()
    for chunk in ctx.track(chunks, len(chunks), "合成市"):
        for household in generate_chunk(chunk, seed=ctx.seed, today=TODAY, city=city):
            households += 1
            for person in (*household.members, *household.removed_members):
                persons += 1
                events += len(person.events)
    seconds = time.perf_counter() - start
    yield Figure(NAME, "setup", round(setup, 3), "s")
    yield Figure(NAME, "total", round(seconds, 3), "s")
    yield throughput_figure(NAME, "persons_per_s", persons, seconds)
    yield Figure(NAME, "persons", persons, "rows")
    yield Figure(NAME, "households", households, "rows")
    yield Figure(NAME, "history_events", events, "rows")
    yield Figure(NAME, "max_rss", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "MB")
