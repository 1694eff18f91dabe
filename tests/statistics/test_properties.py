"""Property (spec 6.1): whatever the history, the age totals and the 町字 totals equal the
population at that date, and that population is the one the as-of rule gives."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jumin.registry.models import Movement, ResidentHistory
from jumin.statistics import queries
from tests.conftest import make_operator

pytestmark = pytest.mark.django_db

BASE = date(2020, 1, 1)
TOWNS = ("埼玉県上尾市本町一丁目", "埼玉県上尾市本町二丁目", "埼玉県上尾市原市")

row = st.tuples(
    st.integers(0, 800),  # day of the row after BASE
    st.booleans(),  # 現存
    st.sampled_from(("japanese", "foreign")),
    st.sampled_from(("1", "2")),
    st.one_of(st.none(), st.integers(0, 36000)),  # birth, days before BASE (None: 不詳)
    st.integers(0, 5),  # household (its address is the household's: 世帯共通)
    st.booleans(),  # a 修正 without 異動日 (dated by its 処理日)
)
persons = st.lists(st.lists(row, min_size=1, max_size=4), min_size=1, max_size=8)


@pytest.mark.spec("6.1", partial=True)
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(city=persons, probe=st.integers(-1, 820))
def test_age_and_town_totals_equal_the_population_at_that_date(city: list[list[tuple]], probe: int) -> None:
    with transaction.atomic():
        user = make_operator("prop", "性質 試験")
        movement = Movement.objects.create(
            movement_no="P1", kind="move_in", reason="domestic_move_in", initiation="notification", entered_by=user
        )
        history = []
        for index, rows in enumerate(city):
            for number, (day, current, kind, sex, birth, household, undated) in enumerate(rows, start=1):
                when = BASE + timedelta(days=day)
                history.append(
                    ResidentHistory(
                        atena_no=f"A{index:04d}",
                        history_no=number,
                        movement=movement,
                        household_no=f"H{household}",
                        status="current" if current else "removed",
                        nationality_kind=kind,
                        sex=sex,
                        birth_text="x",
                        birth_sort=None if birth is None else BASE - timedelta(days=birth),
                        relationship="世帯主",
                        address=TOWNS[household % len(TOWNS)],
                        reason="domestic_move_in" if current else "domestic_move_out",
                        category="add" if current else "remove",
                        initiation="notification",
                        effective_sort=None if undated else when,
                        processed_on=when,
                        recorded_at=timezone.now(),
                    )
                )
        ResidentHistory.objects.bulk_create(history)
        day = BASE + timedelta(days=probe)
        latest: dict[str, ResidentHistory] = {}
        for item in history:
            when = item.effective_sort or item.processed_on
            if when <= day and (item.atena_no not in latest or latest[item.atena_no].history_no < item.history_no):
                latest[item.atena_no] = item
        expected = sum(1 for item in latest.values() if item.status == "current")

        pop = queries.population(day)
        assert pop.total.total == expected
        assert sum(cells.total for cells in pop.ages.values()) == expected
        assert sum(area.persons.total for area in pop.areas) == expected
        assert sum(cells.total for cells in pop.nationalities.values()) == pop.total.kind_total("foreign")
        assert queries.population_total(day).total == expected
        assert pop.household_total == len({i.household_no for i in latest.values() if i.status == "current"})
        transaction.set_rollback(True)
