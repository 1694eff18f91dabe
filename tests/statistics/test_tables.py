"""統計 (spec 6.1): a hand-computed small city entered through the register's services — ages
across 1月1日, a 転出予定, a 除票 (death), 外国人住民 — and the 異動集計表 rebuilt independently
from the history rows."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.core.statistics import FOREIGN, JAPANESE, age_on
from jumin.registry.models import ResidentHistory
from jumin.statistics import queries, services, tables
from tests.conftest import make_operator
from tests.registry.conftest import final, move_in_data, person
from tests.registry.test_foreign_movements import article_data, foreigner

pytestmark = pytest.mark.django_db

HONCHO = {"address": "埼玉県上尾市本町三丁目1番1号", "postcode": "3620014"}
HARAICHI = {"address": "埼玉県上尾市原市1番地", "postcode": "3620021"}


def small_city(counter: User, reviewer: User) -> dict[str, Any]:
    """Family 上尾 (3 Japanese men, 本町三丁目) in on 11月20日; a Vietnamese couple in from abroad
    on 11月20日 (原市); 桶川 一人 (man) in on 11月10日, 転出予定 on 12月10日; 北本 花 (woman) in on
    11月5日, died on 11月15日."""
    family = final(
        "move_in",
        move_in_data(
            person(),
            person(given_name="一郎", furigana_given_name="イチロウ", relationship="子", birth="平成20年1月1日"),
            person(given_name="二郎", furigana_given_name="ジロウ", relationship="子", birth="平成20年1月2日"),
        ),
        counter,
        reviewer,
    )
    wife = foreigner(
        name_alphabet="TRAN THI BINH",
        furigana_given_name="ティビン",
        furigana_surname="チャン",
        sex="2",
        birth="1997-07-07",
        relationship="妻",
        residence_status="家族滞在",
        residence_card_no="",
        landing_permit_move_in=True,
    )
    final("article_30_46", article_data(foreigner(), wife, address=HARAICHI), counter, reviewer)
    single = final(
        "move_in",
        move_in_data(
            person(surname="桶川", given_name="一人", furigana_surname="オケガワ", koseki_head="桶川　一人"),
            effective="R8.11.10",
            address=HARAICHI | {"address": "埼玉県上尾市原市2番地"},
        ),
        counter,
        reviewer,
    ).items.get()
    final(
        "move_out",
        {
            "atena_nos": [single.atena_no],
            "effective": "R8.12.10",
            "notified_on": "R8.11.26",
            "destination": {"address": "東京都港区芝公園4丁目2番8号", "postcode": "1050011"},
        },
        counter,
        reviewer,
    )
    dead = final(
        "move_in",
        move_in_data(
            person(surname="北本", given_name="花", sex="2", furigana_surname="キタモト", koseki_head="北本　花"),
            effective="R8.11.5",
            address={"address": "埼玉県上尾市宮本町1番1号", "postcode": "3620037"},
        ),
        counter,
        reviewer,
    ).items.get()
    final("death", {"atena_nos": [dead.atena_no], "effective": "R8.11.15"}, counter, reviewer)
    return {"family": family}


@pytest.fixture
def batch() -> Principal:
    return Principal(user=make_operator("tokei", "統計 係", roles=("バッチ運用",)))


@pytest.mark.spec("6.1", partial=True)
def test_population_as_of_a_day_counts_the_planned_move_out_and_not_the_dead(
    counter: User, reviewer: User, batch: Principal
) -> None:
    small_city(counter, reviewer)
    before = queries.population(date(2026, 11, 30))
    assert before.total.get(JAPANESE, "1") == 4  # the family and 桶川 (転出予定, 12月10日 not yet come)
    assert before.total.get(JAPANESE, "2") == 0  # 北本 died on 11月15日
    assert (before.total.get(FOREIGN, "1"), before.total.get(FOREIGN, "2")) == (1, 1)
    assert before.households == Counter({JAPANESE: 2, FOREIGN: 1})
    by_area = {a.address: a.persons.total for a in before.areas}
    assert by_area == {"埼玉県上尾市本町三丁目1番1号": 3, "埼玉県上尾市原市1番地": 2, "埼玉県上尾市原市2番地": 1}
    assert before.nationalities["ベトナム"].total == 2

    mid = queries.population(date(2026, 11, 12))  # 北本 alive, 桶川 in, the family not yet
    assert mid.total.total == 2 and mid.household_total == 2

    after = queries.population(date(2026, 12, 31))
    assert after.total.total == 5 and after.household_total == 2
    assert queries.population(date(2026, 11, 4)).total.total == 0


@pytest.mark.spec("6.1", partial=True)
def test_ages_across_the_first_of_january(counter: User, reviewer: User, batch: Principal) -> None:
    small_city(counter, reviewer)
    on_new_years_eve = queries.population(date(2026, 12, 31))
    assert on_new_years_eve.ages[18].total == 2  # 一郎 (H20.1.1) and 二郎 (H20.1.2)
    survey_pop = queries.population(date(2026, 12, 31), age_day=date(2027, 1, 1))
    assert survey_pop.ages[19].total == 1 and survey_pop.ages[18].total == 1  # 一郎 turned 19 on 1月1日
    assert survey_pop.ages[46].total == 1  # 太郎 (S55.4.1)
    assert survey_pop.ages[31].get(FOREIGN, "1") == 1 and survey_pop.ages[29].get(FOREIGN, "2") == 1
    first, dynamics, bands = services.survey(2027)
    rows = dict(first.rows)
    assert rows["日本人住民"] == (3, 0, 3, 1) and rows["外国人住民"] == (1, 1, 2, 1) and rows["計"] == (4, 1, 5, 2)
    moved = dict(dynamics.rows)
    assert moved["転入者数（国内）"][-1] == 5 and moved["転入者数（国外）"][-1] == 2
    assert moved["死亡者数"][-1] == 1 and moved["転出者数（国内）"][-1] == 1
    assert moved["増減数（記載数計−消除数計）"][-1] == 5
    band_rows = dict(bands.rows)
    assert band_rows["15〜19歳"][-1] == 2 and band_rows["45〜49歳"][-1] == 1 and band_rows["合計"][-1] == 5


@pytest.mark.spec("6.1", partial=True)
def test_monthly_movement_table(counter: User, reviewer: User, batch: Principal) -> None:
    small_city(counter, reviewer)
    november = queries.movement_summary(*services.month_period(2026, 11))
    assert november.cells("domestic_move_in").get(JAPANESE, "1") == 4
    assert november.cells("domestic_move_in").get(JAPANESE, "2") == 1
    assert november.cells("abroad_move_in").kind_total(FOREIGN) == 2
    assert november.cells("death").get(JAPANESE, "2") == 1
    assert "domestic_move_out" not in november.by_reason  # planned for 12月10日
    assert november.households_added == Counter({"domestic_move_in": 3, "abroad_move_in": 1})
    assert november.households_removed == Counter({"death": 1})
    assert november.opening.total == 0 and november.closing.total == 6
    assert november.opening_households == 0 and november.closing_households == 3

    december = queries.movement_summary(*services.month_period(2026, 12))
    assert december.cells("domestic_move_out").get(JAPANESE, "1") == 1
    assert december.households_removed == Counter({"domestic_move_out": 1})
    table = dict(tables.movement_table(december).rows)
    assert table["国内転出"][1:10] == (1, 0, 1, 0, 0, 0, 1, 0, 1)
    assert table["期首人口・世帯数"][-2] == 3 and table["期末人口・世帯数"][-2] == 2


def _as_of(rows: list[ResidentHistory], day: date) -> dict[str, ResidentHistory]:
    latest: dict[str, ResidentHistory] = {}
    for row in rows:
        when = row.effective_sort or row.processed_on
        if when <= day and (row.atena_no not in latest or latest[row.atena_no].history_no < row.history_no):
            latest[row.atena_no] = row
    return {a: r for a, r in latest.items() if r.status == "current"}


@pytest.mark.spec("6.1", partial=True)
def test_the_movement_table_equals_a_rebuild_from_the_history_rows(counter: User, reviewer: User) -> None:
    small_city(counter, reviewer)
    rows = list(ResidentHistory.objects.all())
    start, end = date(2026, 11, 1), date(2026, 12, 31)
    summary = queries.movement_summary(start, end)
    expected: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        when = row.effective_sort or row.processed_on
        if start <= when <= end and row.reason != "move_in_notice":
            expected[(row.reason, row.nationality_kind, row.sex)] += 1
    got = Counter(
        {
            (reason, kind, sex): number
            for reason, cells in summary.by_reason.items()
            for (kind, sex), number in cells.counts.items()
        }
    )
    assert got == expected
    # households: the net change equals the change of the households as of the days around
    day, households_added, households_removed = start, 0, 0
    while day <= end:
        before = {r.household_no for r in _as_of(rows, day - timedelta(days=1)).values()}
        after = {r.household_no for r in _as_of(rows, day).values()}
        households_added += len(after - before)
        households_removed += len(before - after)
        day += timedelta(days=1)
    assert sum(summary.households_added.values()) == households_added
    assert sum(summary.households_removed.values()) == households_removed
    # and 期首 + 記載 − 消除 = 期末
    add = sum(c.total for code, c in summary.by_reason.items() if code.endswith(("_in", "birth", "_add")))
    remove = sum(c.total for code, c in summary.by_reason.items() if code.endswith(("_out", "death", "_remove")))
    assert summary.opening.total + add - remove == summary.closing.total == len(_as_of(rows, end))


def test_statistics_need_the_batch_capability(counter: User) -> None:
    with pytest.raises(Exception, match="run_batch"):
        services.build(Principal(user=counter), services.Request("population", as_of=date(2026, 11, 30)))
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17 and age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
