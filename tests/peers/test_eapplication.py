"""The 電子申請 simulator itself (peers.eapplication): its applications verify with the
``cryptography`` primitives directly (no jumin code), and its command line starts both fronts."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from peers.eapplication import ApplicationBook
from peers.eapplication.server import OWN_PUBLIC, signed_content
from peers.jpki.authority import SIGNATURE, CertificateAuthority

ROOT = Path(__file__).resolve().parents[2]
FACE = {
    "name": "上尾\u3000太郎",
    "address": "埼玉県上尾市本町三丁目1番1号",
    "birth": "昭和55年4月1日",
    "sex": "男",
    "individual_number": "123456789018",
}


def test_an_application_is_signed_by_the_card_and_changes_are_sequenced() -> None:
    book = ApplicationBook()
    card = CertificateAuthority().issue_card(**FACE)
    first = book.submit(
        card, "move_out", {"planned_move_out_on": "2026-12-10"}, attachments=[("a.pdf", "application/pdf", b"%PDF")]
    )
    application = book.applications[first]
    certificate = x509.load_pem_x509_certificate(application["signature"]["certificate"].encode())
    value = base64.b64decode(application["signature"]["value"])
    certificate.public_key().verify(value, signed_content(application), SIGNATURE)  # type: ignore[call-arg, union-attr]
    assert "123456789018" not in str(application), "no 個人番号 in the application"
    changed = {**application, "form": {"planned_move_out_on": "2026-12-11"}}
    with pytest.raises(InvalidSignature):
        certificate.public_key().verify(value, signed_content(changed), SIGNATURE)  # type: ignore[call-arg, union-attr]

    second = book.submit(card, "move_in_reservation", {})
    assert [a["application_id"] for a in book.changes(0)[0]] == [first, second]
    assert book.withdraw(first) and [a["application_id"] for a in book.changes(2)[0]] == [first]
    assert book.changes(3) == ([], 3)
    assert not book.withdraw("EA99999999")


def test_the_command_line_writes_the_keys_and_the_trust_anchor(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "peers.eapplication", "--port", "0", "--jpki-port", "0", "--key-dir", str(tmp_path)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        assert "電子申請 simulator" in process.stderr.readline()
        assert (tmp_path / OWN_PUBLIC).exists()
        x509.load_pem_x509_certificate((tmp_path / "jpki_ca.pem").read_bytes())
        x509.load_pem_x509_crl((tmp_path / "jpki_crl.pem").read_bytes())
    finally:
        process.terminate()
        process.wait(timeout=10)
