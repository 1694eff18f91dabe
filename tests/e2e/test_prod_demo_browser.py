"""``make prod-demo`` in a browser: PostgreSQL, ``jumin serve`` (gunicorn, production settings over
HTTPS), ``jumin worker`` and the simulators over TLS — a counter terminal is enrolled, the
operator logs in with the second factor, and the worker has run its jobs against the simulators.

Runs where PostgreSQL is reachable (``JUMIN_TEST_PG_URL``, as the database pass), on a database
of its own (``<that database>_prod_demo``, dropped afterwards) and free ports."""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Browser, expect

from jumin.web.management.commands.seed_demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("JUMIN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_problem() -> str | None:
    try:  # the server, not the database of the URL (the database pass creates test_<name>)
        psycopg.connect(urlunsplit(urlsplit(PG_URL)._replace(path="/template1")), connect_timeout=3).close()
    except psycopg.Error as error:
        return str(error).splitlines()[0]
    return None


pytestmark = pytest.mark.skipif(_pg_problem() is not None, reason="PostgreSQL not reachable (JUMIN_TEST_PG_URL)")


def _own_database_url() -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'jumin'}_prod_demo"))


def _drop(url: str) -> None:
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/template1")), autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def _free_base_port() -> int:
    """A base port with the next five free too (serve + five simulators)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base > 60000:
            continue
        free = True
        for port in range(base, base + 6):
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    free = False
                    break
        if free:
            return base
    raise RuntimeError("no six free ports in a row")


def _environment(var_dir: Path, database_url: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("JUMIN_", "DJANGO_"))}
    return {
        **keep,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "JUMIN_VAR_DIR": str(var_dir),
        "JUMIN_PROD_DEMO_DATABASE_URL": database_url,
        **({"JUMIN_TEST_CLOCK": os.environ["JUMIN_TEST_CLOCK"]} if "JUMIN_TEST_CLOCK" in os.environ else {}),
    }


def _jumin(var_dir: Path, database_url: str, *args: str) -> str:
    environment = {
        **_environment(var_dir, database_url),
        "DJANGO_SETTINGS_MODULE": "jumin.settings.production",
        "JUMIN_DATABASE_URL": database_url,
        "JUMIN_ALLOWED_HOSTS": "127.0.0.1",
        "JUMIN_JUKINET_KEY_DIR": str(var_dir / "jukinet"),
    }
    done = subprocess.run(
        [sys.executable, "-c", "from jumin.cli import main; main()", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.fixture
def prod_demo(tmp_path: Path) -> Iterator[tuple[str, Path, str, Path]]:
    database_url = _own_database_url()
    _drop(database_url)
    base = _free_base_port()
    ready = tmp_path / "ready"
    output = tmp_path / "prod-demo.out"
    var_dir = tmp_path / "var"
    environment = {
        **_environment(var_dir, database_url),
        "JUMIN_PROD_DEMO_PORT": str(base),
        "JUMIN_PROD_DEMO_RESIDENTS": "200",
        "JUMIN_WORKER_TICK_SECONDS": "2",
    }
    with output.open("wb") as log:
        demo = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "prod_demo.py"), "--ready-file", str(ready)],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 900
        while not ready.exists():
            assert demo.poll() is None, output.read_text(errors="replace")[-4000:]
            assert time.monotonic() < deadline, "prod-demo did not become ready"
            time.sleep(1)
        yield ready.read_text(), var_dir, database_url, output
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGTERM)
            try:
                demo.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(demo.pid, signal.SIGKILL)
                demo.wait()
        _drop(database_url)


def _totp(output: Path, username: str) -> str:
    text = output.read_text(errors="replace")
    match = re.search(rf"^\s*{username}\s+キー ([A-Z2-7 ]+?)\s*$", text, re.MULTILINE)
    assert match, "seed-demo printed no key"
    secret = match.group(1).replace(" ", "")  # printed in groups of four
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_prod_demo_serves_the_counter_over_https_and_the_worker_runs_its_jobs(
    browser: Browser, prod_demo: tuple[str, Path, str, Path]
) -> None:
    url, var_dir, database_url, output = prod_demo
    code = re.search(r"端末登録コード (\S+)", _jumin(var_dir, database_url, "terminal-code", "SHIMIN-1"))
    assert code
    context = browser.new_context(locale="ja-JP", ignore_https_errors=True)
    try:
        page = context.new_page()
        response = page.goto(url + "/readyz")
        assert response is not None and response.status == 200
        assert '"ready"' in page.content()
        page.goto(url + "/accounts/terminal/enroll/")
        page.get_by_label("端末登録コード").fill(code.group(1))
        page.keyboard.press("Enter")
        page.get_by_label("利用者ID").fill("madoguchi")
        page.get_by_label("パスワード").fill(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.get_by_label("確認コード（6桁）").fill(_totp(output, "madoguchi"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="ホーム")).to_be_visible(timeout=30_000)
        assert page.url.startswith("https://")
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["jumin_session"]["secure"] and cookies["jumin_session"]["httpOnly"]
        # the stylesheet came from WhiteNoise (collected by jumin serve)
        styles = page.evaluate("Array.from(document.styleSheets).filter(s => s.href).map(s => s.href)")
        assert styles and all("/static/" in href for href in styles)
    finally:
        context.close()
    # the worker ran the 住基ネット send against the simulated prefecture server
    deadline = time.monotonic() + 120
    status = ""
    while time.monotonic() < deadline:
        status = _jumin(var_dir, database_url, "worker", "--status")
        if re.search(r"^jukinet\.send +ok ", status, re.MULTILINE) and re.search(
            r"^cards\.send +ok ", status, re.MULTILINE
        ):
            break
        time.sleep(2)
    assert re.search(r"^jukinet\.send +ok ", status, re.MULTILINE), status
    assert re.search(r"^cards\.send +ok ", status, re.MULTILINE), status
