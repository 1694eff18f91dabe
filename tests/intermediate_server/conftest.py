"""Fixtures of the 中間サーバー tests: the register fixtures, the J-LIS 個人番号生成 simulator, a
key directory per test and the 情報提供ネットワークシステム simulator on a real local port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from peers.provision_network import RunningSimulator, running
from peers.signed import write_public

from jumin.accounts.models import User
from jumin.intermediate_server.services import PEER_PUBLIC, PEER_SEAL_PUBLIC
from jumin.linkage import sealing, signing
from peers import jlis, sealed
from tests.conftest import make_operator
from tests.registry.conftest import _at_the_counter, reviewer, spare_codes  # noqa: F401  (fixtures)


@pytest.fixture
def counter(db: None) -> User:
    return make_operator("madoguchi", "上尾 花子", roles=("窓口入力", "住民票コード事務", "個人番号利用事務"))


@pytest.fixture
def officer(db: None) -> User:
    return make_operator("shien", "支援 責任者", roles=("支援措置責任者",))


@pytest.fixture
def number_service(settings: Any) -> Iterator[jlis.RunningSimulator]:
    with jlis.running() as simulator:
        settings.JUMIN_NUMBER_SERVICE_URL = simulator.url
        settings.JUMIN_NUMBER_SERVICE_TIMEOUT = 5
        yield simulator


@pytest.fixture
def key_dir(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "jukinet"
    path.mkdir()
    settings.JUMIN_JUKINET_KEY_DIR = str(path)
    return path


@pytest.fixture
def network(key_dir: Path, settings: Any) -> Iterator[RunningSimulator]:
    """The コアシステム on a free port, trusting our signing key and sealing its answers to our
    X25519 key; its signing and sealing keys in our key dir."""
    key, seal_key = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    write_public(key_dir / PEER_PUBLIC, key.public_key())
    sealed.write_public(key_dir / PEER_SEAL_PUBLIC, seal_key.public_key())
    with running(
        key=key,
        client_key=signing.own_key().public_key(),
        seal_key=seal_key,
        client_seal_key=sealing.own_key().public_key(),
    ) as simulator:
        settings.JUMIN_PROVISION_NETWORK_URL = simulator.url
        settings.JUMIN_PROVISION_NETWORK_TIMEOUT = 2.0
        yield simulator
