"""Verifiable copies (beyond the standard): every certificate carries a QR code with its
発行番号 and an Ed25519 signature over it, so a printed copy can be checked on the public
verification page (``/verify/``) without any personal data leaving the register.

The signed message is ``jumin-certificate/1``, the 発行番号 (without its page part), the
issue date and the kind — nothing about the person.  The private key is ``signing_key`` of
``var/secrets.json`` (or ``JUMIN_SIGNING_KEY``); the public key is shown on the
verification page."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

DEFAULT_VERIFY_URL = "http://127.0.0.1:8000/verify/"
_served: ContextVar[str] = ContextVar("jumin_verify_served", default="")


@contextmanager
def served_at(base: str) -> Iterator[None]:
    """Issue under the verification page of the host and port that served the request (the
    screens and the API wrap their calls): used when ``JUMIN_VERIFY_URL`` is not set."""
    token = _served.set(base)
    try:
        yield
    finally:
        _served.reset(token)


def verification_base() -> str:
    """``JUMIN_VERIFY_URL`` (the public address, production), else the served page, else the
    address ``make run`` serves."""
    return getattr(settings, "JUMIN_VERIFY_URL", "") or _served.get() or DEFAULT_VERIFY_URL


def _private() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(settings.SECRETS.signing_key)


def public_key() -> Ed25519PublicKey:
    return _private().public_key()


def public_key_text() -> str:
    raw = public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def message(issue_no: str, issued_on: date, kind: str) -> bytes:
    return "\n".join(("jumin-certificate/1", issue_no, issued_on.isoformat(), kind)).encode()


def sign(issue_no: str, issued_on: date, kind: str) -> str:
    signature = _private().sign(message(issue_no, issued_on, kind))
    return base64.urlsafe_b64encode(signature).decode().rstrip("=")


def valid(signature: str, issue_no: str, issued_on: date, kind: str) -> bool:
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        public_key().verify(raw, message(issue_no, issued_on, kind))
    except (InvalidSignature, ValueError):
        return False
    return True


def verification_url(issue_no: str, signature: str) -> str:
    """What the QR code holds: the verification page with the 発行番号 and signature."""
    return f"{verification_base()}?{urlencode({'n': issue_no, 's': signature})}"
