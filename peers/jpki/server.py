"""A small HTTP front of the simulated 認証局 (standard library only): it publishes the CA
certificate and the CRL the way a real CA's repository does, and — for the demo and the tests —
plays the card reader of the cards it issued.

``GET /ca.pem``                       the root certificate (PEM)
``GET /crl.pem``                      the current CRL (PEM), signed by the CA
``GET /health``                       ``{"status": "ok"}``
``GET /cards``                        ``{"cards": [{"serial": "<hex>", "name": "<氏名>"}]}``: the cards
                                      "on the reader" (the 券面 name only, never the 個人番号)
``POST /cards``                       ``{"name", "address", "birth", "sex", "individual_number"}`` →
                                      ``{"serial": "<hex>"}``: issue a card (the 個人番号 travels in
                                      the body only)
``POST /cards/<serial>/read``         ``{"challenge": "…"[, "pin": "…"]}`` → what the card reader
                                      returns; with a PIN the card checks it: 403
                                      ``{"error": "pin_incorrect"|"pin_locked", "remaining": n}``
``POST /cards/<serial>/revoke``       → ``{"revoked": "<hex>"}``
``POST /cards/<serial>/suspend``      → ``{"suspended": "<hex>"}`` (一時停止: CRL, certificateHold)
``POST /cards/<serial>/resume``       → ``{"resumed": "<hex>"}``
``POST /cards/<serial>/unlock``       → ``{"unlocked": "<hex>"}`` (PIN lock cleared at the counter)

Errors: ``{"error": "<code>"}`` with 400 ``bad_request``, 404 ``not_found``, 413 ``too_large``.
Nothing is logged except the method and the path.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

from peers.jpki.authority import Card, CertificateAuthority, PinError
from peers.serving import Running, UrlServer, serve, until_exit

logger = logging.getLogger(__name__)

MAX_BODY = 16384
_CARD_PATH = re.compile(r"/cards/([0-9a-f]{1,40})/(read|revoke|suspend|resume|unlock)")
_DONE = {"suspend": "suspended", "resume": "resumed"}
_FACE_KEYS = ("name", "address", "birth", "sex", "individual_number")


@dataclass
class CardRepository:
    """The CA and the cards it issued (in memory)."""

    authority: CertificateAuthority = field(default_factory=CertificateAuthority)
    cards: dict[str, Card] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, **face: str) -> Card:
        card = self.authority.issue_card(**face)  # type: ignore[arg-type]
        with self.lock:
            self.cards[f"{card.serial:x}"] = card
        return card


class SimulatorServer(UrlServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], repository: CardRepository) -> None:
        super().__init__(address, _Handler)
        self.repository = repository


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    server_version = "jpki-simulator/1"
    protocol_version = "HTTP/1.1"

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reply(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.command, self.path.split("?")[0])

    def do_GET(self) -> None:
        authority = self.server.repository.authority
        if self.path == "/ca.pem":
            self._send(HTTPStatus.OK, authority.pem, "application/x-pem-file")
        elif self.path == "/crl.pem":
            self._send(HTTPStatus.OK, authority.crl_pem(), "application/x-pem-file")
        elif self.path == "/health":
            self._reply(HTTPStatus.OK, {"status": "ok"})
        elif self.path == "/cards":
            with self.server.repository.lock:
                listed = [
                    {"serial": serial, "name": card.face["name"]}
                    for serial, card in self.server.repository.cards.items()
                ]
            self._reply(HTTPStatus.OK, {"cards": listed})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def _body(self) -> dict[str, Any] | None:
        size = int(self.headers.get("Content-Length") or 0)
        if size > MAX_BODY:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "too_large"})
            self.close_connection = True
            return None
        try:
            body = json.loads(self.rfile.read(size) or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return None
        return body

    def do_POST(self) -> None:
        repository = self.server.repository
        body = self._body()
        if body is None:
            return
        if self.path == "/cards":
            if not all(isinstance(body.get(k), str) and body[k] for k in _FACE_KEYS):
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
                return
            issued = repository.issue(**{k: body[k] for k in _FACE_KEYS})
            self._reply(HTTPStatus.OK, {"serial": f"{issued.serial:x}"})
            return
        match = _CARD_PATH.fullmatch(self.path)
        card = repository.cards.get(match.group(1)) if match else None
        if match is None or card is None:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
        elif match.group(2) == "revoke":
            repository.authority.revoke(card)
            self._reply(HTTPStatus.OK, {"revoked": f"{card.serial:x}"})
        elif match.group(2) in ("suspend", "resume"):
            getattr(repository.authority, match.group(2))(card)
            self._reply(HTTPStatus.OK, {_DONE[match.group(2)]: f"{card.serial:x}"})
        elif match.group(2) == "unlock":
            with repository.lock:
                card.unlock()
            self._reply(HTTPStatus.OK, {"unlocked": f"{card.serial:x}"})
        elif (
            not isinstance(body.get("challenge"), str)
            or not body["challenge"]
            or ("pin" in body and not isinstance(body["pin"], str))
        ):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
        else:
            try:
                with repository.lock:  # the failure count of one card is never lost to a race
                    read = card.read(body["challenge"], pin=body.get("pin"))
            except PinError as error:
                self._reply(HTTPStatus.FORBIDDEN, {"error": error.code, "remaining": error.remaining})
                return
            self._reply(HTTPStatus.OK, read)


def make_server(host: str = "127.0.0.1", port: int = 0, repository: CardRepository | None = None) -> SimulatorServer:
    """A simulator bound to ``host:port`` (port 0: any free port), not yet serving."""
    return SimulatorServer((host, port), repository or CardRepository())


class RunningSimulator(Running[SimulatorServer]):
    @property
    def repository(self) -> CardRepository:
        return self.server.repository

    @property
    def authority(self) -> CertificateAuthority:
        return self.server.repository.authority


@contextmanager
def running(
    host: str = "127.0.0.1", port: int = 0, repository: CardRepository | None = None
) -> Iterator[RunningSimulator]:
    """The simulator serving in a background thread for the duration of the block."""
    server = make_server(host, port, repository)
    with until_exit(RunningSimulator(server, serve(server, "jpki-simulator"))) as simulator:
        yield simulator
