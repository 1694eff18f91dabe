"""The simulated J-LIS 認証局 of the 個人番号カード and the cards it issues (real crypto).

* The CA: an ECDSA P-256 key and a self-signed X.509 root (CA:TRUE, keyCertSign, cRLSign).
* A card: its own ECDSA P-256 key pair (the private half "never leaves the card": only
  :meth:`Card.read` uses it) and a 署名用電子証明書-like X.509 certificate for that key, issued
  by the CA, carrying the 4情報 in ``subjectAltName`` as four ``otherName`` entries (OIDs below,
  each value a DER UTF8String) — as the real 署名用電子証明書 does.  The certificate carries no
  個人番号.
* The 券面事項 record: 氏名, 住所, 生年月日, 性別, 個人番号, the certificate's serial and the
  card's validity, as canonical JSON (keys sorted, UTF-8, no spaces) signed by the CA
  (ECDSA P-256 / SHA-256, DER signature, base64).  It stands for the 券面事項入力補助AP.
* Revocation: :meth:`CertificateAuthority.revoke` and :meth:`CertificateAuthority.crl`, an X.509
  CRL signed by the CA.

:meth:`Card.read` is what a card reader hands the counter: JSON with the certificate (PEM),
the 券面事項 and its signature, the challenge and the card's signature of it.  The card signs
``b"jpki-sim-challenge-v1\\n" + challenge`` (UTF-8), so a card signature over anything else is
never taken for a challenge answer.

PIN (利用者証明用電子証明書, 4 digits): :meth:`Card.read` with ``pin=`` checks it on the card; the
card counts consecutive failures and locks after :data:`PIN_TRIES` (:class:`PinError`, with the
tries left); a correct PIN resets the count; only :meth:`Card.unlock` (the municipal counter)
clears a lock.  ``pin=None`` is the counter's reader, which does not ask for it.
Suspension (一時停止, :meth:`CertificateAuthority.suspend`) puts the serial on the CRL with the
reason ``certificateHold``; :meth:`CertificateAuthority.resume` takes it off again.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# 4情報 in subjectAltName/otherName: a UUID-based arc (ITU-T X.667, 2.25.<uuid>) that needs no
# registration; the real JPKI OIDs are not used, so nothing mistakes a simulated card for a real one.
ARC = "2.25.229542157406846474384717051063094584173"
OID_NAME = x509.ObjectIdentifier(f"{ARC}.1")
OID_ADDRESS = x509.ObjectIdentifier(f"{ARC}.2")
OID_BIRTH = x509.ObjectIdentifier(f"{ARC}.3")
OID_SEX = x509.ObjectIdentifier(f"{ARC}.4")
FOUR_ITEMS = {OID_NAME: "name", OID_ADDRESS: "address", OID_BIRTH: "birth", OID_SEX: "sex"}

READER_FORMAT = "jpki-sim-reader-v1"
CHALLENGE_PREFIX = b"jpki-sim-challenge-v1\n"
SIGNATURE = ec.ECDSA(hashes.SHA256())


def der_utf8(text: str) -> bytes:
    """DER of an ASN.1 UTF8String (tag 12)."""
    raw = text.encode()
    size = len(raw)
    if size < 0x80:
        length = bytes([size])
    else:
        octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return b"\x0c" + length + raw


def parse_der_utf8(raw: bytes) -> str:
    """The text of a DER UTF8String (ValueError for anything else)."""
    if len(raw) < 2 or raw[0] != 0x0C:
        raise ValueError("not a UTF8String")
    first = raw[1]
    if first < 0x80:
        size, start = first, 2
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(raw) < 2 + count:
            raise ValueError("bad length")
        size, start = int.from_bytes(raw[2 : 2 + count], "big"), 2 + count
    if len(raw) != start + size:
        raise ValueError("bad length")
    return raw[start:].decode()


def canonical(record: dict[str, Any]) -> bytes:
    """The signed form of a 券面事項 record."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


PIN_TRIES = 3


class PinError(Exception):
    """A wrong PIN (``remaining`` tries left) or a locked PIN (``remaining`` == 0)."""

    def __init__(self, code: str, remaining: int) -> None:
        super().__init__(code)
        self.code = code
        self.remaining = remaining


@dataclass
class Card:
    """One issued card: its key, certificate and signed 券面事項 (and its PIN counter)."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    face: dict[str, Any]
    face_signature: bytes
    pin: str = "1234"
    pin_failures: int = 0

    @property
    def pin_locked(self) -> bool:
        return self.pin_failures >= PIN_TRIES

    def check_pin(self, pin: str) -> None:
        """Count a failure or reset the count (:class:`PinError` when wrong or locked)."""
        if self.pin_locked:
            raise PinError("pin_locked", 0)
        if pin != self.pin:
            self.pin_failures += 1
            remaining = PIN_TRIES - self.pin_failures
            raise PinError("pin_locked" if remaining == 0 else "pin_incorrect", remaining)
        self.pin_failures = 0

    def unlock(self, new_pin: str | None = None) -> None:
        self.pin_failures = 0
        if new_pin is not None:
            self.pin = new_pin

    @property
    def serial(self) -> int:
        return self.certificate.serial_number

    def sign_challenge(self, challenge: str) -> bytes:
        return self.key.sign(CHALLENGE_PREFIX + challenge.encode(), SIGNATURE)

    def read(self, challenge: str, *, pin: str | None = None) -> dict[str, Any]:
        """What the card reader returns for ``challenge`` (see the module docstring); with
        ``pin`` the card checks it first (:class:`PinError`)."""
        if pin is not None:
            self.check_pin(pin)
        return {
            "format": READER_FORMAT,
            "certificate": self.certificate.public_bytes(serialization.Encoding.PEM).decode(),
            "card_face": dict(self.face),
            "card_face_signature": _b64(self.face_signature),
            "challenge": challenge,
            "challenge_signature": _b64(self.sign_challenge(challenge)),
        }


@dataclass
class CertificateAuthority:
    """The simulated 認証局: its key, its root certificate and the revoked serials."""

    name: str = "JPKI Simulator CA"
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    revoked: dict[int, dt.datetime] = field(default_factory=dict)
    suspended: set[int] = field(default_factory=set)
    certificate: x509.Certificate = field(init=False)

    def __post_init__(self) -> None:
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "jumin peers (simulator)"),
                x509.NameAttribute(NameOID.COMMON_NAME, self.name),
            ]
        )
        now = _now()
        public = self.key.public_key()
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue_card(
        self,
        *,
        name: str,
        address: str,
        birth: str,
        sex: str,
        individual_number: str,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
    ) -> Card:
        """A new card for these 券面事項 (``sex`` as printed: 男 / 女).  Validity defaults to
        yesterday … in five years; pass dates in the past to make an expired card."""
        start = not_before or _now() - dt.timedelta(days=1)
        end = not_after or start + dt.timedelta(days=5 * 365)
        key = ec.generate_private_key(ec.SECP256R1())
        serial = x509.random_serial_number()
        items = {"name": name, "address": address, "birth": birth, "sex": sex}
        alt_names = [x509.OtherName(oid, der_utf8(items[label])) for oid, label in FOUR_ITEMS.items()]
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"JPKI-SIM {serial:x}")]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        face = {
            **items,
            "individual_number": individual_number,
            "certificate_serial": f"{serial:x}",
            "valid_until": end.date().isoformat(),
        }
        return Card(key, certificate, face, self.sign_face(face))

    def sign_face(self, face: dict[str, Any]) -> bytes:
        return self.key.sign(canonical(face), SIGNATURE)

    def revoke(self, card: Card | int, *, at: dt.datetime | None = None) -> None:
        """Put the card's certificate on the revocation list (失効)."""
        serial = card.serial if isinstance(card, Card) else card
        self.revoked[serial] = at or _now()
        self.suspended.discard(serial)

    def suspend(self, card: Card | int, *, at: dt.datetime | None = None) -> None:
        """一時停止: on the CRL with the reason certificateHold until :meth:`resume`."""
        serial = card.serial if isinstance(card, Card) else card
        if serial not in self.revoked:
            self.revoked[serial] = at or _now()
            self.suspended.add(serial)

    def resume(self, card: Card | int) -> None:
        serial = card.serial if isinstance(card, Card) else card
        if serial in self.suspended:
            self.suspended.discard(serial)
            del self.revoked[serial]

    def crl(
        self, *, next_update: dt.timedelta = dt.timedelta(days=1), age: dt.timedelta = dt.timedelta(0)
    ) -> x509.CertificateRevocationList:
        """The CRL, signed by the CA: issued ``age`` ago (a minute by default), valid until
        ``next_update`` after that (an old one, for a "stale CRL" test: ``age`` > ``next_update``)."""
        issued = _now() - age - dt.timedelta(minutes=1)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(issued)
            .next_update(issued + next_update)
        )
        for serial, when in sorted(self.revoked.items()):
            entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
            if serial in self.suspended:
                entry = entry.add_extension(x509.CRLReason(x509.ReasonFlags.certificate_hold), critical=False)
            builder = builder.add_revoked_certificate(entry.build())
        return builder.sign(self.key, hashes.SHA256())

    def crl_pem(self, **kwargs: Any) -> bytes:
        return self.crl(**kwargs).public_bytes(serialization.Encoding.PEM)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
