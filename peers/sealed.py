"""The simulators' side of the application-level encryption of jumin.linkage.sealing (standard
library plus ``cryptography``; no jumin import): HPKE (RFC 9180) base mode, DHKEM(X25519,
HKDF-SHA256), HKDF-SHA256, AES-256-GCM, to the recipient's X25519 key, the ``info`` binding the
body to its request (``jumin-seal-v1 / request / METHOD / PATH``) or answer (``jumin-seal-v1 /
answer / STATUS / REQUEST-SIGNATURE``).  A sealed body is ``{"sealed": "jumin-seal-v1", "kid",
"ct"}`` (docs/number-exchange.md, "Encryption")."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

VERSION = "jumin-seal-v1"
CONTENT_TYPE = "application/vnd.jumin.sealed+json"
SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)


class SealError(Exception):
    """``not_sealed`` / ``unknown_key`` / ``undecryptable``; never any of the content."""


def key_id(key: X25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def request_context(method: str, path: str) -> bytes:
    return "\n".join((VERSION, "request", method, path)).encode()


def answer_context(status: int, request_signature: str) -> bytes:
    return "\n".join((VERSION, "answer", str(status), request_signature)).encode()


def seal(plaintext: bytes, recipient: X25519PublicKey, context: bytes) -> bytes:
    ciphertext = SUITE.encrypt(plaintext, recipient, info=context)
    envelope = {"sealed": VERSION, "kid": key_id(recipient), "ct": base64.urlsafe_b64encode(ciphertext).decode()}
    return json.dumps(envelope, sort_keys=True).encode()


def open_sealed(body: bytes, key: X25519PrivateKey, context: bytes) -> bytes:
    try:
        envelope = json.loads(body)
    except ValueError:
        raise SealError("not_sealed") from None
    if not isinstance(envelope, dict) or envelope.get("sealed") != VERSION or not isinstance(envelope.get("ct"), str):
        raise SealError("not_sealed")
    if envelope.get("kid") != key_id(key.public_key()):
        raise SealError("unknown_key")
    try:
        return SUITE.decrypt(base64.urlsafe_b64decode(envelope["ct"].encode()), key, info=context)
    except (InvalidTag, ValueError, binascii.Error):
        raise SealError("undecryptable") from None


def load_public(path: Path) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip()))


def write_public(path: Path, key: X25519PublicKey) -> None:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    path.write_text(base64.urlsafe_b64encode(raw).decode() + "\n", encoding="ascii")


def load_or_create_key(path: Path) -> X25519PrivateKey:
    """The simulator's own decryption key, created (mode 0600) on first use."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")
    return X25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip()))
