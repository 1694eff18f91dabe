"""Application-level encryption of the messages exchanged with the 情報提供ネットワークシステム
(docs/number-exchange.md, "Encryption"): データ送受信の暗号化 on top of the Ed25519 signatures.

Every request body we send and every answer we receive is sealed with HPKE (RFC 9180, base
mode, the ``cryptography`` implementation): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM,
to the recipient's X25519 public key, a fresh ephemeral key per message.  The HPKE ``info``
binds the ciphertext to where it belongs, so a sealed body cannot be replayed elsewhere::

    request:  jumin-seal-v1, "request", METHOD, PATH
    answer:   jumin-seal-v1, "answer", STATUS, REQUEST-SIGNATURE

The sealed body is JSON ``{"sealed": "jumin-seal-v1", "kid": <recipient key id>, "ct":
<base64url of enc ‖ ciphertext>}`` with the content type :data:`CONTENT_TYPE`; the signature
is made over that body (encrypt, then sign), so tampering is refused by the signature check
and a body that does not open is refused by :func:`open_sealed` with a stable code.

Key files, beside the signing keys in ``JUMIN_JUKINET_KEY_DIR`` (never in the database):

``cs_x25519.key``                   our private key (base64url of 32 bytes), created on first
                                    use with owner-only permissions
``cs_x25519.pub``                   our public key: give it to the network
``provision_network_x25519.pub``    the network's public key: put there by the operator
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from jumin.core.errors import DomainError
from jumin.linkage.signing import key_dir

OWN_KEY = "cs_x25519.key"
OWN_PUBLIC = "cs_x25519.pub"
VERSION = "jumin-seal-v1"
CONTENT_TYPE = "application/vnd.jumin.sealed+json"
SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)


class SealError(Exception):
    """A body that is not sealed, sealed to another key, or does not open (the text is a code
    and never holds any of the content)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def public_bytes(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: X25519PublicKey) -> str:
    return hashlib.sha256(public_bytes(key)).hexdigest()[:16]


def request_context(method: str, path: str) -> bytes:
    return "\n".join((VERSION, "request", method, path)).encode()


def answer_context(status: int, request_signature: str) -> bytes:
    return "\n".join((VERSION, "answer", str(status), request_signature)).encode()


def seal(plaintext: bytes, recipient: X25519PublicKey, context: bytes) -> bytes:
    ciphertext = SUITE.encrypt(plaintext, recipient, info=context)
    envelope = {"sealed": VERSION, "kid": key_id(recipient), "ct": base64.urlsafe_b64encode(ciphertext).decode()}
    return json.dumps(envelope, sort_keys=True).encode()


def open_sealed(body: bytes, key: X25519PrivateKey, context: bytes) -> bytes:
    """The plaintext of a sealed body, else :class:`SealError` (``not_sealed``,
    ``unknown_key``, ``undecryptable``)."""
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


def own_key() -> X25519PrivateKey:
    """Our decryption key, created on first use (its public half written beside it)."""
    directory = key_dir()
    path = directory / OWN_KEY
    if not path.exists():
        temporary = directory / f".{OWN_KEY}.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")
        try:
            os.link(temporary, path)  # first writer wins when two processes start together
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    try:
        key = X25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip()))
    except (ValueError, binascii.Error):
        raise DomainError("jukinet.bad_key", f"暗号鍵（{OWN_KEY}）が壊れています。") from None
    public = directory / OWN_PUBLIC
    if not public.exists():
        public.write_text(base64.urlsafe_b64encode(public_bytes(key.public_key())).decode() + "\n", encoding="ascii")
    return key


def peer_key(filename: str, label: str) -> X25519PublicKey:
    path = key_dir() / filename
    if not path.exists():
        raise DomainError(
            "jukinet.peer_key_missing",
            f"{label}の暗号用公開鍵（{filename}）がありません。"
            "鍵の置き場所は docs/number-exchange.md を参照してください。",
        )
    try:
        return X25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip()))
    except (ValueError, binascii.Error):
        raise DomainError("jukinet.bad_key", f"{label}の暗号用公開鍵（{filename}）が壊れています。") from None
