"""Scenarios of the foundation: the domain core and the UI shell."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.test import Client

from jumin.bench import (  # noqa: F401 - register their scenarios
    counter_bench,
    load_bench,
    migration_bench,
    registry_bench,
    seed_bench,
    synthetic_bench,
)
from jumin.bench_fixtures import operator_client
from jumin.bench_harness import Context, Figure, latency_figures, scenario, throughput_figure, time_calls
from jumin.core.check_digits import individual_number_check_digit, is_valid_individual_number, with_m11_check_digit
from jumin.core.kana import search_key
from jumin.core.uncertain_date import parse_uncertain_date
from jumin.core.wareki import format_wareki, parse_date
from jumin.search import bench as search_bench  # noqa: F401 - registers search

SURNAMES = [
    "サトウ",
    "スズキ",
    "タカハシ",
    "タナカ",
    "イトウ",
    "ワタナベ",
    "ヤマモト",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
]
GIVEN = ["ハルト", "ユイ", "ソウタ", "ヒマリ", "ミナト", "リン", "ショウヘイ", "キョウコ", "ジュンイチ", "ヨウコ"]


@scenario("core_wareki", "和暦: format + parse round trip and uncertain-date parsing, one per resident")
def core_wareki(ctx: Context) -> Iterable[Figure]:
    rnd = random.Random(ctx.seed)
    days = [date(1900, 1, 1) + timedelta(days=rnd.randrange(0, 200 * 365)) for _ in range(ctx.residents)]
    start = time.perf_counter()
    for day in ctx.track(days, len(days), "和暦"):
        assert parse_date(format_wareki(day)) == day
    yield throughput_figure("core_wareki", "round_trips_per_s", len(days), time.perf_counter() - start)
    texts = ["令和2年頃", "推定昭和45年3月", "年月日不詳", "平成元年1月8日", "令和3年2月29日"]
    start = time.perf_counter()
    for i in range(ctx.residents):
        parse_uncertain_date(texts[i % len(texts)])
    yield throughput_figure("core_wareki", "uncertain_parses_per_s", ctx.residents, time.perf_counter() - start)


@scenario("core_search_key", "あいまい検索キー (2.1.2) of one full kana name per resident")
def core_search_key(ctx: Context) -> Iterable[Figure]:
    rnd = random.Random(ctx.seed)
    names = [f"{rnd.choice(SURNAMES)}　{rnd.choice(GIVEN)}" for _ in range(ctx.residents)]
    start = time.perf_counter()
    for name in names:
        search_key(name)
    yield throughput_figure("core_search_key", "keys_per_s", len(names), time.perf_counter() - start)


@scenario("core_check_digits", "個人番号 validation and 宛名番号 numbering, one each per resident")
def core_check_digits(ctx: Context) -> Iterable[Figure]:
    rnd = random.Random(ctx.seed)
    bodies = [f"{rnd.randrange(10**11):011d}" for _ in range(ctx.residents)]
    numbers = [body + individual_number_check_digit(body) for body in bodies]
    start = time.perf_counter()
    for number in numbers:
        is_valid_individual_number(number)
    yield throughput_figure("core_check_digits", "individual_numbers_per_s", len(numbers), time.perf_counter() - start)
    start = time.perf_counter()
    for serial in range(ctx.residents):
        with_m11_check_digit(serial, 10)
    yield throughput_figure("core_check_digits", "atena_numbers_per_s", ctx.residents, time.perf_counter() - start)


@scenario(
    "shell_pages",
    "UI shell: the home page and the login redirect, through the full middleware stack",
    default_residents=500,
)
def shell_pages(ctx: Context) -> Iterable[Figure]:
    """Runs inside a transaction that is rolled back: the database is left as it was.
    ``--residents`` is the number of requests per page."""
    with transaction.atomic():
        client = operator_client()
        client.get("/")  # warm-up: template loading, URL resolver
        home = time_calls(lambda: client.get("/"), ctx.residents, ctx, "ホーム画面")
        anonymous = Client(HTTP_HOST="127.0.0.1")
        redirect = time_calls(lambda: anonymous.get("/"), ctx.residents, ctx, "未ログイン")
        transaction.set_rollback(True)
    yield from latency_figures("shell_pages", "home", home)
    yield from latency_figures("shell_pages", "anonymous_redirect", redirect)
