"""The staff load test (issue 22) still runs: accounts prepared by ``jumin loadtest-prepare``,
and the bench scenario ``staff_load`` end to end at tiny scale (PostgreSQL: ``jumin serve`` is
another process) — locust against the production settings over HTTPS, every kind of request
answered with the right page, no failure.  Timings are not asserted (docs/benchmarks.md)."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jumin.accounts.models import User
from jumin.registry.models import Movement, Resident
from jumin.registry.seeding import seed_city

pytestmark = pytest.mark.skipif(importlib.util.find_spec("locust") is None, reason="locust missing")


@pytest.mark.django_db
def test_prepare_refuses_outside_a_test_installation(
    tmp_path: Path, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JUMIN_LOADTEST", raising=False)
    settings.DEBUG = False  # type: ignore[attr-defined]
    settings.JUMIN_DEMO = False  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="JUMIN_LOADTEST=1"):
        call_command("loadtest_prepare", "--output", str(tmp_path / "a.json"))


@pytest.mark.django_db
def test_prepare_writes_the_accounts_for_the_locustfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUMIN_LOADTEST", "1")
    seed_city(60, seed=3)
    accounts = tmp_path / "accounts.json"
    call_command(
        "loadtest_prepare", "--users", "2", "--residents", "20", "--output", str(accounts), stdout=io.StringIO()
    )
    data = json.loads(accounts.read_text("utf-8"))
    assert [a["role"] for a in data["accounts"]] == ["clerk", "clerk", "reviewer"]
    assert len(data["residents"]) == 20
    assert oct(accounts.stat().st_mode & 0o777) == "0o600"
    assert User.objects.filter(username__startswith="load-", is_active=True).count() == 3


@pytest.mark.django_db
def test_prepare_never_samples_the_families_the_load_test_entered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They share their kana and birth dates, so a search for one of them finds hundreds."""
    monkeypatch.setenv("JUMIN_LOADTEST", "1")
    seed_city(60, seed=3)
    entered = list(Resident.objects.order_by("pk").values_list("pk", flat=True)[::2])
    Resident.objects.filter(pk__in=entered).update(surname="負荷")
    accounts = tmp_path / "accounts.json"
    call_command(
        "loadtest_prepare", "--users", "1", "--residents", "60", "--output", str(accounts), stdout=io.StringIO()
    )
    names = [person["name"] for person in json.loads(accounts.read_text("utf-8"))["residents"]]
    assert names
    assert not [name for name in names if name.startswith("負荷")]


def test_bench_refuses_an_unknown_param() -> None:
    with pytest.raises(CommandError, match="unknown --param 'clerks=5'"):
        call_command("bench", "staff_load", "--param", "clerks=5")


@pytest.mark.django_db(transaction=True)
def test_the_staff_load_scenario_refuses_an_empty_register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the test database is in memory: jumin serve could not open it")
    monkeypatch.setenv("JUMIN_LOADTEST", "1")
    with pytest.raises(CommandError, match="住民がいません"):
        call_command("bench", "staff_load", "--param", f"output={tmp_path}", stdout=io.StringIO())
    assert not User.objects.filter(username__startswith="load-").exists()


@pytest.mark.django_db(transaction=True)
def test_the_staff_load_scenario_serves_over_https_and_reports_locust_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole scenario at tiny scale: accounts, jumin serve (production settings, HTTPS, a
    private CA locust verifies), locust, its figures; the server stopped, the accounts retired."""
    if connection.vendor == "sqlite":
        pytest.skip("the test database is in memory: jumin serve could not open it")
    monkeypatch.setenv("JUMIN_LOADTEST", "1")
    seed_city(60, seed=3)
    out = io.StringIO()
    params = (
        "users=2",
        "spawn_rate=3",
        "warm_up=0",
        "duration=15",
        "think=0.05,0.2",
        "workers=2",
        f"output={tmp_path}",
    )
    call_command("bench", "staff_load", "--residents", "20", "--json", *[f"--param={p}" for p in params], stdout=out)
    figures = {line["metric"]: line["value"] for line in map(json.loads, out.getvalue().splitlines())}
    assert figures["sessions"] == 3
    assert figures["all_failures"] == 0
    assert figures["all_requests"] > figures["search_requests"] >= 1
    for screen in ("search", "person_view", "household_view", "certificate_issue", "move_in_provisional"):
        assert figures[f"{screen}_requests"] >= 1, screen
        assert {f"{screen}_p50", f"{screen}_p99", f"{screen}_max"} <= figures.keys()
    assert Movement.objects.filter(state=Movement.State.FINAL, kind="move_in").exists()  # a reviewer approved
    assert not any(metric.startswith("login") for metric in figures)
    assert "https://127.0.0.1:" in (tmp_path / "serve.log").read_text("utf-8")
    assert not (tmp_path / "accounts.json").exists()
    assert not User.objects.filter(username__startswith="load-", is_active=True).exists()
