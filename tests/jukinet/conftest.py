"""Fixtures for 市町村CS: the register fixtures, a key directory per test, and a running
都道府県サーバ simulator that trusts our key (and that we trust)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peers.prefecture import RunningSimulator, running
from peers.prefecture.server import write_public

from jumin.linkage import signing
from tests.registry.conftest import (  # noqa: F401  (fixtures)
    _at_the_counter,
    counter,
    final,
    move_in_data,
    person,
    reviewer,
    spare_codes,
)


@pytest.fixture
def key_dir(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "jukinet"
    path.mkdir()
    settings.JUMIN_JUKINET_KEY_DIR = str(path)
    settings.JUMIN_PREFECTURE_URL = ""
    return path


@pytest.fixture
def prefecture_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def prefecture(key_dir: Path, prefecture_key: Ed25519PrivateKey, settings: Any) -> Iterator[RunningSimulator]:
    """The simulator on a free port, trusting our public key; its public key in our key dir."""
    ours = signing.own_key().public_key()
    write_public(key_dir / signing.PEER_PUBLIC, prefecture_key.public_key())
    with running(key=prefecture_key, client_key=ours) as simulator:
        settings.JUMIN_PREFECTURE_URL = simulator.url
        settings.JUMIN_PREFECTURE_TIMEOUT = 2.0
        yield simulator
