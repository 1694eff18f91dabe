"""Fixtures of the 本籍地 linkage: the register fixtures, a key directory, the address dictionary
of the 本籍地 used here, and the 本籍地 simulator (peers.koseki) over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peers.koseki import RunningSimulator, running
from peers.signed import write_public

from jumin.addresses.models import Municipality
from jumin.koseki.network import PEER_PUBLIC
from jumin.linkage import signing
from tests.jukinet.conftest import key_dir  # noqa: F401  (fixture)
from tests.registry.conftest import (  # noqa: F401  (fixtures)
    _at_the_counter,
    counter,
    reviewer,
    spare_codes,
)

CHIYODA = "131016"  # 東京都千代田区
AGEO = "112194"  # 上尾市 (us)


@pytest.fixture(autouse=True)
def municipalities(db: None) -> None:
    """The 本籍地 of these tests in the address dictionary (municipality_code_of reads it)."""
    for code5, prefecture, name in (("11219", "埼玉県", "上尾市"), ("13101", "東京都", "千代田区")):
        Municipality.objects.create(
            lg_code5=code5, prefecture_code=code5[:2], prefecture=prefecture, prefecture_kana="", name=name, kana=""
        )


@pytest.fixture
def koseki_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def koseki(key_dir: Path, koseki_key: Ed25519PrivateKey, settings: Any) -> Iterator[RunningSimulator]:  # noqa: F811
    """The 本籍地 simulator on a free port, trusting our key; its public key in our key dir."""
    write_public(key_dir / PEER_PUBLIC, koseki_key.public_key())
    with running(key=koseki_key, client_key=signing.own_key().public_key()) as simulator:
        settings.JUMIN_KOSEKI_URL = simulator.url
        settings.JUMIN_KOSEKI_TIMEOUT = 2.0
        yield simulator
