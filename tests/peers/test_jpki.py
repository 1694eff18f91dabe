"""The J-LIS 認証局 simulator itself (peers.jpki): real X.509 and ECDSA, checked with the
``cryptography`` primitives directly (no jumin code), and its HTTP front over real HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from peers.jpki import CertificateAuthority, RunningSimulator, running
from peers.jpki.authority import (
    CHALLENGE_PREFIX,
    FOUR_ITEMS,
    SIGNATURE,
    canonical,
    der_utf8,
    parse_der_utf8,
)

ROOT = Path(__file__).resolve().parents[2]
FACE = {
    "name": "上尾\u3000太郎",
    "address": "埼玉県上尾市本町三丁目1番1号",
    "birth": "昭和55年4月1日",
    "sex": "男",
    "individual_number": "123456789018",
}


def test_a_card_is_issued_by_the_ca_with_the_four_items() -> None:
    ca = CertificateAuthority()
    card = ca.issue_card(**FACE)
    card.certificate.verify_directly_issued_by(ca.certificate)
    constraints = ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca and not card.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    names = card.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    items = {FOUR_ITEMS[o.type_id]: parse_der_utf8(o.value) for o in names.get_values_for_type(x509.OtherName)}
    assert items == {k: FACE[k] for k in ("name", "address", "birth", "sex")}
    assert FACE["individual_number"].encode() not in card.certificate.public_bytes(serialization.Encoding.DER)
    assert card.face["certificate_serial"] == f"{card.serial:x}"
    with pytest.raises(InvalidSignature):
        card.certificate.verify_directly_issued_by(CertificateAuthority().certificate)


def test_the_reader_output_carries_verifiable_signatures() -> None:
    ca = CertificateAuthority()
    card = ca.issue_card(**FACE)
    read = card.read("nonce-1")
    certificate = x509.load_pem_x509_certificate(read["certificate"].encode())
    key = certificate.public_key()
    key.verify(base64.b64decode(read["challenge_signature"]), CHALLENGE_PREFIX + b"nonce-1", SIGNATURE)  # type: ignore[call-arg, union-attr]
    ca.certificate.public_key().verify(  # type: ignore[call-arg, union-attr]
        base64.b64decode(read["card_face_signature"]), canonical(read["card_face"]), SIGNATURE
    )
    with pytest.raises(InvalidSignature):
        key.verify(base64.b64decode(read["challenge_signature"]), CHALLENGE_PREFIX + b"nonce-2", SIGNATURE)  # type: ignore[call-arg, union-attr]


def test_revocation_list() -> None:
    ca = CertificateAuthority()
    kept, lost = ca.issue_card(**FACE), ca.issue_card(**FACE)
    ca.revoke(lost)
    crl = x509.load_pem_x509_crl(ca.crl_pem())
    assert crl.is_signature_valid(ca.certificate.public_key())  # type: ignore[arg-type]
    assert crl.get_revoked_certificate_by_serial_number(lost.serial) is not None
    assert crl.get_revoked_certificate_by_serial_number(kept.serial) is None
    assert crl.next_update_utc is not None and crl.next_update_utc > dt.datetime.now(dt.UTC)
    stale = ca.crl(age=dt.timedelta(days=2))
    assert stale.next_update_utc is not None and stale.next_update_utc < dt.datetime.now(dt.UTC)


@pytest.mark.parametrize("text", ["", "上尾", "あ" * 200])
def test_der_utf8_round_trip(text: str) -> None:
    assert parse_der_utf8(der_utf8(text)) == text


@pytest.mark.parametrize("raw", [b"", b"\x04\x01a", b"\x0c\x05ab", b"\x0c\x81"])
def test_der_utf8_refuses_other_values(raw: bytes) -> None:
    with pytest.raises(ValueError):
        parse_der_utf8(raw)


@pytest.fixture(scope="module")
def jpki() -> Iterator[RunningSimulator]:
    with running() as simulator:
        yield simulator


def _call(simulator: RunningSimulator, path: str, body: Any = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(simulator.url + path, data=data, method="POST" if data is not None else "GET")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def test_the_http_service(jpki: RunningSimulator) -> None:
    status, pem = _call(jpki, "/ca.pem")
    assert status == 200 and x509.load_pem_x509_certificate(pem) == jpki.authority.certificate
    status, raw = _call(jpki, "/cards", FACE)
    serial = json.loads(raw)["serial"]
    status, raw = _call(jpki, f"/cards/{serial}/read", {"challenge": "abc"})
    read = json.loads(raw)
    assert status == 200 and read["challenge"] == "abc" and read["card_face"]["name"] == FACE["name"]
    status, raw = _call(jpki, f"/cards/{serial}/revoke", {})
    assert status == 200
    status, raw = _call(jpki, "/crl.pem")
    assert x509.load_pem_x509_crl(raw).get_revoked_certificate_by_serial_number(int(serial, 16)) is not None
    assert _call(jpki, "/cards/ffff/read", {"challenge": "x"})[0] == 404
    assert _call(jpki, "/cards", {"name": "x"})[0] == 400
    assert _call(jpki, f"/cards/{serial}/read", {})[0] == 400
    assert _call(jpki, "/nothing")[0] == 404
    assert json.loads(_call(jpki, "/health")[1]) == {"status": "ok"}


def test_the_command_line_writes_the_trust_anchor(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "peers.jpki", "--port", "0", "--key-dir", str(tmp_path)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert "JPKI" in line
        x509.load_pem_x509_certificate((tmp_path / "jpki_ca.pem").read_bytes())
        x509.load_pem_x509_crl((tmp_path / "jpki_crl.pem").read_bytes())
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_card_counts_pin_failures_and_locks() -> None:
    from peers.jpki import PinError

    card = CertificateAuthority().issue_card(**FACE)
    with pytest.raises(PinError) as wrong:
        card.read("n", pin="0000")
    assert (wrong.value.code, wrong.value.remaining) == ("pin_incorrect", 2)
    assert card.read("n", pin="1234")["challenge"] == "n" and card.pin_failures == 0  # reset by a good PIN
    for _ in range(2):
        with pytest.raises(PinError):
            card.read("n", pin="0000")
    with pytest.raises(PinError) as locked:
        card.read("n", pin="0000")
    assert (locked.value.code, locked.value.remaining) == ("pin_locked", 0)
    with pytest.raises(PinError):
        card.read("n", pin="1234")  # locked: the right PIN does not open it
    assert card.read("n")["challenge"] == "n"  # the counter's reader asks for no PIN
    card.unlock()
    assert card.read("n", pin="1234")["challenge"] == "n"


def test_a_suspended_card_is_on_hold_in_the_crl_until_resumed() -> None:
    ca = CertificateAuthority()
    card = ca.issue_card(**FACE)
    ca.suspend(card)
    entry = x509.load_pem_x509_crl(ca.crl_pem()).get_revoked_certificate_by_serial_number(card.serial)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.certificate_hold
    ca.resume(card)
    assert x509.load_pem_x509_crl(ca.crl_pem()).get_revoked_certificate_by_serial_number(card.serial) is None
    ca.suspend(card)
    ca.revoke(card)  # a revocation is final: no hold reason, resume does nothing
    ca.resume(card)
    entry = x509.load_pem_x509_crl(ca.crl_pem()).get_revoked_certificate_by_serial_number(card.serial)
    assert entry is not None and not list(entry.extensions)
