"""Fixtures of the コンビニ交付: the register, the 認証局 (peers.jpki) and the 証明書交付センター
(peers.konbini) over real HTTP, talking to jumin's live server with the center's API key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from peers.jpki import RunningSimulator
from peers.jpki import running as jpki_running
from peers.konbini import Center, RunningCenter
from peers.konbini import running as center_running
from pytest_django.live_server_helper import LiveServer

from jumin.accounts.services import add_linked_system
from jumin.certificates.models import Certifier
from tests.registry.conftest import _at_the_counter, counter, reviewer, spare_codes  # noqa: F401  (fixtures)

NUMBER = "123456789018"


@pytest.fixture
def mayor(db: None) -> Certifier:
    return Certifier.objects.create(
        role=Certifier.Role.MAYOR,
        title="上尾市長",
        name="畠山　稔",
        valid_from=date(2020, 1, 1),
        seal_text="上尾市長之印",
    )


@pytest.fixture
def jpki(tmp_path: Path, settings: Any) -> Iterator[RunningSimulator]:
    """The 認証局: its root in our key directory, its live CRL (a revocation counts at once)."""
    key_dir = tmp_path / "jukinet"
    key_dir.mkdir()
    settings.JUMIN_JUKINET_KEY_DIR = str(key_dir)
    with jpki_running() as simulator:
        (key_dir / "jpki_ca.pem").write_bytes(simulator.authority.pem)
        settings.JUMIN_JPKI_CRL_URL = f"{simulator.url}/crl.pem"
        yield simulator


@pytest.fixture
def center(jpki: RunningSimulator, live_server: LiveServer, mayor: Certifier) -> Iterator[RunningCenter]:
    _, key = add_linked_system("KONBINI", "証明書交付センター", ["issue_certificate"])
    with center_running(Center(jpki.url, live_server.url, key)) as running:
        yield running
