"""Scenario movement_commit: 仮登録 and 本登録 of 4-person 転入 on the configured database
(DESIGN.md §7: 本登録 of a 4-person 転入, with history, outbox and audit, p95 ≤ 60 ms at
1,000,000 residents — seed the city first with `jumin seed-city`).  Runs in a transaction
that is rolled back, so the register is left as it was."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from jumin.audit.context import acting_as
from jumin.bench_fixtures import bench_operators, move_in_data, operator_client, stock_spare_codes
from jumin.bench_harness import (
    Context,
    Figure,
    latency_figures,
    scenario,
    sql_floor_figures,
    statement_figure,
    time_calls,
)
from jumin.registry.models import Movement, Resident
from jumin.registry.seeding import seed_city
from jumin.registry.services import approve_movement, enter_movement
from jumin.search.bench import sample_residents


@scenario(
    "movement_commit",
    "4人の転入の仮登録と本登録（履歴・世帯・連携・監査ログ込み）; --residents = 異動の数",
    default_residents=100,
)
def movement_commit(ctx: Context) -> Iterable[Figure]:
    with transaction.atomic(), acting_as(channel="batch", place="BENCH", terminal="BENCH-1", operator="bench"):
        counter, reviewer = bench_operators()
        stock_spare_codes(ctx.residents * 4 + 10)
        entered: list[Movement] = []
        numbers = iter(range(ctx.residents))
        enter_sql: list[int] = []
        enter_db: list[float] = []
        enter = time_calls(
            lambda: entered.append(enter_movement("move_in", move_in_data(next(numbers)), by=counter)),
            ctx.residents,
            ctx,
            "仮登録",
            enter_sql,
            enter_db,
        )
        pending = iter(entered)
        approve_sql: list[int] = []
        approve_db: list[float] = []
        approve = time_calls(
            lambda: approve_movement(next(pending), by=reviewer), ctx.residents, ctx, "本登録", approve_sql, approve_db
        )
        transaction.set_rollback(True)
    yield from latency_figures("movement_commit", "provisional_4_persons", enter)
    yield statement_figure("movement_commit", "provisional_4_persons", enter_sql)
    yield from sql_floor_figures("movement_commit", "provisional_4_persons", enter_db)
    yield from latency_figures("movement_commit", "final_4_persons", approve)
    yield statement_figure("movement_commit", "final_4_persons", approve_sql)
    yield from sql_floor_figures("movement_commit", "final_4_persons", approve_db)


@scenario(
    "person_view",
    "個人・世帯の画面を開く（権限・支援措置の表示・アクセスログ込み、ミドルウェア全体）"
    " (DESIGN.md §7: p95 ≤ 30 ms); --residents = 開く人数",
    default_residents=200,
)
def person_view(ctx: Context) -> Iterable[Figure]:
    """GET /registry/person/<宛名番号>/ and /registry/household/<世帯番号>/ of residents drawn at
    random from the register, as a counter clerk, through the whole middleware stack; in a
    transaction that is rolled back (the access-log rows with it).  Seed the city first (an
    empty register is seeded here with ``--residents``)."""
    with transaction.atomic():
        if not Resident.objects.exists():  # an empty register: a small city, rolled back with the rest
            seed_city(max(ctx.residents, 20), seed=ctx.seed)
        client = operator_client(("窓口入力",), username="bench-viewer", verified=True)
        persons = sample_residents(max(ctx.residents, 1), ctx.seed)
        _get(client, f"/registry/person/{persons[0].atena_no}/")  # warm-up: templates, URL resolver
        people, households = iter(persons), iter(persons)
        person_sql: list[int] = []
        household_sql: list[int] = []
        person_db: list[float] = []
        household_db: list[float] = []
        person = time_calls(
            lambda: _get(client, f"/registry/person/{next(people).atena_no}/"),
            len(persons),
            ctx,
            "個人",
            person_sql,
            person_db,
        )
        household = time_calls(
            lambda: _get(client, f"/registry/household/{next(households).household_no}/"),
            len(persons),
            ctx,
            "世帯",
            household_sql,
            household_db,
        )
        transaction.set_rollback(True)
    yield from latency_figures("person_view", "person", person)
    yield statement_figure("person_view", "person", person_sql)
    yield from sql_floor_figures("person_view", "person", person_db)
    yield from latency_figures("person_view", "household", household)
    yield statement_figure("person_view", "household", household_sql)
    yield from sql_floor_figures("person_view", "household", household_db)


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code} {response.get('Location', '')}")
    response.content  # noqa: B018 - the whole page is rendered, as a browser would receive it
