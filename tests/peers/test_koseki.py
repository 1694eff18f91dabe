"""The 本籍地 simulator (peers.koseki) on its own, over real HTTP with jumin's signed client: the
order of 更新順番号 per 本籍地, duplicates, refusals of unsigned or malformed requests, and the
inboxes with their acknowledgement (docs/koseki.md)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peers.koseki import RunningSimulator, running
from peers.signed import write_public

from jumin.koseki.network import PEER_PUBLIC, koseki_client
from jumin.linkage import signing
from jumin.linkage.client import DeliveryError, PeerClient


@pytest.fixture
def simulator(tmp_path: Path, settings: Any) -> Iterator[RunningSimulator]:
    settings.JUMIN_JUKINET_KEY_DIR = str(tmp_path)
    key = Ed25519PrivateKey.generate()
    write_public(tmp_path / PEER_PUBLIC, key.public_key())
    with running(key=key, client_key=signing.own_key().public_key()) as running_simulator:
        settings.JUMIN_KOSEKI_URL = running_simulator.url
        yield running_simulator


def _client() -> PeerClient:
    client = koseki_client()
    assert client is not None
    return client


def _notice(seq: int, key: str = "", **overrides: Any) -> dict[str, Any]:
    body = {
        "to_municipality_code": "131016",
        "update_seq": seq,
        "idempotency_key": key or f"fuhyo:131016:1:{seq}",
        "notice_type": "relocation",
        "honseki": "東京都千代田区千代田1番",
        "name": "上尾\u3000太郎",
        "birth_text": "昭和55年4月1日",
        "address": "埼玉県上尾市本町三丁目1番1号",
    }
    body.update(overrides)
    return body


def test_notices_are_taken_in_order_once(simulator: RunningSimulator) -> None:
    client = _client()
    assert client.send(_notice(1)) == "accepted"
    assert client.send(_notice(1)) == "already_received"
    for body, code in (
        (_notice(3), "rejected:gap"),
        (_notice(1, key="another"), "rejected:conflict"),
        (_notice(2, individual_number="123456789018"), "rejected:bad_request"),
        ({"update_seq": 2}, "rejected:bad_request"),
    ):
        with pytest.raises(DeliveryError) as info:
            client.send(body)
        assert info.value.code == code
    assert client.send(_notice(2)) == "accepted"
    assert [n["update_seq"] for n in simulator.book.fuhyo_to("131016")] == [1, 2]


def test_unsigned_requests_and_unknown_paths_are_refused(simulator: RunningSimulator) -> None:
    request = urllib.request.Request(  # the simulator's own URL
        simulator.url + "/fuhyo-notices", data=json.dumps(_notice(1)).encode(), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 401
    info.value.close()
    with urllib.request.urlopen(simulator.url + "/health", timeout=5) as answer:
        assert json.loads(answer.read()) == {"status": "ok"}
    with pytest.raises(DeliveryError) as refused:  # an unknown path is answered unsigned
        _client().exchange("GET", "/nowhere", b"")
    assert refused.value.code == "peer_unknown_key"


def test_inboxes_keep_notices_until_acknowledged(simulator: RunningSimulator) -> None:
    simulator.book.queue("/koseki-notices", {"to_municipality_code": "112194", "idempotency_key": "k1"})
    simulator.book.queue("/fuhyo-inbox", {"to_municipality_code": "112194", "idempotency_key": "f1"})
    client = _client()
    status, payload = client.exchange("GET", "/koseki-notices?to=112194", b"")
    assert status == 200 and [n["idempotency_key"] for n in payload["notices"]] == ["k1"]
    raw = json.dumps({"to": "112194", "ids": ["k1"]}).encode()
    assert client.exchange("POST", "/koseki-notices/ack", raw)[1] == {"result": "acknowledged", "count": 1}
    assert client.exchange("GET", "/koseki-notices?to=112194", b"")[1] == {"notices": []}
    assert [n["idempotency_key"] for n in client.exchange("GET", "/fuhyo-inbox?to=112194", b"")[1]["notices"]] == ["f1"]
    assert client.exchange("POST", "/fuhyo-inbox/ack", b"{}")[0] == 400
