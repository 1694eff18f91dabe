"""``jumin serve``: refuses insecure settings before it starts; with the production settings it
runs gunicorn that serves the probes, the static files and the pages."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from jumin.runtime.management.commands.serve import ACCESS_LOG_FORMAT, STAMP, gunicorn_argv

ROOT = Path(__file__).resolve().parents[2]
JUMIN = [sys.executable, "-c", "from jumin.cli import main; main()"]


def _environment(var_dir: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("JUMIN_", "DJANGO_"))}
    return {
        **keep,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "JUMIN_VAR_DIR": str(var_dir),
        "JUMIN_ALLOWED_HOSTS": "127.0.0.1,localhost",
        **({"JUMIN_TEST_CLOCK": os.environ["JUMIN_TEST_CLOCK"]} if "JUMIN_TEST_CLOCK" in os.environ else {}),
        **extra,
    }


def _jumin(var_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*JUMIN, *args], env=_environment(var_dir, **extra), capture_output=True, text=True, timeout=300, check=False
    )


def test_the_preflight_passes_with_the_production_settings(tmp_path: Path) -> None:
    done = _jumin(tmp_path, "serve", "--check")
    assert done.returncode == 0, done.stderr
    assert "起動前の検査: 問題なし" in done.stdout


def test_serve_refuses_an_insecure_link_and_names_the_rule(tmp_path: Path) -> None:
    done = _jumin(tmp_path, "serve", "--check", JUMIN_PREFECTURE_URL="http://prefecture.example.lg.jp")
    assert done.returncode != 0
    assert "jumin.E002" in done.stderr and "起動しません" in done.stderr
    assert "prefecture.example.lg.jp" not in done.stderr  # the value is not repeated


def test_serve_refuses_the_development_settings(tmp_path: Path) -> None:
    done = _jumin(tmp_path, "serve", "--check", DJANGO_SETTINGS_MODULE="jumin.settings.dev")
    assert done.returncode != 0
    assert "DEBUG" in done.stderr and "security.W004" in done.stderr  # DEBUG on, no HSTS …


def test_without_https_redirect_only_when_the_operator_says_so(tmp_path: Path) -> None:
    done = _jumin(tmp_path, "serve", "--check", JUMIN_SSL_REDIRECT="0")
    assert done.returncode == 0, done.stderr


def test_the_access_log_never_has_the_query_string() -> None:
    argv = gunicorn_argv("127.0.0.1:8000", 2, "127.0.0.1", 60)
    assert argv[argv.index("--access-logformat") + 1] == ACCESS_LOG_FORMAT
    assert "%(q)s" not in ACCESS_LOG_FORMAT and "%(r)s" not in ACCESS_LOG_FORMAT and "%(U)s" in ACCESS_LOG_FORMAT
    assert "--preload" in argv


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``jumin serve`` with the production settings on an SQLite database of its own."""
    migrated = _jumin(tmp_path, "migrate", "--noinput", DJANGO_SETTINGS_MODULE="jumin.settings.production")
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*JUMIN, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=_environment(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # migrate done; collectstatic compresses ~20 MB
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if _get(url + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert server.poll() is None, (tmp_path / "serve.log").read_text()
        assert _get(url + "/healthz")[0] == 200, (tmp_path / "serve.log").read_text()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_serve_runs_gunicorn_with_probes_static_files_and_https_for_pages(served: str, tmp_path: Path) -> None:
    status, _, body = _get(served + "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, _, body = _get(served + "/readyz")
    assert status == 200 and json.loads(body)["status"] == "ready"
    # pages go to HTTPS (the TLS proxy in front); the probes did not
    status, headers, _ = _get(served + "/accounts/login/")
    assert status == 301 and headers["Location"].startswith("https://")
    # static files collected by serve and served by WhiteNoise, with a hashed name and long caching
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = next(v for k, v in manifest["paths"].items() if k.endswith(".css"))
    # (as through the TLS proxy on 127.0.0.1, whose X-Forwarded-Proto gunicorn trusts)
    status, headers, _ = _get(f"{served}/static/{hashed}", **{"X-Forwarded-Proto": "https"})
    assert status == 200 and "max-age=315360000" in headers.get("Cache-Control", "")
    log = (tmp_path / "serve.log").read_text()
    assert '"GET /healthz" 200' in log
    # the next start finds the collected files current and does not collect again
    assert (tmp_path / "static" / STAMP).is_file()
