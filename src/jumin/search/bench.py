"""Scenario ``search``: the search of jumin.search on a seeded city (DESIGN.md §7: search by
name + birth date, access log included, p95 ≤ 10 ms at 1,000,000 residents on PostgreSQL).

Seed the city first (``jumin seed-city --residents N``; an empty register is seeded here with
``--residents``, inside the transaction).  For each query shape, persons are drawn at random
from the register and looked up through ``queries.search`` exactly as the screen does it
(criteria rules, variant expansion, current + past + 除票DB, masking, marks, access-log row,
search-history row), then the main indexed SQL statement of the same query is timed alone on
the same connection.  Everything runs in one transaction that is rolled back, so the register
and the logs are left as they were (the commit of the log row is therefore not included).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from typing import Any

from cryptography.exceptions import InvalidTag
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Max, Min

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.context import acting_as
from jumin.bench_harness import (
    Context,
    Figure,
    StatementCounter,
    percentile,
    scenario,
    sql_floor_figures,
    statement_figure,
)
from jumin.core.check_digits import individual_number_check_digit
from jumin.core.errors import DomainError
from jumin.registry.models import NationalityKind, Resident, Status
from jumin.registry.numbers import open_individual_number, seal_individual_number
from jumin.registry.seeding import seed_city
from jumin.search import variants
from jumin.search.models import VariantKanji
from jumin.search.queries import keyed_q, plan_criteria, search

NAME = "search"
SAMPLES = 200


def _shapes(r: Resident) -> dict[str, dict[str, str]]:
    kana = f"{r.furigana_surname}\u3000{r.furigana_given_name}"
    birth = r.birth_sort.isoformat() if r.birth_sort else ""
    return {
        "name_birth": {"name": kana, "birth": birth},
        "kanji_name_birth": {"name": f"{r.surname}\u3000{r.given_name}", "birth": birth},
        "name_address": {"name": f"{r.surname}\u3000{r.given_name}", "address": r.address},
        "given_kana_birth": {"given_name": r.furigana_given_name, "birth": birth},
    }


def sample_residents(count: int, seed: int) -> list[Resident]:
    """Current Japanese residents with a reading, drawn at random (seeded) from the register."""
    bounds = Resident.objects.aggregate(low=Min("id"), high=Max("id"))
    rnd = random.Random(seed)
    picked: list[Resident] = []
    while len(picked) < count:
        ids = [rnd.randint(bounds["low"], bounds["high"]) for _ in range(count * 2)]
        rows = Resident.objects.filter(
            id__in=ids, status=Status.CURRENT, nationality_kind=NationalityKind.JAPANESE, birth_sort__isnull=False
        ).exclude(furigana_given_name="")
        picked += list(rows)
    rnd.shuffle(picked)
    return picked[:count]


def _number_of(person: Resident) -> str:
    """The 個人番号 of a sampled person.  A city seeded under other keys (another var/) cannot be
    opened here: the person then gets a fresh number sealed with this process's keys, inside
    the bench transaction (rolled back), so that the look-up finds them as in production."""
    try:
        return open_individual_number(person.individual_number_ct, person.atena_no)
    except (InvalidTag, ValueError):
        body = f"9{int(person.atena_no) % 10**10:010d}"
        number = body + individual_number_check_digit(body)
        ct, lookup = seal_individual_number(number, person.atena_no)
        Resident.objects.filter(pk=person.pk).update(individual_number_ct=ct, individual_number_lookup=lookup)
        return number


def _operator(username: str, roles: tuple[str, ...]) -> Principal:
    user = User.objects.create_user(username=username, display_name="ベンチ 検索")
    user.groups.set(Group.objects.filter(name__in=roles))
    return Principal(user=User.objects.get(pk=user.pk))


def _time(
    calls: list[Callable[[], Any]], statements: list[int] | None = None, sql_seconds: list[float] | None = None
) -> list[float]:
    samples = []
    for call in calls:
        counter = StatementCounter()
        start = time.perf_counter()
        with counter:
            call()
        samples.append(time.perf_counter() - start)
        if statements is not None:
            statements.append(counter.count)
        if sql_seconds is not None:
            sql_seconds.append(counter.seconds)
    return sorted(samples)


def _raw_sql(criteria: dict[str, str]) -> Callable[[], Any]:
    sql, params = Resident.objects.filter(keyed_q(plan_criteria(criteria, "prefix"))).query.sql_with_params()

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _raw_sql_select_1() -> None:
    """The floor of every statement on this machine (the figures of a shared machine vary
    with it; a search makes 6 statements on PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _figures(shape: str, samples: list[float]) -> list[Figure]:
    return [
        Figure(NAME, f"{shape}_{p}", round(percentile(samples, q) * 1e3, 3), "ms")
        for p, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
    ]


@scenario(
    NAME,
    "検索（氏名+生年月日 ほか4形）: アクセスログ込みの p50/p95/p99 と同じSQLだけの時間 (DESIGN.md §7: p95 ≤ 10 ms)",
    default_residents=1_000,
)
def search_scenario(ctx: Context) -> Iterable[Figure]:
    figures: list[Figure] = []
    with transaction.atomic(), acting_as(channel="batch", place="BENCH", terminal="BENCH-1", operator="bench"):
        if not Resident.objects.exists():
            seed_city(ctx.residents, seed=ctx.seed)
        if not VariantKanji.objects.exists():
            variants.load_package()
        # a counter clerk for the name shapes; the 個人番号 look-up needs 個人番号利用事務
        clerk = _operator("bench-search", ("窓口入力",))
        numbers = _operator("bench-search-numbers", ("窓口入力", "個人番号利用事務"))
        count = min(SAMPLES, max(ctx.residents // 2, 5))
        persons = sample_residents(count, ctx.seed)
        shapes: dict[str, list[dict[str, str]]] = {}
        for person in persons:
            for shape, criteria in _shapes(person).items():
                shapes.setdefault(shape, []).append(criteria)
        shapes["individual_number"] = [{"individual_number": _number_of(p)} for p in persons]
        hits = 0
        for shape, all_criteria in shapes.items():
            if not all_criteria:
                continue
            # warm up the caches (variant table, plans) with the first query of the shape
            principal = numbers if shape == "individual_number" else clerk
            search(principal, all_criteria[0])

            def one(criteria: dict[str, str], principal: Principal = principal) -> Callable[[], Any]:
                def call() -> None:
                    nonlocal hits
                    try:
                        hits += search(principal, criteria).count
                    except DomainError as error:  # a too-broad sample still costs its time
                        if error.code != "search.too_many":
                            raise

                return call

            counts: list[int] = []
            sql_seconds: list[float] = []
            figures += _figures(shape, _time([one(c) for c in all_criteria], counts, sql_seconds))
            figures.append(statement_figure(NAME, shape, counts))
            figures += sql_floor_figures(NAME, shape, sql_seconds)
            figures += _figures(f"{shape}_raw_sql", _time([_raw_sql(c) for c in all_criteria]))
        figures += _figures("db_round_trip", _time([_raw_sql_select_1] * SAMPLES))
        figures.append(Figure(NAME, "searches", sum(len(v) for v in shapes.values()), "rows"))
        figures.append(Figure(NAME, "persons_found", hits, "rows"))
        transaction.set_rollback(True)
    yield from figures
