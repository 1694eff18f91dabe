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
