"""The check of an application's signature (署名用電子証明書, ECDSA P-256 / SHA-256).

In this order: the form of the 申請データ (``eapp-sim-v1``), the certificate was issued by the
trusted 認証局 (``jpki_ca.pem``, the trust anchor of the 本人確認 screen), the card's signature
over the signed content (``peers.eapplication.server.signed_content``: the same bytes are built
here, independently), each attachment's data against its SHA-256, the certificate's validity,
the CRL (``JUMIN_JPKI_CRL_URL`` or ``jpki_crl.pem``; no usable CRL raises, fail closed).  The
4情報 come from the certificate's subjectAltName (``identity_check.four_items``)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from jumin.applications.models import SignatureCheck
from jumin.jukinet.identity_check import current_crl, four_items, trusted_ca

FORMAT = "eapp-sim-v1"
SIGNED_PREFIX = b"eapp-sim-application-v1\n"


@dataclass(frozen=True)
class Checked:
    outcome: str
    items: dict[str, str] = field(default_factory=dict)  # the 4情報 of the certificate


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signed_content(application: dict[str, Any]) -> bytes:
    attachments = [
        {k: a.get(k) for k in ("name", "content_type", "sha256")} for a in application.get("attachments", [])
    ]
    content = {k: application.get(k) for k in ("application_id", "procedure", "submitted_at", "form")}
    return SIGNED_PREFIX + canonical({**content, "attachments": attachments})


def _issued_by(certificate: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(ca)
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    return not constraints.ca


def _attachments_intact(application: dict[str, Any]) -> bool:
    for attachment in application.get("attachments", []):
        try:
            data = base64.b64decode(str(attachment.get("data", "")), validate=True)
        except (ValueError, binascii.Error):
            return False
        if hashlib.sha256(data).hexdigest() != attachment.get("sha256"):
            return False
    return True


def well_formed(application: Any) -> bool:
    if not isinstance(application, dict) or application.get("format") != FORMAT:
        return False
    signature = application.get("signature")
    return (
        isinstance(application.get("form"), dict)
        and isinstance(application.get("attachments", []), list)
        and all(isinstance(a, dict) for a in application.get("attachments", []))
        and isinstance(signature, dict)
        and all(isinstance(signature.get(k), str) for k in ("certificate", "value"))
    )


def check(application: dict[str, Any], now: dt.datetime) -> Checked:
    """The outcome (a :class:`SignatureCheck` value) and the certificate's 4情報."""
    if not well_formed(application):
        return Checked(SignatureCheck.BAD_FORMAT)
    signature = application["signature"]
    try:
        certificate = x509.load_pem_x509_certificate(signature["certificate"].encode())
        value = base64.b64decode(signature["value"], validate=True)
    except (ValueError, binascii.Error):
        return Checked(SignatureCheck.BAD_FORMAT)
    ca = trusted_ca()
    if not _issued_by(certificate, ca):
        return Checked(SignatureCheck.UNTRUSTED)
    items = four_items(certificate)
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return Checked(SignatureCheck.UNTRUSTED)
    try:
        key.verify(value, signed_content(application), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return Checked(SignatureCheck.TAMPERED, items)
    if not _attachments_intact(application):
        return Checked(SignatureCheck.TAMPERED, items)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        return Checked(SignatureCheck.EXPIRED, items)
    if current_crl(ca, now).get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
        return Checked(SignatureCheck.REVOKED, items)
    return Checked(SignatureCheck.VALID, items)
