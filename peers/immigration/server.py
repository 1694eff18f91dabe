"""A small HTTP simulator of 出入国在留管理庁 for the notices of 住基法30条の50 both ways
(standard library plus ``cryptography``; it does not import jumin).

Protocol (docs/immigration.md), every request signed with the municipality's Ed25519 key, every
answer signed with the simulator's key binding the request's signature:

``POST /municipal-notices``  one 市町村通知 from jumin.  ``update_seq`` must be the next 通知順 of
    the sender key: a gap is refused (409 ``gap``); a number already received with the same
    ``idempotency_key`` answers 200 ``already_received``.  A notice carrying a 住民票コード or
    個人番号 is refused (400 ``bad_request``): the Ministry gets neither.
``GET /notices?to=CODE``     the 法務省通知 for the municipality CODE, not yet acknowledged.
``POST /notices/ack``        ``{"to": CODE, "ids": [notice_id, …]}``: drop those.
``GET /health``              unsigned.
``POST /control``            test and demo switches (unsigned): ``{"send": {…notice…, "to": CODE}}``
    queues a 法務省通知 for CODE; ``{"down": true|false}`` answers 503 ``maintenance`` to everything
    signed; ``{"lose_next": n}`` stores the next n 市町村通知 but answers 503 (a lost answer).
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

from peers.serving import Running, serve, until_exit
from peers.signed import SignedHandler, SignedServer, demo_key

MUNICIPAL_NOTICES = "/municipal-notices"
NOTICES = "/notices"
ACK = "/notices/ack"
OWN_KEY = "immigration_sim_ed25519.key"
OWN_PUBLIC = "immigration_ed25519.pub"
CLIENT_PUBLIC = "cs_ed25519.pub"
REQUIRED = ("kind", "update_seq", "idempotency_key", "municipality_code", "name", "birth_on", "sex", "address")
FORBIDDEN = ("resident_code", "individual_number")


@dataclass
class ImmigrationBook:
    """What the Ministry holds: the 市町村通知 received per sender key (in order) and the
    法務省通知 waiting per municipality code."""

    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    outbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    down: bool = False
    lose_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accept(self, kid: str, body: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        seq, key = body["update_seq"], body["idempotency_key"]
        with self.lock:
            notices = self.received.setdefault(kid, [])
            last = notices[-1]["update_seq"] if notices else 0
            if seq <= last:
                earlier = next((n for n in notices if n["update_seq"] == seq), None)
                if earlier is not None and earlier["idempotency_key"] == key:
                    return HTTPStatus.OK, {"result": "already_received", "update_seq": seq}
                return HTTPStatus.CONFLICT, {"error": "conflict", "update_seq": seq}
            if seq != last + 1:
                return HTTPStatus.CONFLICT, {"error": "gap", "expected": last + 1}
            notices.append(body)
            if self.lose_next > 0:
                self.lose_next -= 1
                return HTTPStatus.SERVICE_UNAVAILABLE, {"error": "maintenance"}
            return HTTPStatus.OK, {"result": "accepted", "update_seq": seq}

    def municipal_notices(self) -> list[dict[str, Any]]:
        """Every 市町村通知 received (all sender keys), in order."""
        with self.lock:
            return [n for ns in self.received.values() for n in ns]

    def send(self, notice: dict[str, Any]) -> None:
        """The Ministry sends a 法務省通知 to the municipality ``to``."""
        with self.lock:
            self.outbox.setdefault(str(notice["to"]), []).append(dict(notice))

    def waiting(self, code: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.outbox.get(code, []))

    def acknowledge(self, code: str, ids: list[str]) -> int:
        with self.lock:
            before = self.outbox.get(code, [])
            self.outbox[code] = [n for n in before if n.get("notice_id") not in set(ids)]
            return len(before) - len(self.outbox[code])


class SimulatorServer(SignedServer[ImmigrationBook]):
    def __init__(
        self,
        address: tuple[str, int],
        book: ImmigrationBook,
        key: Ed25519PrivateKey,
        client_key: Ed25519PublicKey | Path | None,
    ) -> None:
        super().__init__(address, _Handler, book, key, client_key)


class _Handler(SignedHandler):
    server: SimulatorServer
    server_version = "immigration-simulator/1"
    ensure_ascii = False

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            self._reply(HTTPStatus.OK, {"status": "ok"})
            return
        if url.path != NOTICES:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        signed = self._signed(b"")
        if signed is None:
            return
        if self.server.book.down:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "maintenance"}, signed[1])
            return
        code = (parse_qs(url.query).get("to") or [""])[0]
        self._reply(HTTPStatus.OK, {"notices": self.server.book.waiting(code)}, signed[1])

    def do_POST(self) -> None:
        raw = self._read()
        if raw is None:
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if self.path == "/control":
            self._control(body)
            return
        if self.path not in (MUNICIPAL_NOTICES, ACK):
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        signed = self._signed(raw)
        if signed is None:
            return
        kid, signature = signed
        if self.server.book.down:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "maintenance"}, signature)
            return
        if self.path == ACK:
            if not isinstance(body, dict) or not isinstance(body.get("ids"), list):
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
                return
            dropped = self.server.book.acknowledge(str(body.get("to", "")), [str(i) for i in body["ids"]])
            self._reply(HTTPStatus.OK, {"result": "acknowledged", "count": dropped}, signature)
            return
        if (
            not isinstance(body, dict)
            or any(name not in body for name in REQUIRED)
            or any(name in body for name in FORBIDDEN)
            or not isinstance(body["update_seq"], int)
            or not isinstance(body["idempotency_key"], str)
        ):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        status, answer = self.server.book.accept(kid, body)
        self._reply(status, answer, signature)

    def _control(self, body: Any) -> None:
        book = self.server.book
        if not isinstance(body, dict) or not body or not set(body) <= {"send", "down", "lose_next"}:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        notice = body.get("send")
        if notice is not None:
            if not isinstance(notice, dict) or not notice.get("to") or not notice.get("notice_id"):
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
                return
            book.send(notice)
        with book.lock:
            book.down = bool(body.get("down", book.down))
            book.lose_next = int(body.get("lose_next", book.lose_next))
        self._reply(HTTPStatus.OK, {"down": book.down, "lose_next": book.lose_next})


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: ImmigrationBook | None = None,
) -> SimulatorServer:
    return SimulatorServer((host, port), book or ImmigrationBook(), key or Ed25519PrivateKey.generate(), client_key)


def make_demo_server(host: str, port: int, key_dir: Path) -> SimulatorServer:
    key = demo_key(key_dir, OWN_KEY, OWN_PUBLIC)
    return make_server(host, port, key=key, client_key=key_dir / CLIENT_PUBLIC)


class RunningSimulator(Running[SimulatorServer]):
    @property
    def book(self) -> ImmigrationBook:
        return self.server.book


def start(server: SimulatorServer) -> RunningSimulator:
    return RunningSimulator(server, serve(server, "immigration-simulator"))


@contextmanager
def running(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: ImmigrationBook | None = None,
) -> Iterator[RunningSimulator]:
    with until_exit(start(make_server(host, port, key=key, client_key=client_key, book=book))) as simulator:
        yield simulator
