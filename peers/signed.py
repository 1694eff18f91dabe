"""What the signed simulators (prefecture, other municipality, J-LIS card system) share:
their Ed25519 keys on disk, the signed request and the signed answer of docs/jukinet.md
("Signatures"), the server that knows its own key and its client's, and running it in a
thread for a test or the demo.  Standard library plus ``cryptography``; no jumin import.

A request carries ``X-Jukinet-Key-Id``, ``-Timestamp`` and ``-Signature`` over
``jukinet-request-v1 / method / path / timestamp / key id / sha256(body)``; an answer is
signed over ``jukinet-response-v1 / status / timestamp / key id / request signature /
sha256(body)``, which binds it to the request it answers.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from peers.serving import UrlServer

logger = logging.getLogger(__name__)

MAX_BODY = 65_536
MAX_SKEW = 300

B = TypeVar("B")


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def load_public(path: Path) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip()))


def write_public(path: Path, key: Ed25519PublicKey) -> None:
    path.write_text(b64(raw_public(key)) + "\n", encoding="ascii")


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The simulator's own key, created (mode 0600) on first use."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(b64(os.urandom(32)) + "\n")
    return Ed25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip()))


def demo_key(key_dir: Path, own_key: str, own_public: str) -> Ed25519PrivateKey:
    """A demo simulator's own key, kept in ``key_dir`` (file ``own_key``, created on first use),
    its public key written where jumin looks for it (``own_public``)."""
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = load_or_create_key(key_dir / own_key)
    write_public(key_dir / own_public, key.public_key())
    return key


class SignedServer(UrlServer, Generic[B]):
    """A simulator: what it holds (``book``), its own key, and jumin's public key (or the file
    jumin writes it to, read on every request so that a key written later is picked up)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        book: B,
        key: Ed25519PrivateKey,
        client_key: Ed25519PublicKey | Path | None,
    ) -> None:
        super().__init__(address, handler)
        self.book = book
        self.key = key
        self.client_key = client_key

    def trusted(self) -> Ed25519PublicKey | None:
        if isinstance(self.client_key, Path):
            try:
                return load_public(self.client_key)
            except (OSError, ValueError, binascii.Error):
                return None
        return self.client_key


class SignedHandler(BaseHTTPRequestHandler):
    """JSON answers, signed when they answer a signed request; request authentication."""

    server: SignedServer[Any]
    protocol_version = "HTTP/1.1"
    ensure_ascii = True  # the JSON of the answers

    def tampered(self) -> bool:
        """A fault switch of the simulator: sign answers wrongly."""
        return False

    def _wrap(self, status: HTTPStatus, body: bytes, request_signature: str) -> tuple[bytes, str]:
        """The body as it goes on the wire, and its content type (a simulator that seals its
        answers overrides this; the signature is made over what it returns)."""
        return body, "application/json"

    def _reply(self, status: HTTPStatus, payload: dict[str, Any], request_signature: str = "") -> None:
        body, content_type = self._wrap(
            status, json.dumps(payload, ensure_ascii=self.ensure_ascii).encode(), request_signature
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if request_signature:
            kid, timestamp = key_id(self.server.key.public_key()), str(int(time.time()))
            digest = hashlib.sha256(body).hexdigest()
            message = "\n".join(("jukinet-response-v1", str(int(status)), timestamp, kid, request_signature, digest))
            signature = self.server.key.sign(message.encode())
            if self.tampered():
                signature = bytes([signature[0] ^ 1]) + signature[1:]
            self.send_header("X-Jukinet-Key-Id", kid)
            self.send_header("X-Jukinet-Timestamp", timestamp)
            self.send_header("X-Jukinet-Signature", b64(signature))
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the caller gave up waiting (a "slow" test)
            self.close_connection = True

    def _read(self, limit: int = MAX_BODY) -> bytes | None:
        """The request body, or None (413 answered) when it is longer than ``limit``."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            self.close_connection = True
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "too_large"})
            return None
        return self.rfile.read(length)

    def _authenticate(self, raw: bytes) -> tuple[str, str] | tuple[None, str]:
        """(key id, request signature) of a correctly signed request, else (None, error code)."""
        kid = self.headers.get("X-Jukinet-Key-Id", "")
        timestamp = self.headers.get("X-Jukinet-Timestamp", "")
        signature = self.headers.get("X-Jukinet-Signature", "")
        trusted = self.server.trusted()
        if trusted is None or kid != key_id(trusted):
            return None, "unknown_key"
        if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > MAX_SKEW:
            return None, "stale_timestamp"
        digest = hashlib.sha256(raw).hexdigest()
        message = "\n".join(("jukinet-request-v1", self.command, self.path, timestamp, kid, digest)).encode()
        try:
            trusted.verify(base64.urlsafe_b64decode(signature.encode()), message)
        except (InvalidSignature, ValueError, binascii.Error):
            return None, "bad_signature"
        return kid, signature

    def _signed(self, raw: bytes) -> tuple[str, str] | None:
        """:meth:`_authenticate`, answering 401 itself — signed all the same, so that the caller
        learns reliably that its signature was refused."""
        kid, signature = self._authenticate(raw)
        if kid is None:
            self._reply(HTTPStatus.UNAUTHORIZED, {"error": signature}, self.headers.get("X-Jukinet-Signature", ""))
            return None
        return kid, signature

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.command, urlsplit(self.path).path)
