"""Scenario ``staff_load`` (issue 22): counter staff working through the web screens of
``jumin serve`` — the production settings, over HTTPS — against the register of this database
(target at 1,000,000 residents and 100 clerks: p99 ≤ 300 ms, 0 errors; docs/benchmarks.md 「負荷試験」).

On its own: prepares the load accounts (:mod:`jumin.bench.load_accounts`; ``--residents`` is the
number of residents the sessions open), makes a throw-away private certificate authority
(:mod:`jumin.runtime.local_https`), starts ``jumin serve`` on a free port trusting nothing else,
waits for ``/readyz``, runs ``loadtest/locustfile.py`` with locust headless (statistics reset
after the ramp-up and a warm-up, so the logins and the cold workers stay out), reads locust's figures, stops the
server (also on failure or Ctrl-C) and deactivates the accounts.  The scenario's settings come
as ``--param KEY=VALUE`` (``jumin bench --list``).  Logs, locust's CSV files and the TLS files
of the last run stay in ``$JUMIN_VAR_DIR/loadtest/staff_load`` (or ``--param output=DIR``).

The database must hold a register (``jumin seed-city``) and must be one ``jumin serve`` can
open from another process (PostgreSQL, or a SQLite file).  As ``jumin loadtest-prepare``, it runs
only where load accounts may exist: ``JUMIN_LOADTEST=1`` (or DEBUG settings, or the demo)."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import ssl
import subprocess  # nosec B404 - our own interpreter and jumin serve / locust, fixed argv, no shell
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

import jumin
from jumin.bench.load_accounts import (
    LoadAccountsError,
    prepare_load_accounts,
    retire_load_accounts,
    write_accounts,
)
from jumin.bench_harness import Context, Figure, scenario
from jumin.runtime.local_https import HOST, LocalRunError, Processes, free_port, make_tls, wait_for
from jumin.runtime.management.commands.serve import default_workers

NAME = "staff_load"
CHECKOUT = Path(jumin.__file__).resolve().parents[2]
LOCUSTFILE = CHECKOUT / "loadtest" / "locustfile.py"
PARAMS = {
    "users": ("100", "counter clerks; a tenth as many reviewers (at least 1) work beside them"),
    "spawn_rate": ("5", "sessions started per second during the ramp-up"),
    "warm_up": ("30", "seconds after the ramp-up left out of the figures (cold workers, the last logins)"),
    "duration": ("300", "seconds measured after the warm-up"),
    "think": ("1,4", "seconds between two actions of one session, LOW,HIGH (uniform)"),
    "workers": (str(default_workers()), "gunicorn workers of jumin serve"),
    "output": ("", "folder for logs, locust's CSV and TLS files (default $JUMIN_VAR_DIR/loadtest/staff_load)"),
}
# locust's request names → metric prefixes (the login:* requests are left out)
METRICS = {
    "search name+birth": "search",
    "person view": "person_view",
    "household view": "household_view",
    "certificate form": "certificate_form",
    "certificate issue": "certificate_issue",
    "move-in form": "move_in_form",
    "move-in 仮登録": "move_in_provisional",
    "approval queue": "approval_queue",
    "approve 本登録": "approve_final",
}


@dataclass(frozen=True)
class LoadSettings:
    clerks: int
    reviewers: int
    spawn_rate: float
    warm_up: int
    duration: int
    think: tuple[float, float]
    workers: int

    @classmethod
    def from_params(cls, params: dict[str, str]) -> LoadSettings:
        try:
            clerks = max(1, int(params["users"]))
            low, _, high = params["think"].partition(",")
            think = (float(low), float(high or low))
            loaded = cls(
                clerks,
                max(1, clerks // 10),
                float(params["spawn_rate"]),
                int(params["warm_up"]),
                int(params["duration"]),
                think,
                int(params["workers"]),
            )
        except ValueError as wrong:
            raise CommandError(f"{NAME}: a --param is not a number: {wrong}") from wrong
        if min(loaded.spawn_rate, loaded.duration, loaded.workers) <= 0 or loaded.warm_up < 0:
            raise CommandError(f"{NAME}: spawn_rate, duration and workers must be positive, warm_up not negative")
        if not 0 <= think[0] <= think[1]:
            raise CommandError(f"{NAME}: think is LOW,HIGH with 0 ≤ LOW ≤ HIGH")
        return loaded

    @property
    def sessions(self) -> int:
        return self.clerks + self.reviewers

    @property
    def ramp_up(self) -> int:
        return math.ceil(self.sessions / self.spawn_rate)

    @property
    def run_time(self) -> int:
        """locust's ``-t``: the ramp-up, the warm-up and the measured time."""
        return self.ramp_up + self.warm_up + self.duration


@scenario(
    NAME,
    "100 counter staff through jumin serve (production settings, HTTPS) with locust: p50/p95/p99 per screen",
    default_residents=2000,
    params=PARAMS,
)
def staff_load(ctx: Context) -> Iterable[Figure]:
    load = LoadSettings.from_params(ctx.params)
    folder = _run_folder(ctx.params["output"])
    database_url = _database_url()
    try:
        write_accounts(folder / "accounts.json", prepare_load_accounts(load.clerks, ctx.residents, ctx.seed))
    except LoadAccountsError as refused:
        raise CommandError(f"{NAME}: {refused}") from refused
    try:
        _run(load, folder, database_url)
    finally:
        (folder / "accounts.json").unlink(missing_ok=True)
        retire_load_accounts()
    ctx.notes.append(f"locust CSV and logs: {folder}")
    yield from _setting_figures(load, ctx.residents)
    summary = json.loads((folder / "summary.json").read_text("utf-8"))
    yield from _figures("all", summary)
    yield Figure(NAME, "locust_cpu", round(float(summary["locust_cpu_seconds"]), 1), "s")
    rows = _csv_rows(folder / "run_stats.csv")
    for name in sorted(rows, key=lambda n: (list(METRICS).index(n) if n in METRICS else len(METRICS), n)):
        yield from _figures(METRICS.get(name) or _slug(name), rows[name])


def _run_folder(output: str) -> Path:
    folder = Path(output) if output else Path(settings.VAR_DIR) / "loadtest" / NAME
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in ("summary.json", "run_stats.csv", "run_failures.csv", "serve.log", "locust.log"):
        (folder / stale).unlink(missing_ok=True)
    shutil.rmtree(folder / "tls", ignore_errors=True)  # a fresh authority each run
    return folder


def _database_url() -> str:
    """This connection's database as ``JUMIN_DATABASE_URL`` for ``jumin serve`` (another process)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise CommandError(f"{NAME}: an in-memory SQLite database cannot be served by another process")
        return f"sqlite:///{name}"
    if connection.vendor != "postgresql":
        raise CommandError(f"{NAME}: PostgreSQL or a SQLite file, not {connection.vendor}")
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgresql://{credentials}{db.get('HOST') or HOST}:{db.get('PORT') or 5432}/{quote(str(db['NAME']))}"


def _run(load: LoadSettings, folder: Path, database_url: str) -> None:
    """jumin serve, then locust against it; everything started is stopped on the way out."""
    ca, certificate, key = make_tls(folder / "tls")
    port = free_port()
    url = f"https://{HOST}:{port}"
    processes = Processes(folder, cwd=CHECKOUT)
    try:
        server = processes.start(
            "serve", _serve_argv(port, load.workers, certificate, key), _serve_environment(database_url, port)
        )
        try:
            wait_for(f"{url}/readyz", ssl.create_default_context(cafile=str(ca)), 300, server)
        except LocalRunError as failed:
            raise CommandError(f"{NAME}: jumin serve: {failed}\n{_tail(folder / 'serve.log')}") from failed
        locust = processes.start("locust", _locust_argv(load, url, folder), _locust_environment(load, folder, ca))
        _await_locust(locust, load, folder)
    finally:
        processes.stop()


def _jumin() -> list[str]:
    return [sys.executable, "-c", "from jumin.cli import main; main()"]


def _python_path() -> str:
    return os.pathsep.join(filter(None, [str(CHECKOUT / "src"), str(CHECKOUT), os.environ.get("PYTHONPATH")]))


def _serve_argv(port: int, workers: int, certificate: Path, key: Path) -> list[str]:
    tls = ["--certfile", str(certificate), "--keyfile", str(key)]
    return [*_jumin(), "serve", "--bind", f"{HOST}:{port}", "--workers", str(workers), *tls]


def _serve_environment(database_url: str, port: int) -> dict[str, str]:
    """This process's environment with the production settings on the same database and keys."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "JUMIN_CARD_READER"}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "jumin.settings.production",
        "JUMIN_DATABASE_URL": database_url,
        "JUMIN_VAR_DIR": str(settings.VAR_DIR),  # the same secrets.json
        "JUMIN_ALLOWED_HOSTS": f"{HOST},localhost",
        "JUMIN_WEBAUTHN_ORIGINS": f"https://{HOST}:{port}",
        "PYTHONPATH": _python_path(),
    }


def _locust_argv(load: LoadSettings, url: str, folder: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-H", url),
        *("-u", str(load.sessions), "-r", str(load.spawn_rate), "-t", f"{load.run_time}s"),
        *("--reset-stats", "--stop-timeout", "30", "--csv", str(folder / "run"), "--only-summary"),
    ]


def _locust_environment(load: LoadSettings, folder: Path, ca: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "JUMIN_LOADTEST_FILE": str(folder / "accounts.json"),
        "JUMIN_LOADTEST_CA": str(ca),
        "JUMIN_LOADTEST_THINK": f"{load.think[0]},{load.think[1]}",
        "JUMIN_LOADTEST_WARM_UP": str(load.warm_up),
        "JUMIN_LOADTEST_SUMMARY": str(folder / "summary.json"),
        "PYTHONPATH": _python_path(),
    }


def _await_locust(locust: subprocess.Popen[bytes], load: LoadSettings, folder: Path) -> None:
    """Until locust quits; exit 1 with a summary is a run with failed requests (the figures say so)."""
    try:
        locust.wait(timeout=load.run_time + 180)
    except subprocess.TimeoutExpired as late:
        raise CommandError(f"{NAME}: locust did not stop in time\n{_tail(folder / 'locust.log')}") from late
    if locust.returncode not in {0, 1} or not (folder / "summary.json").is_file():
        raise CommandError(f"{NAME}: locust exit {locust.returncode}\n{_tail(folder / 'locust.log')}")


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text("utf-8", errors="replace").splitlines()[-lines:]) if log.is_file() else ""


def _csv_rows(path: Path) -> dict[str, dict[str, float]]:
    """locust's rows by request name, without the logins and the aggregate (all includes the logins)."""
    rows = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"]
            if name == "Aggregated" or name.startswith("login:"):
                continue
            rows[name] = {
                "requests": _number(row["Request Count"]),
                "failures": _number(row["Failure Count"]),
                "rps": _number(row["Requests/s"]),
                **{f"p{p}": _number(row[f"{p}%"]) for p in (50, 95, 99)},
                "max": _number(row["Max Response Time"]),
            }
    return rows


def _number(text: str) -> float:
    return 0.0 if text in {"", "N/A"} else float(text)


def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_") or "request"


def _figures(prefix: str, row: dict[str, float]) -> Iterable[Figure]:
    yield Figure(NAME, f"{prefix}_requests", float(row["requests"]), "requests")
    yield Figure(NAME, f"{prefix}_failures", float(row["failures"]), "requests")
    yield Figure(NAME, f"{prefix}_rps", round(float(row["rps"]), 1), "req/s")
    for metric in ("p50", "p95", "p99", "max"):
        yield Figure(NAME, f"{prefix}_{metric}", round(float(row[metric]), 1), "ms")


def _setting_figures(load: LoadSettings, residents: int) -> Iterable[Figure]:
    yield Figure(NAME, "sessions", float(load.sessions), "sessions")
    yield Figure(NAME, "clerks", float(load.clerks), "sessions")
    yield Figure(NAME, "reviewers", float(load.reviewers), "sessions")
    yield Figure(NAME, "think_low", load.think[0], "s")
    yield Figure(NAME, "think_high", load.think[1], "s")
    yield Figure(NAME, "server_workers", float(load.workers), "processes")
    yield Figure(NAME, "ramp_up", float(load.ramp_up), "s")
    yield Figure(NAME, "warm_up", float(load.warm_up), "s")
    yield Figure(NAME, "duration", float(load.duration), "s")
    yield Figure(NAME, "sampled_residents", float(residents), "residents")
