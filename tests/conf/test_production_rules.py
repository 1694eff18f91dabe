"""Production rules (issue 15, item 5): the second factor cannot be switched off, links to
national systems use TLS; checked by ``jumin check --deploy`` and by ``jumin.wsgi`` at start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from jumin.conf.checks import NATIONAL_LINK_SETTINGS, national_links_use_tls, refuse_to_start, second_factor_required

HOST = "jumin.city.ageo.lg.jp"
PLAIN = "http://jlis.example.lg.jp:8765/secret-path"


def _python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    scrubbed = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "JUMIN_DATABASE_URL", *NATIONAL_LINK_SETTINGS}
    environment = {k: v for k, v in os.environ.items() if k not in scrubbed}
    environment.update(JUMIN_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="jumin.settings.production")
    environment.update(JUMIN_ALLOWED_HOSTS=HOST, **env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=120, check=False
    )


def _check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return _python("from jumin.cli import main; main(['check', '--deploy'])", tmp_path, **env)


def test_production_refuses_to_switch_the_second_factor_off(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, JUMIN_REQUIRE_SECOND_FACTOR="0")
    assert result.returncode != 0
    assert "JUMIN_REQUIRE_SECOND_FACTOR" in result.stderr


@pytest.mark.parametrize("name", NATIONAL_LINK_SETTINGS)
def test_check_deploy_refuses_a_national_link_without_tls(tmp_path: Path, name: str) -> None:
    result = _check_deploy(tmp_path, **{name: PLAIN})
    assert result.returncode != 0
    assert "jumin.E002" in result.stderr and name in result.stderr
    assert "secret-path" not in result.stdout + result.stderr  # the address itself is not echoed


def test_check_deploy_passes_with_tls_links(tmp_path: Path) -> None:
    links = dict.fromkeys(NATIONAL_LINK_SETTINGS, "https://peer.example.lg.jp/")
    result = _check_deploy(tmp_path, **links)
    assert result.returncode == 0, result.stderr


def test_wsgi_refuses_to_start_when_a_rule_is_broken(tmp_path: Path) -> None:
    broken = _python("import jumin.wsgi", tmp_path, JUMIN_PREFECTURE_URL=PLAIN)
    assert broken.returncode != 0
    assert "jumin.E002" in broken.stderr and "ImproperlyConfigured" in broken.stderr
    fine = _python("import jumin.wsgi; print('started')", tmp_path, JUMIN_PREFECTURE_URL="https://pref.example.lg.jp/")
    assert fine.returncode == 0, fine.stderr
    assert "started" in fine.stdout


def test_the_checks_themselves() -> None:
    assert second_factor_required() == []
    with override_settings(JUMIN_REQUIRE_SECOND_FACTOR=False):
        assert [e.id for e in second_factor_required()] == ["jumin.E001"]
        with pytest.raises(ImproperlyConfigured, match=r"jumin\.E001"):
            refuse_to_start()
    with override_settings(JUMIN_NUMBER_SERVICE_URL="", JUMIN_CARDSYSTEM_URL="HTTPS://cards.example.lg.jp/"):
        assert national_links_use_tls() == []  # empty = not configured; the scheme is case-blind
    with override_settings(JUMIN_NUMBER_SERVICE_URL="ftp://x", JUMIN_PREFECTURE_URL="127.0.0.1:8766"):
        assert [e.id for e in national_links_use_tls()] == ["jumin.E002", "jumin.E002"]
    refuse_to_start([])
