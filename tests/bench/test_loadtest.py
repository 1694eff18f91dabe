"""The staff load test (issue 22) still runs: accounts prepared by ``jumin loadtest-prepare``,
locust against a live server, every kind of request answered with the right page, no failure.
Timings are not asserted (they belong to docs/benchmarks.md)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.models import User
from jumin.registry.models import Movement
from jumin.registry.seeding import seed_city

ROOT = Path(__file__).resolve().parents[2]
LOCUST = Path(sys.executable).with_name("locust")
pytestmark = pytest.mark.skipif(not LOCUST.exists() and shutil.which("locust") is None, reason="locust missing")


@pytest.mark.django_db
def test_prepare_refuses_outside_a_test_installation(
    tmp_path: Path, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JUMIN_LOADTEST", raising=False)
    settings.DEBUG = False  # type: ignore[attr-defined]
    settings.JUMIN_DEMO = False  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="JUMIN_LOADTEST=1"):
        call_command("loadtest_prepare", "--output", str(tmp_path / "a.json"))


@pytest.mark.django_db(transaction=True)
def test_a_short_load_run_has_no_failure(
    live_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "the live server shares one in-memory SQLite connection between its threads; the load is for PostgreSQL"
        )
    monkeypatch.setenv("JUMIN_LOADTEST", "1")
    seed_city(60, seed=3)
    accounts = tmp_path / "accounts.json"
    call_command("loadtest_prepare", "--users", "2", "--residents", "20", "--output", str(accounts))
    data = json.loads(accounts.read_text("utf-8"))
    assert [a["role"] for a in data["accounts"]] == ["clerk", "clerk", "reviewer"]
    assert oct(accounts.stat().st_mode & 0o777) == "0o600"
    env = {**os.environ, "JUMIN_LOADTEST_FILE": str(accounts), "JUMIN_LOADTEST_THINK": "0.05,0.2"}
    done = subprocess.run(
        [
            str(LOCUST if LOCUST.exists() else shutil.which("locust")),
            "-f",
            str(ROOT / "loadtest" / "locustfile.py"),
            "--headless",
            "-u",
            "3",
            "-r",
            "3",
            "-t",
            "40s",
            "--stop-timeout",
            "10",
            "-H",
            live_server.url,
            "--csv",
            str(tmp_path / "run"),
            "--only-summary",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    with (tmp_path / "run_stats.csv").open(encoding="utf-8") as f:
        stats = {row["Name"]: row for row in csv.DictReader(f)}
    failures = (tmp_path / "run_failures.csv").read_text("utf-8")
    assert done.returncode == 0, failures + done.stderr[-3000:]
    assert int(stats["Aggregated"]["Failure Count"]) == 0
    for name in ("login:second-factor", "search name+birth", "person view", "household view", "move-in 仮登録"):
        assert int(stats[name]["Request Count"]) >= 1, name
    assert User.objects.filter(username__startswith="load-").count() == 3
    assert Movement.objects.filter(state=Movement.State.FINAL, kind="move_in").exists()  # a reviewer approved
