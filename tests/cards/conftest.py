"""Fixtures for 個人番号カード work: the register fixtures, a key directory per test, the J-LIS
個人番号生成 simulator and the 個人番号カード管理システム simulator on real local ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peers.cardsystem import RunningSimulator, running
from peers.cardsystem.server import write_public

from jumin.accounts.models import User
from jumin.cards.services import CARDSYSTEM_PUBLIC
from jumin.linkage import signing
from peers import jlis
from tests.conftest import make_operator
from tests.registry.conftest import _at_the_counter, reviewer, spare_codes  # noqa: F401  (fixtures)


@pytest.fixture
def counter(db: None) -> User:
    """A counter clerk who may also enter 個人番号 movements."""
    return make_operator("madoguchi", "上尾 花子", roles=("窓口入力", "住民票コード事務", "個人番号利用事務"))


@pytest.fixture
def key_dir(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "jukinet"
    path.mkdir()
    settings.JUMIN_JUKINET_KEY_DIR = str(path)
    settings.JUMIN_CARDSYSTEM_URL = ""
    return path


@pytest.fixture
def number_service(settings: Any) -> Iterator[jlis.RunningSimulator]:
    with jlis.running() as simulator:
        settings.JUMIN_NUMBER_SERVICE_URL = simulator.url
        settings.JUMIN_NUMBER_SERVICE_TIMEOUT = 5
        yield simulator


@pytest.fixture
def cardsystem(key_dir: Path, settings: Any) -> Iterator[RunningSimulator]:
    """The card management system on a free port, trusting our key; its key in our key dir."""
    key = Ed25519PrivateKey.generate()
    write_public(key_dir / CARDSYSTEM_PUBLIC, key.public_key())
    with running(key=key, client_key=signing.own_key().public_key()) as simulator:
        settings.JUMIN_CARDSYSTEM_URL = simulator.url
        settings.JUMIN_CARDSYSTEM_TIMEOUT = 2.0
        yield simulator
