"""A small HTTP simulator of the J-LIS 個人番号カード管理システム receiving 送付先情報 from one
municipality (standard library plus ``cryptography`` and python-stdnum; it does not import
jumin, so the tests check jumin against an independent peer).

Protocol (docs/cards.md):

``POST /delivery-info``  one 送付先情報 (JSON ``{"management_no": "…", "items": {"1": …, …,
    "67": …}}``), signed with the municipality's Ed25519 key like every 住基ネット request
    (headers ``X-Jukinet-Key-Id``, ``X-Jukinet-Timestamp``, ``X-Jukinet-Signature``).  All 67
    items must be there and item 50 must be a valid 個人番号.  A ``management_no`` already
    received answers ``already_received`` (same content) or 409 ``conflict`` (other content).
``POST /card-events``    one card status event recorded at a municipality's counter (``event_id``,
    ``resident_code``, ``card_kind``, ``event``, ``occurred_on``; signed): stored once per
    ``event_id`` (``already_received`` for the same content, 409 ``conflict`` otherwise).
``GET /card-events?municipality=CODE``  (signed) the events J-LIS has for that municipality
    (``{"events": [...]}``), not yet acknowledged; ``POST /card-events/ack``
    ``{"municipality": CODE, "ids": [...]}`` drops them.  Tests queue them with
    ``book.queue_event(code, event)`` or ``POST /control {"queue_event": {...}}``.
``GET /health``          ``{"status": "ok"}`` (unsigned).
``GET|POST /control``    fault switches (tests only): ``down`` (503 ``maintenance``),
    ``fail_next`` (the next N requests answer 503 without storing).

Every answer to a request is signed with the simulator's key, binding the request's signature.
Errors: 400 ``bad_request`` / ``bad_individual_number``, 401 ``unknown_key`` /
``stale_timestamp`` / ``bad_signature``, 404 ``not_found``, 409 ``conflict``, 413 ``too_large``,
503 ``maintenance``.  What is received lives in memory; only the method and path are logged.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from stdnum.jp import in_ as my_number

from peers.serving import Running, serve, until_exit
from peers.signed import (
    SignedHandler,
    SignedServer,
    demo_key,
    write_public,  # noqa: F401  (re-exported: tests write keys with it)
)

DELIVERY = "/delivery-info"
EVENTS = "/card-events"
EVENTS_ACK = "/card-events/ack"
EVENT_FIELDS = ("event_id", "resident_code", "card_kind", "event", "occurred_on")
HEALTH = "/health"
CONTROL = "/control"
ITEMS = 67
OWN_KEY = "cardsystem_sim_ed25519.key"
OWN_PUBLIC = "cardsystem_ed25519.pub"
CLIENT_PUBLIC = "cs_ed25519.pub"


@dataclass
class CardSystemBook:
    """What J-LIS holds: the 送付先情報 received, by 送付先管理番号."""

    received: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # event_id -> event from a counter
    outbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # municipality -> events for it
    down: bool = False
    fail_next: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accept(self, management_no: str, items: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        with self.lock:
            earlier = self.received.get(management_no)
            if earlier is not None:
                if earlier == items:
                    return HTTPStatus.OK, {"result": "already_received"}
                return HTTPStatus.CONFLICT, {"error": "conflict"}
            self.received[management_no] = items
            return HTTPStatus.OK, {"result": "accepted"}

    def accept_event(self, event: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        with self.lock:
            earlier = self.events.get(event["event_id"])
            if earlier is not None:
                if earlier == event:
                    return HTTPStatus.OK, {"result": "already_received"}
                return HTTPStatus.CONFLICT, {"error": "conflict"}
            self.events[event["event_id"]] = event
            return HTTPStatus.OK, {"result": "accepted"}

    def queue_event(self, municipality: str, event: dict[str, Any]) -> None:
        """J-LIS has an event (e.g. a card suspended by its call centre) for that municipality."""
        with self.lock:
            self.outbox.setdefault(municipality, []).append(event)

    def pending_events(self, municipality: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.outbox.get(municipality, []))

    def acknowledge(self, municipality: str, ids: list[str]) -> None:
        with self.lock:
            self.outbox[municipality] = [e for e in self.outbox.get(municipality, []) if e.get("event_id") not in ids]


class SimulatorServer(SignedServer[CardSystemBook]):
    def __init__(
        self,
        address: tuple[str, int],
        book: CardSystemBook,
        key: Ed25519PrivateKey,
        client_key: Ed25519PublicKey | Path | None,
    ) -> None:
        super().__init__(address, _Handler, book, key, client_key)


def _valid_items(items: Any) -> bool:
    return isinstance(items, dict) and set(items) == {str(n) for n in range(1, ITEMS + 1)}


class _Handler(SignedHandler):
    server: SimulatorServer
    server_version = "cardsystem-simulator/1"

    def do_GET(self) -> None:
        book = self.server.book
        if self.path.startswith(EVENTS + "?"):
            self._events_for()
        elif self.path == HEALTH:
            self._reply(HTTPStatus.OK, {"status": "ok"})
        elif self.path == CONTROL:
            self._reply(HTTPStatus.OK, {"down": book.down, "fail_next": book.fail_next, "received": len(book.received)})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def do_POST(self) -> None:
        raw = self._read()
        if raw is None:
            return
        if self.path == CONTROL:
            self._control(raw)
        elif self.path == DELIVERY:
            self._delivery(raw)
        elif self.path == EVENTS:
            self._event(raw)
        elif self.path == EVENTS_ACK:
            self._ack(raw)
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def _control(self, raw: bytes) -> None:
        try:
            changes = json.loads(raw)
        except ValueError:
            changes = None
        book = self.server.book
        if not isinstance(changes, dict) or not set(changes) <= {"down", "fail_next", "queue_event"}:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        queued = changes.get("queue_event")
        if isinstance(queued, dict) and isinstance(queued.get("municipality_code"), str):
            book.queue_event(queued["municipality_code"], queued)
        book.down = bool(changes.get("down", book.down))
        book.fail_next = int(changes.get("fail_next", book.fail_next))
        self._reply(HTTPStatus.OK, {"down": book.down, "fail_next": book.fail_next})

    def _delivery(self, raw: bytes) -> None:
        signature = self._gate(raw)
        if signature is None:
            return
        book = self.server.book
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("management_no"), str):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        items = body.get("items")
        if not isinstance(items, dict) or not _valid_items(items):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        if not my_number.is_valid(str(items["50"])):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_individual_number"}, signature)
            return
        status, answer = book.accept(body["management_no"], items)
        self._reply(status, answer, signature)

    def _gate(self, raw: bytes) -> str | None:
        """Authenticate and apply the fault switches; the request signature, or None (answered)."""
        book = self.server.book
        with book.lock:
            book.requests += 1
            failing = book.down or book.fail_next > 0
            book.fail_next = max(0, book.fail_next - 1)
        signed = self._signed(raw)
        if signed is None:
            return None
        signature = signed[1]
        if failing:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "maintenance"}, signature)
            return None
        return signature

    def _event(self, raw: bytes) -> None:
        signature = self._gate(raw)
        if signature is None:
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict) or any(not isinstance(body.get(name), str) for name in EVENT_FIELDS):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        if len(body["resident_code"]) != 11 or not body["resident_code"].isdigit():
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        status, answer = self.server.book.accept_event(body)
        self._reply(status, answer, signature)

    def _events_for(self) -> None:
        signature = self._gate(b"")
        if signature is None:
            return
        query = parse_qs(urlsplit(self.path).query)
        municipality = (query.get("municipality") or [""])[0]
        self._reply(HTTPStatus.OK, {"events": self.server.book.pending_events(municipality)}, signature)

    def _ack(self, raw: bytes) -> None:
        signature = self._gate(raw)
        if signature is None:
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("municipality"), str)
            or not isinstance(body.get("ids"), list)
        ):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        self.server.book.acknowledge(body["municipality"], [str(i) for i in body["ids"]])
        self._reply(HTTPStatus.OK, {"result": "acknowledged"}, signature)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: CardSystemBook | None = None,
) -> SimulatorServer:
    return SimulatorServer((host, port), book or CardSystemBook(), key or Ed25519PrivateKey.generate(), client_key)


def make_demo_server(host: str, port: int, key_dir: Path) -> SimulatorServer:
    """``python -m peers.cardsystem --key-dir DIR``: own key kept in DIR, its public key written
    where jumin looks for it (``cardsystem_ed25519.pub``), jumin's ``cs_ed25519.pub`` trusted."""
    key = demo_key(key_dir, OWN_KEY, OWN_PUBLIC)
    return make_server(host, port, key=key, client_key=key_dir / CLIENT_PUBLIC)


class RunningSimulator(Running[SimulatorServer]):
    @property
    def book(self) -> CardSystemBook:
        return self.server.book


@contextmanager
def running(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: CardSystemBook | None = None,
) -> Iterator[RunningSimulator]:
    server = make_server(host, port, key=key, client_key=client_key, book=book)
    with until_exit(RunningSimulator(server, serve(server, "cardsystem-simulator"))) as simulator:
        yield simulator
