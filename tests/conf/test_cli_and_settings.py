"""The ``jumin`` command and the production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jumin.cli import main


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    scrubbed = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "JUMIN_DATABASE_URL"}
    environment = {k: v for k, v in os.environ.items() if k not in scrubbed}
    environment.update(JUMIN_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", "from jumin.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DJANGO_SETTINGS_MODULE="jumin.settings.production",
        JUMIN_ALLOWED_HOSTS="jumin.city.ageo.lg.jp",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_require_allowed_hosts(tmp_path: Path) -> None:
    result = _run(["check"], tmp_path, DJANGO_SETTINGS_MODULE="jumin.settings.production", JUMIN_ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "JUMIN_ALLOWED_HOSTS" in result.stderr


def test_cli_defaults_to_dev_settings_and_sqlite_under_var(tmp_path: Path) -> None:
    result = _run(["diffsettings", "--all"], tmp_path, JUMIN_DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    assert "jumin.settings.dev" in result.stdout or "DEBUG = True" in result.stdout
    assert str(tmp_path / "jumin.sqlite3") in result.stdout
    assert (tmp_path / "secrets.json").exists()


def test_hyphenated_command_names(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["seed-demo", "--help"])
    assert "端末登録コード" in capsys.readouterr().out


DEMO_PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
static = client.get("/static/jumin/shell.js")
missing = client.get("/no-such-page/")
print("DEBUG", settings.DEBUG, "static", static.status_code, "missing", missing.status_code)
print("japanese", "ページが見つかりません" in missing.content.decode())
print("traceback", "Traceback" in missing.content.decode() or "URLconf" in missing.content.decode())
"""


def test_demo_settings_run_without_debug_and_serve_static_files(tmp_path: Path) -> None:
    """``make run`` (jumin.settings.demo): DEBUG off, the Japanese error pages, static files
    served by WhiteNoise without a collectstatic step (issue 17)."""
    scrubbed = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "JUMIN_DATABASE_URL"}
    environment = {k: v for k, v in os.environ.items() if k not in scrubbed}
    environment.update(JUMIN_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="jumin.settings.demo")
    result = subprocess.run(
        [sys.executable, "-c", DEMO_PROBE], capture_output=True, text=True, env=environment, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG False static 200 missing 404" in result.stdout
    assert "japanese True" in result.stdout and "traceback False" in result.stdout


def test_makefile_runs_the_demo_settings() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "DEMO_SETTINGS ?= jumin.settings.demo" in makefile
    assert "run: export DJANGO_SETTINGS_MODULE = $(DEMO_SETTINGS)" in makefile


def test_demo_commands_run_under_the_demo_settings_but_not_in_production(tmp_path: Path) -> None:
    demo = _run(["seed-demo", "--help"], tmp_path, DJANGO_SETTINGS_MODULE="jumin.settings.demo")
    assert demo.returncode == 0, demo.stderr
    refused = _run(
        ["totp-code", "madoguchi"],
        tmp_path,
        DJANGO_SETTINGS_MODULE="jumin.settings.production",
        JUMIN_ALLOWED_HOSTS="jumin.city.ageo.lg.jp",
    )
    assert refused.returncode != 0 and "DEBUG" in refused.stderr
