"""A small HTTP simulator of the 本籍地's 戸籍 and 戸籍の附票 systems (and of the network between
municipalities that carries their notices), both directions.  Standard library plus
``cryptography``; it does not import jumin.

Protocol (docs/koseki.md), every request signed with jumin's Ed25519 key, every answer signed
with the simulator's key binding the request's signature (``peers.signed``):

``POST /fuhyo-notices``          one 附票記載事項通知 from jumin to the 本籍地 ``to_municipality_code``.
    ``update_seq`` must be the next number of that (sender key, 本籍地): a gap is refused (409
    ``gap``); a number already received with the same ``idempotency_key`` answers 200
    ``already_received``.  The 本籍地 records the 住所 in its 附票 (``book.fuhyo``).
``GET /fuhyo-inbox?to=CODE``     附票記載事項通知 other municipalities sent about persons whose 本籍 is
    CODE, not yet acknowledged: ``{"notices": […]}``.
``POST /fuhyo-inbox/ack``        ``{"to": CODE, "ids": [idempotency_key, …]}``.
``GET /koseki-notices?to=CODE``  住民票記載事項通知 (住基法9条2項) the 本籍地 sent to the 住所地 CODE.
``POST /koseki-notices/ack``     ``{"to": CODE, "ids": […]}``.
``GET /health``                  unsigned.
``POST /control``                unsigned, for tests and the demo: ``{"send_koseki": {…}}`` makes a
    本籍地 send a 住民票記載事項通知, ``{"send_fuhyo": {…}}`` makes another municipality send a
    附票記載事項通知 (each needs ``to_municipality_code`` and ``idempotency_key``).
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

FUHYO = "/fuhyo-notices"
FUHYO_INBOX = "/fuhyo-inbox"
KOSEKI_INBOX = "/koseki-notices"
OWN_KEY = "koseki_sim_ed25519.key"
OWN_PUBLIC = "koseki_ed25519.pub"
CLIENT_PUBLIC = "cs_ed25519.pub"
REQUIRED = (
    "to_municipality_code",
    "update_seq",
    "idempotency_key",
    "notice_type",
    "honseki",
    "name",
    "birth_text",
    "address",
)


@dataclass
class KosekiBook:
    """What the 本籍地 hold: the 附票記載事項通知 received from jumin per (sender key, 本籍地), in
    order; the notices waiting for jumin per kind and municipality code."""

    received: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    waiting: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)  # (inbox, code)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accept(self, kid: str, body: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        seq, key = body["update_seq"], body["idempotency_key"]
        with self.lock:
            notices = self.received.setdefault((kid, str(body["to_municipality_code"])), [])
            last = notices[-1]["update_seq"] if notices else 0
            if seq <= last:
                earlier = next((n for n in notices if n["update_seq"] == seq), None)
                if earlier is not None and earlier["idempotency_key"] == key:
                    return HTTPStatus.OK, {"result": "already_received", "update_seq": seq}
                return HTTPStatus.CONFLICT, {"error": "conflict", "update_seq": seq}
            if seq != last + 1:
                return HTTPStatus.CONFLICT, {"error": "gap", "expected": last + 1}
            notices.append(body)
            return HTTPStatus.OK, {"result": "accepted", "update_seq": seq}

    def fuhyo_to(self, code: str) -> list[dict[str, Any]]:
        """Every 附票記載事項通知 jumin sent to the 本籍地 ``code`` (all sender keys), in order."""
        with self.lock:
            return [n for (_, to), ns in self.received.items() if to == code for n in ns]

    def fuhyo(self, code: str) -> dict[str, dict[str, Any]]:
        """The 附票 of the 本籍地 ``code`` as the notices left it: per 住民票コード (else 氏名+生年月日)."""
        held: dict[str, dict[str, Any]] = {}
        for notice in self.fuhyo_to(code):
            person = notice.get("resident_code") or f"{notice['name']}|{notice['birth_text']}"
            held[str(person)] = notice
        return held

    def queue(self, inbox: str, notice: dict[str, Any]) -> None:
        with self.lock:
            self.waiting.setdefault((inbox, str(notice["to_municipality_code"])), []).append(dict(notice))

    def waiting_for(self, inbox: str, code: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.waiting.get((inbox, code), []))

    def acknowledge(self, inbox: str, code: str, ids: list[str]) -> int:
        with self.lock:
            before = self.waiting.get((inbox, code), [])
            self.waiting[(inbox, code)] = [n for n in before if n.get("idempotency_key") not in set(ids)]
            return len(before) - len(self.waiting[(inbox, code)])


class SimulatorServer(SignedServer[KosekiBook]):
    def __init__(
        self,
        address: tuple[str, int],
        book: KosekiBook,
        key: Ed25519PrivateKey,
        client_key: Ed25519PublicKey | Path | None,
    ) -> None:
        super().__init__(address, _Handler, book, key, client_key)


class _Handler(SignedHandler):
    server: SimulatorServer
    server_version = "koseki-simulator/1"
    ensure_ascii = False

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            self._reply(HTTPStatus.OK, {"status": "ok"})
            return
        if url.path not in (FUHYO_INBOX, KOSEKI_INBOX):
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        signed = self._signed(b"")
        if signed is None:
            return
        code = (parse_qs(url.query).get("to") or [""])[0]
        self._reply(HTTPStatus.OK, {"notices": self.server.book.waiting_for(url.path, code)}, signed[1])

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
        if self.path not in (FUHYO, FUHYO_INBOX + "/ack", KOSEKI_INBOX + "/ack"):
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        signed = self._signed(raw)
        if signed is None:
            return
        kid, signature = signed
        if self.path != FUHYO:
            if not isinstance(body, dict) or not isinstance(body.get("ids"), list):
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
                return
            inbox = self.path.removesuffix("/ack")
            dropped = self.server.book.acknowledge(inbox, str(body.get("to", "")), [str(i) for i in body["ids"]])
            self._reply(HTTPStatus.OK, {"result": "acknowledged", "count": dropped}, signature)
            return
        if (
            not isinstance(body, dict)
            or any(name not in body for name in REQUIRED)
            or "individual_number" in body  # the 附票 holds no 個人番号
            or not isinstance(body["update_seq"], int)
            or not isinstance(body["idempotency_key"], str)
        ):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        status, answer = self.server.book.accept(kid, body)
        self._reply(status, answer, signature)

    def _control(self, body: Any) -> None:
        inboxes = {"send_koseki": KOSEKI_INBOX, "send_fuhyo": FUHYO_INBOX}
        chosen = [(name, body[name]) for name in inboxes if isinstance(body, dict) and isinstance(body.get(name), dict)]
        if len(chosen) != 1 or any(k not in chosen[0][1] for k in ("to_municipality_code", "idempotency_key")):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        self.server.book.queue(inboxes[chosen[0][0]], chosen[0][1])
        self._reply(HTTPStatus.OK, {"queued": 1})


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: KosekiBook | None = None,
) -> SimulatorServer:
    return SimulatorServer((host, port), book or KosekiBook(), key or Ed25519PrivateKey.generate(), client_key)


def make_demo_server(host: str, port: int, key_dir: Path) -> SimulatorServer:
    key = demo_key(key_dir, OWN_KEY, OWN_PUBLIC)
    return make_server(host, port, key=key, client_key=key_dir / CLIENT_PUBLIC)


class RunningSimulator(Running[SimulatorServer]):
    @property
    def book(self) -> KosekiBook:
        return self.server.book


def start(server: SimulatorServer) -> RunningSimulator:
    return RunningSimulator(server, serve(server, "koseki-simulator"))


@contextmanager
def running(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: KosekiBook | None = None,
) -> Iterator[RunningSimulator]:
    with until_exit(start(make_server(host, port, key=key, client_key=client_key, book=book))) as simulator:
        yield simulator
