"""データ送受信の暗号化 (issue 19; the assessment's measure for system 4): every message between
our 中間サーバー side and the 情報提供ネットワークシステム is sealed (HPKE, X25519 / AES-256-GCM)
on top of its signature.  Proved over real HTTP through a tap that records the bytes on the wire:
no personal data is readable in either direction, a tampered or foreign message is refused with
a stable code, logged without its content, and nothing of it is stored."""

from __future__ import annotations

import json
import logging
import select
import socket
import socketserver
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from peers.provision_network import RunningSimulator

from jumin.accounts.models import User
from jumin.core.errors import DomainError
from jumin.intermediate_server.models import CodeRecord, ProvisionRecord
from jumin.intermediate_server.services import PEER_SEAL_PUBLIC, answer_requests, obtain_codes, update_copies
from jumin.linkage import sealing, signing
from jumin.registry.models import Resident
from peers import jlis
from peers import sealed as peer_sealed
from tests.intermediate_server.test_exchange import OUR, _ask, _inquiry_state, _resident

pytestmark = [pytest.mark.django_db, pytest.mark.spec("7.2.2", partial=True)]

Mutate = Callable[[bytes], bytes]


class _Tap(socketserver.ThreadingTCPServer):
    """A TCP relay in front of the simulator that keeps every byte in each direction and can
    change the bytes of one direction in flight (an attacker on the line)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: tuple[str, int]) -> None:
        super().__init__(("127.0.0.1", 0), _Relay)
        self.upstream = upstream
        self.sent = bytearray()  # us -> network
        self.received = bytearray()  # network -> us
        self.outbound: Mutate | None = None
        self.inbound: Mutate | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Relay(socketserver.BaseRequestHandler):
    server: _Tap

    def handle(self) -> None:
        tap = self.server
        with socket.create_connection(tap.upstream, timeout=5) as upstream:
            ends = [self.request, upstream]
            while True:
                readable, _, _ = select.select(ends, [], [], 5)
                if not readable:
                    return
                for end in readable:
                    data = end.recv(65_536)
                    if not data:
                        return
                    outbound = end is self.request
                    change = tap.outbound if outbound else tap.inbound
                    if change is not None:
                        data = change(data)
                    with tap.lock:
                        (tap.sent if outbound else tap.received).extend(data)
                    (upstream if outbound else self.request).sendall(data)


@pytest.fixture
def tap(network: RunningSimulator, settings: Any) -> Iterator[_Tap]:
    host, port = network.server.server_address[:2]
    server = _Tap((str(host), int(port)))
    thread = threading.Thread(target=server.serve_forever, name="wire-tap", daemon=True)
    thread.start()
    settings.JUMIN_PROVISION_NETWORK_URL = server.url
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def _flip_in_ciphertext(data: bytes) -> bytes:
    """Change one base64 character inside the sealed body (same length: the HTTP framing holds)."""
    at = data.find(b'"ct": "')
    if at < 0:
        return data
    at += len(b'"ct": "') + 20
    return data[:at] + (b"B" if data[at : at + 1] != b"B" else b"C") + data[at + 1 :]


def _readable(resident: Resident) -> list[bytes]:
    """What must never be readable on the wire: the person's data in UTF-8 and JSON-escaped."""
    texts = ["上尾", "太郎", "本町", resident.resident_code, "resident_code", "processing_no"]
    out = []
    for text in texts:
        out.append(text.encode())
        out.append(json.dumps(text).strip('"').encode())
    return out


def test_the_wire_carries_only_ciphertext_in_both_directions(
    counter: User, reviewer: User, number_service: jlis.RunningSimulator, network: RunningSimulator, tap: _Tap
) -> None:
    resident = _resident(counter, reviewer)
    update_copies()
    assert obtain_codes().obtained == 1, "符号取得 through the tap"
    _ask(network, resident, "NENKIN-E1")
    assert answer_requests().answered == 1, "the request list came in and the 副本 went out through the tap"
    state = _inquiry_state(network, "NENKIN-E1")
    assert state["status"] == "answered" and state["data"]["name"] == "上尾\u3000太郎", "the network opened it"

    sent, received = bytes(tap.sent), bytes(tap.received)
    assert sent.count(b"POST /codes") == 1 and sent.count(b"POST /answers") == 1 and b"GET /requests" in sent
    assert sent.count(b'"sealed": "jumin-seal-v1"') == 2, "both request bodies sealed"
    assert received.count(b'"sealed": "jumin-seal-v1"') == 3, "the three answers sealed"
    assert received.count(sealing.CONTENT_TYPE.encode()) == 3
    for text in _readable(resident):
        assert text not in sent, text
        assert text not in received, text
    assert b"NENKIN-E1" not in received and b"answered" not in sent, "no field of the protocol in clear either"


def test_a_tampered_request_is_refused_and_nothing_is_stored(
    counter: User, reviewer: User, number_service: jlis.RunningSimulator, network: RunningSimulator, tap: _Tap
) -> None:
    _resident(counter, reviewer)
    update_copies()
    tap.outbound = _flip_in_ciphertext
    assert obtain_codes().obtained == 0
    record = CodeRecord.objects.get()
    assert record.state == "requested" and not record.code
    assert record.last_error == "bad_signature", "the signature over the ciphertext no longer holds"
    assert network.book.processing == {} and network.book.people == {}, "the network kept nothing"

    tap.outbound = None
    assert obtain_codes().obtained == 1, "the same 処理通番 goes through untouched"


def test_a_tampered_answer_is_refused_and_nothing_is_stored(
    counter: User, reviewer: User, number_service: jlis.RunningSimulator, network: RunningSimulator, tap: _Tap
) -> None:
    resident = _resident(counter, reviewer)
    update_copies()
    assert obtain_codes().obtained == 1
    _ask(network, resident, "NENKIN-E2")
    tap.inbound = _flip_in_ciphertext
    with pytest.raises(DomainError) as refused:
        answer_requests()
    assert refused.value.code == "number_exchange.unavailable" and "peer_bad_signature" in refused.value.message
    assert not ProvisionRecord.objects.exists(), "nothing decided from an answer that did not check out"
    tap.inbound = None
    assert answer_requests().answered == 1


def test_an_answer_sealed_to_another_key_does_not_open(
    counter: User,
    reviewer: User,
    number_service: jlis.RunningSimulator,
    network: RunningSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    resident = _resident(counter, reviewer)
    update_copies()
    network.server.client_seal_key = X25519PrivateKey.generate().public_key()  # not ours
    with caplog.at_level(logging.WARNING, logger="jumin.linkage.client"):
        assert obtain_codes().obtained == 0
    record = CodeRecord.objects.get()
    assert record.last_error == "peer_unknown_key" and not record.code
    assert "unknown_key" in caplog.text
    assert resident.resident_code not in caplog.text and "上尾" not in caplog.text, "logged without content"


def test_a_request_sealed_to_another_key_or_for_another_path_is_refused(
    counter: User,
    reviewer: User,
    number_service: jlis.RunningSimulator,
    network: RunningSimulator,
    key_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    resident = _resident(counter, reviewer)
    update_copies()
    real = (key_dir / PEER_SEAL_PUBLIC).read_text()
    peer_sealed.write_public(key_dir / PEER_SEAL_PUBLIC, X25519PrivateKey.generate().public_key())
    with caplog.at_level(logging.WARNING, logger="peers.provision_network.server"):
        assert obtain_codes().obtained == 0
    assert CodeRecord.objects.get().last_error == "unknown_key", "the network's stable code, answered signed"
    assert network.book.refused == {"unknown_key": 1} and network.book.processing == {}
    assert "refused POST /codes: unknown_key" in caplog.text and resident.resident_code not in caplog.text

    (key_dir / PEER_SEAL_PUBLIC).write_text(real)
    body = json.dumps({"processing_no": f"{OUR}-000000000099", "agency": OUR, "resident_code": "12345678901"})
    peer = sealing.peer_key(PEER_SEAL_PUBLIC, "test")
    wrong_place = sealing.seal(body.encode(), peer, sealing.request_context("POST", "/codes"))
    signed = signing.sign_request(signing.own_key(), "POST", "/inquiries", wrong_place)
    request = urllib.request.Request(
        network.url + "/inquiries", data=wrong_place, headers=signed.as_dict(), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # nosec B310 - the local simulator
    answer = refused.value.read()
    refused.value.close()
    assert refused.value.code == 400
    opened = sealing.open_sealed(answer, sealing.own_key(), sealing.answer_context(400, signed.signature))
    assert json.loads(opened) == {"error": "undecryptable"}, "a body sealed for /codes does not open at /inquiries"
    assert network.book.refused == {"unknown_key": 1, "undecryptable": 1} and network.book.inquiries == {}


def test_a_body_that_is_not_sealed_is_refused(network: RunningSimulator, key_dir: Path) -> None:
    body = json.dumps({"inquiry_id": "X", "status": "not_found"}).encode()
    signed = signing.sign_request(signing.own_key(), "POST", "/answers", body)
    request = urllib.request.Request(network.url + "/answers", data=body, headers=signed.as_dict(), method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # nosec B310 - the local simulator
    answer = refused.value.read()
    refused.value.close()
    opened = sealing.open_sealed(answer, sealing.own_key(), sealing.answer_context(400, signed.signature))
    assert json.loads(opened) == {"error": "not_sealed"}


def test_sealing_refuses_what_does_not_open() -> None:
    key = X25519PrivateKey.generate()
    context = sealing.request_context("POST", "/codes")
    body = sealing.seal(b'{"a": 1}', key.public_key(), context)
    assert sealing.open_sealed(body, key, context) == b'{"a": 1}'
    assert body != sealing.seal(b'{"a": 1}', key.public_key(), context), "a fresh ephemeral key per message"
    envelope = json.loads(body)
    for broken, code in (
        (b"not json", "not_sealed"),
        (b"[]", "not_sealed"),
        (json.dumps({**envelope, "sealed": "v0"}).encode(), "not_sealed"),
        (json.dumps({**envelope, "kid": "0" * 16}).encode(), "unknown_key"),
        (json.dumps({**envelope, "ct": envelope["ct"][:-4] + "AAAA"}).encode(), "undecryptable"),
        (json.dumps({**envelope, "ct": "***"}).encode(), "undecryptable"),
    ):
        with pytest.raises(sealing.SealError) as refused:
            sealing.open_sealed(broken, key, context)
        assert refused.value.code == code
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(body, key, sealing.request_context("POST", "/answers"))
    assert peer_sealed.open_sealed(body, key, context) == b'{"a": 1}', "the simulator reads the same format"


def test_an_answer_in_clear_is_refused(
    counter: User, reviewer: User, number_service: jlis.RunningSimulator, network: RunningSimulator
) -> None:
    _resident(counter, reviewer)
    update_copies()
    network.server.client_seal_key = None  # a network that forgets to seal its answers
    assert obtain_codes().obtained == 0
    record = CodeRecord.objects.get()
    assert record.last_error == "peer_not_sealed" and not record.code
