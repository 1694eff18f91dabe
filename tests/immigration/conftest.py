"""Fixtures for the 出入国在留管理庁 link: the register fixtures, a key directory per test and a
running 出入国在留管理庁 simulator that trusts our key (and that we trust)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peers.immigration import RunningSimulator, running
from peers.signed import write_public

from jumin.immigration.outbound import PEER_PUBLIC
from jumin.linkage import signing
from tests.registry.conftest import (  # noqa: F401  (fixtures)
    _at_the_counter,
    counter,
    reviewer,
    spare_codes,
)


@pytest.fixture
def key_dir(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "jukinet"
    path.mkdir()
    settings.JUMIN_JUKINET_KEY_DIR = str(path)
    settings.JUMIN_IMMIGRATION_URL = ""
    return path


@pytest.fixture
def ministry(key_dir: Path, settings: Any) -> Iterator[RunningSimulator]:
    """The simulator on a free port, trusting our public key; its public key in our key dir."""
    key = Ed25519PrivateKey.generate()
    write_public(key_dir / PEER_PUBLIC, key.public_key())
    with running(key=key, client_key=signing.own_key().public_key()) as simulator:
        settings.JUMIN_IMMIGRATION_URL = simulator.url
        settings.JUMIN_IMMIGRATION_TIMEOUT = 2.0
        yield simulator
