"""``jumin bench``: listing, JSON lines, every scenario runs.  No timing is asserted."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jumin.bench_harness import REGISTRY, percentile, scenario


def test_list_names_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("bench", "--list")
    out = capsys.readouterr().out
    for name in REGISTRY:
        assert name in out


# staff_load starts jumin serve and locust as other processes against a database they can open:
# tests/bench/test_loadtest.py runs it end to end at tiny scale on PostgreSQL.
IN_PROCESS = sorted(name for name in REGISTRY if name != "staff_load")


@pytest.mark.django_db
@pytest.mark.parametrize("name", IN_PROCESS)
def test_every_scenario_prints_json_lines(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("bench", name, "--residents", "20", "--json")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines
    for line in lines:
        assert line["scenario"] == name
        assert {"metric", "value", "unit", "engine", "residents"} <= set(line)
        assert isinstance(line["value"], float | int) and line["value"] >= 0
        assert line["unit"] in {
            "ms",
            "us",
            "ops/s",
            "s",
            "MB",
            "rows",
            "ratio",
            "pages",
            "pages/s",
            "keys",
            "statements",
        }


@pytest.mark.django_db
def test_table_output_and_rollback(capsys: pytest.CaptureFixture[str]) -> None:
    from jumin.accounts.models import User

    call_command("bench", "shell_pages", "--residents", "5")
    assert "home_p95" in capsys.readouterr().out
    assert not User.objects.filter(username="bench-operator").exists()


def test_unknown_scenario_is_an_error() -> None:
    with pytest.raises(CommandError):
        call_command("bench", "no_such_scenario")


def test_scenario_names_are_unique() -> None:
    with pytest.raises(ValueError, match="twice"):
        scenario("core_wareki", "again")(lambda ctx: [])


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([3.0], 0.95) == 3.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


@pytest.mark.django_db
def test_statement_counts_are_taken_per_call() -> None:
    from django.db import connection

    from jumin.bench_harness import StatementCounter, statement_figure, time_calls

    def two_statements() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT 2")

    counts: list[int] = []
    assert len(time_calls(two_statements, 3, statements=counts)) == 3
    assert counts == [2, 2, 2]
    with StatementCounter() as counter:
        two_statements()
        two_statements()
    assert counter.count == 4
    figure = statement_figure("x", "op", [5, 1, 3])
    assert (figure.metric, figure.value, figure.unit) == ("op_statements", 3.0, "statements")
