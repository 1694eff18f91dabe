"""Mutual authentication with the 住基ネット peers: Ed25519 signatures on every request and
every answer (docs/jukinet.md, "Signatures").

Key files, in ``JUMIN_JUKINET_KEY_DIR`` (default ``$JUMIN_VAR_DIR/jukinet``):

``cs_ed25519.key``          our private key (URL-safe base64 of the 32-byte seed), generated on
                            first use with owner-only permissions, never committed
``cs_ed25519.pub``          our public key (base64 of 32 bytes): give it to the prefecture
``prefecture_ed25519.pub``  the prefecture server's public key: put there by the operator
                            (``python -m peers.prefecture --key-dir`` writes it for the demo)
``municipality_ed25519.pub`` the key of the network that carries 転入通知 between
                            municipalities (``python -m peers.municipality --key-dir``)

What is signed (UTF-8, lines joined by ``\\n``)::

    request:  jukinet-request-v1, METHOD, PATH, TIMESTAMP, KEY-ID, SHA-256(body) hex
    response: jukinet-response-v1, STATUS, TIMESTAMP, KEY-ID, REQUEST-SIGNATURE, SHA-256(body) hex

The answer names the request's signature, so an answer cannot be replayed to another request.
TIMESTAMP is Unix seconds; a message more than ``MAX_SKEW`` seconds off is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from jumin.core.errors import DomainError

OWN_KEY = "cs_ed25519.key"
OWN_PUBLIC = "cs_ed25519.pub"
PEER_PUBLIC = "prefecture_ed25519.pub"
MUNICIPALITY_PUBLIC = "municipality_ed25519.pub"  # the 住基ネット relay to other municipalities
MAX_SKEW = 300  # seconds

KEY_ID = "X-Jukinet-Key-Id"
TIMESTAMP = "X-Jukinet-Timestamp"
SIGNATURE = "X-Jukinet-Signature"


def key_dir() -> Path:
    configured = str(getattr(settings, "JUMIN_JUKINET_KEY_DIR", "") or os.environ.get("JUMIN_JUKINET_KEY_DIR", ""))
    path = Path(configured) if configured else Path(settings.VAR_DIR) / "jukinet"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_bytes(key)).hexdigest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.strip().encode())


def own_key() -> Ed25519PrivateKey:
    """Our signing key, generated on first use (and its public half written beside it)."""
    directory = key_dir()
    path = directory / OWN_KEY
    if not path.exists():
        seed = os.urandom(32)
        temporary = directory / f".{OWN_KEY}.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(_b64(seed) + "\n")
        try:
            os.link(temporary, path)  # first writer wins when two processes start together
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    try:
        key = Ed25519PrivateKey.from_private_bytes(_unb64(path.read_text(encoding="ascii")))
    except (ValueError, binascii.Error):
        raise DomainError("jukinet.bad_key", f"市町村CSの署名鍵（{OWN_KEY}）が壊れています。") from None
    public = directory / OWN_PUBLIC
    if not public.exists():
        public.write_text(_b64(public_bytes(key.public_key())) + "\n", encoding="ascii")
    return key


def peer_key(filename: str = PEER_PUBLIC, label: str = "都道府県サーバ") -> Ed25519PublicKey:
    path = key_dir() / filename
    if not path.exists():
        raise DomainError(
            "jukinet.peer_key_missing",
            f"{label}の公開鍵（{filename}）がありません。鍵の置き場所は docs/jukinet.md を参照してください。",
        )
    try:
        return Ed25519PublicKey.from_public_bytes(_unb64(path.read_text(encoding="ascii")))
    except (ValueError, binascii.Error):
        raise DomainError("jukinet.bad_key", f"{label}の公開鍵（{filename}）が壊れています。") from None


def request_message(method: str, path: str, timestamp: str, kid: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join(("jukinet-request-v1", method, path, timestamp, kid, digest)).encode()


def response_message(status: int, timestamp: str, kid: str, request_signature: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join(("jukinet-response-v1", str(status), timestamp, kid, request_signature, digest)).encode()


@dataclass(frozen=True)
class SignedHeaders:
    key_id: str
    timestamp: str
    signature: str

    def as_dict(self) -> dict[str, str]:
        return {KEY_ID: self.key_id, TIMESTAMP: self.timestamp, SIGNATURE: self.signature}


def sign_request(key: Ed25519PrivateKey, method: str, path: str, body: bytes) -> SignedHeaders:
    kid, timestamp = key_id(key.public_key()), str(int(time.time()))
    signature = _b64(key.sign(request_message(method, path, timestamp, kid, body)))
    return SignedHeaders(kid, timestamp, signature)


class BadSignatureError(Exception):
    """An answer whose signature, key or timestamp does not check out (the text is a code)."""


def verify_response(
    key: Ed25519PublicKey, status: int, headers: dict[str, str], request_signature: str, body: bytes
) -> None:
    kid, timestamp, signature = (headers.get(h.lower(), "") for h in (KEY_ID, TIMESTAMP, SIGNATURE))
    if kid != key_id(key):
        raise BadSignatureError("unknown_key")
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > MAX_SKEW:
        raise BadSignatureError("stale_timestamp")
    try:
        key.verify(_unb64(signature), response_message(status, timestamp, kid, request_signature, body))
    except (InvalidSignature, ValueError, binascii.Error):
        raise BadSignatureError("bad_signature") from None


def verify_request(
    key: Ed25519PublicKey, method: str, path: str, headers: dict[str, str], body: bytes, *, now: float | None = None
) -> str:
    """A request a 住基ネット peer signed (the relay asking our CS): its signature, once the key
    id, the timestamp and the signature check out (BadSignatureError with a code otherwise)."""
    kid, timestamp, signature = (headers.get(h.lower(), "") for h in (KEY_ID, TIMESTAMP, SIGNATURE))
    if kid != key_id(key):
        raise BadSignatureError("unknown_key")
    current = time.time() if now is None else now
    if not timestamp.isdigit() or abs(int(timestamp) - current) > MAX_SKEW:
        raise BadSignatureError("stale_timestamp")
    try:
        key.verify(_unb64(signature), request_message(method, path, timestamp, kid, body))
    except (InvalidSignature, ValueError, binascii.Error):
        raise BadSignatureError("bad_signature") from None
    return signature


def sign_response(key: Ed25519PrivateKey, status: int, request_signature: str, body: bytes) -> SignedHeaders:
    """Our answer to a signed request, bound to that request's signature."""
    kid, timestamp = key_id(key.public_key()), str(int(time.time()))
    signature = _b64(key.sign(response_message(status, timestamp, kid, request_signature, body)))
    return SignedHeaders(kid, timestamp, signature)
