"""``make test``: the whole suite on SQLite, then every database test again on PostgreSQL.

Environment:
  JUMIN_TEST_PG_URL   PostgreSQL for the second pass (default: the local server)
  JUMIN_REQUIRE_PG=1  fail when PostgreSQL is unreachable instead of skipping the pass (CI)
  JUMIN_REQUIRE_E2E=1 fail when chromium is missing instead of skipping browser tests (CI)

Extra arguments go to pytest (``make test ARGS="-k wareki"``); with them, the coverage
gate of jumin.core and the regeneration of docs/conformance.md are skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
PG_URL = os.environ.get("JUMIN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def say(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m", flush=True)


def pg_problem(url: str) -> str | None:
    import psycopg  # noqa: PLC0415 - only when a PostgreSQL run is asked for

    try:
        with psycopg.connect(url, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def pytest(args: list[str], **env: str) -> int:
    environment = {**os.environ, **env}
    if not env.get("JUMIN_DATABASE_URL"):
        environment.pop("JUMIN_DATABASE_URL", None)
    return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=environment)


def main(extra: list[str]) -> int:
    full = not extra
    VAR.mkdir(exist_ok=True)
    for old in VAR.glob("spec-results-*.json"):
        old.unlink()

    say("pass 1: whole suite on SQLite")
    coverage = ["--cov=jumin", "--cov-branch", "--cov-report="] if full else []
    failed = pytest([*coverage, "--spec-report", str(VAR / "spec-results-sqlite.json"), *extra]) != 0
    if full and not failed:
        say("coverage gate: jumin.core must have 100% branch coverage")
        failed = (
            subprocess.call(
                [sys.executable, "-m", "coverage", "report", "--include=*/jumin/core/*", "--fail-under=100"], cwd=ROOT
            )
            != 0
        )

    problem = pg_problem(PG_URL)
    if problem is None:
        say(f"pass 2: database tests on PostgreSQL ({PG_URL.split('@')[-1]})")
        failed |= (
            pytest(
                ["-m", "db", "--spec-report", str(VAR / "spec-results-postgresql.json"), *extra],
                JUMIN_DATABASE_URL=PG_URL,
            )
            != 0
        )
    else:
        say("pass 2 SKIPPED: PostgreSQL is not reachable")
        print(f"   {PG_URL.split('@')[-1]}: {problem}")
        print("   The database tests ran on SQLite only. Set JUMIN_TEST_PG_URL to run them on PostgreSQL too.")
        if os.environ.get("JUMIN_REQUIRE_PG") == "1":
            print("   JUMIN_REQUIRE_PG=1: this is a failure.")
            failed = True

    if full:
        results = sorted(str(p) for p in VAR.glob("spec-results-*.json"))
        subprocess.call([sys.executable, "-m", "jumin.cli", "conformance", *results], cwd=ROOT)

    say("FAILED" if failed else "all tests passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
