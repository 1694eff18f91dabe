"""The simulated 電子申請機能 + 連携サーバ (standard library plus ``cryptography``; it does not
import jumin, so the tests check jumin against an independent peer).

An application (申請データ, JSON ``eapp-sim-v1``)::

    {"format": "eapp-sim-v1", "application_id": "EA…", "procedure": "move_out" | "move_in_reservation",
     "procedure_name": "転出届" | "転入予約", "submitted_at": ISO 8601,
     "form": {…the 申請様式's items…},
     "attachments": [{"name", "content_type", "sha256", "data" (base64)}],
     "signature": {"algorithm": "ecdsa-p256-sha256", "certificate": PEM (署名用電子証明書),
                   "value": base64 DER}}

The card signs ``b"eapp-sim-application-v1\\n"`` + the canonical JSON (keys sorted, UTF-8, no
spaces) of ``application_id``, ``procedure``, ``submitted_at``, ``form`` and the attachments'
``name`` / ``content_type`` / ``sha256``.  A withdrawn application carries ``"withdrawn": true``
and ``withdrawn_at``.

The municipality's side (signed like every peer, docs/jukinet.md "Signatures"):

``GET /applications?after=N&limit=L``  the applications changed after sequence ``N`` (at most
    ``L``, 1–50, default 50):
    ``{"applications": [{…, "seq": n}], "last_seq": m}``; a withdrawal or a re-delivery is a change.
``POST /statuses``  ``{"update_id", "application_id", "status", "comment"}``: a status for the
    resident (``accepted``; the same ``update_id`` again ``already_received``; other content
    409 ``conflict``; an unknown application 404 ``not_found``).

The resident's side (unsigned; the demo and the tests play the resident):

``POST /resident/applications``  ``{"card_serial", "procedure", "form"}`` → ``{"application_id"}``
    (the card of the ``peers.jpki`` repository the simulator shares signs it).
``POST /resident/applications/<id>/withdraw`` → ``{"withdrawn": id}``
``GET /resident/applications/<id>``  the statuses the municipality sent.
``GET /health``; ``POST /control`` ``{"down": bool, "redeliver": id}`` (tests only).

Errors: 400 ``bad_request``, 401 ``unknown_key`` / ``stale_timestamp`` / ``bad_signature``,
404 ``not_found``, 409 ``conflict``, 413 ``too_large``, 503 ``maintenance``.  Only the method and
the path are logged.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from peers.jpki.authority import SIGNATURE, Card, canonical
from peers.jpki.server import CardRepository
from peers.serving import Running, serve, until_exit
from peers.signed import SignedHandler, SignedServer, demo_key

FORMAT = "eapp-sim-v1"
SIGNED_PREFIX = b"eapp-sim-application-v1\n"
PROCEDURES = {"move_out": "転出届", "move_in_reservation": "転入予約"}
STATUSES = ("received", "in_review", "accepted", "returned", "rejected", "completed", "withdrawn")
PAGE = 50
OWN_KEY = "eapplication_sim_ed25519.key"
OWN_PUBLIC = "eapplication_ed25519.pub"
CLIENT_PUBLIC = "cs_ed25519.pub"
_RESIDENT = re.compile(r"/resident/applications/(EA[0-9]{8})(/withdraw)?")


def signed_content(application: dict[str, Any]) -> bytes:
    """What the card signs (see the module docstring)."""
    attachments = [
        {k: a.get(k) for k in ("name", "content_type", "sha256")} for a in application.get("attachments", [])
    ]
    content = {k: application.get(k) for k in ("application_id", "procedure", "submitted_at", "form")}
    return SIGNED_PREFIX + canonical({**content, "attachments": attachments})


def sign_application(
    card: Card,
    application_id: str,
    procedure: str,
    form: dict[str, Any],
    *,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    submitted_at: str = "",
) -> dict[str, Any]:
    """The application as the 電子申請機能 hands it over, signed by ``card``."""
    application: dict[str, Any] = {
        "format": FORMAT,
        "application_id": application_id,
        "procedure": procedure,
        "procedure_name": PROCEDURES.get(procedure, procedure),
        "submitted_at": submitted_at or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "form": form,
        "attachments": [
            {
                "name": name,
                "content_type": content_type,
                "sha256": hashlib.sha256(data).hexdigest(),
                "data": base64.b64encode(data).decode(),
            }
            for name, content_type, data in attachments
        ],
    }
    value = card.key.sign(signed_content(application), SIGNATURE)
    application["signature"] = {
        "algorithm": "ecdsa-p256-sha256",
        "certificate": card.certificate.public_bytes(serialization.Encoding.PEM).decode(),
        "value": base64.b64encode(value).decode(),
    }
    return application


@dataclass
class ApplicationBook:
    """What the 連携サーバ holds: the applications (by id), their change sequence, the statuses
    the municipality sent back; and the cards residents sign with."""

    cards: CardRepository = field(default_factory=CardRepository)
    applications: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)  # update_id -> status
    seq: int = 0
    counter: int = 0
    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _changed(self, application_id: str) -> None:
        self.seq += 1
        self.applications[application_id]["seq"] = self.seq

    def submit(
        self,
        card: Card,
        procedure: str,
        form: dict[str, Any],
        *,
        attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
        tamper: dict[str, Any] | None = None,
    ) -> str:
        """A resident files an application with ``card``; ``tamper``: items changed after the
        signature (a "tampered application" test)."""
        with self.lock:
            self.counter += 1
            application_id = f"EA{self.counter:08d}"
        application = sign_application(card, application_id, procedure, form, attachments=attachments)
        if tamper:
            application["form"] = {**application["form"], **tamper}
        with self.lock:
            self.applications[application_id] = application
            self._changed(application_id)
        return application_id

    def withdraw(self, application_id: str) -> bool:
        with self.lock:
            application = self.applications.get(application_id)
            if application is None:
                return False
            application["withdrawn"] = True
            application["withdrawn_at"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            self._changed(application_id)
            return True

    def redeliver(self, application_id: str) -> bool:
        """The 連携サーバ hands the same application over again (at-least-once delivery)."""
        with self.lock:
            if application_id not in self.applications:
                return False
            self._changed(application_id)
            return True

    def changes(self, after: int, limit: int = PAGE) -> tuple[list[dict[str, Any]], int]:
        with self.lock:
            found = sorted((a for a in self.applications.values() if a["seq"] > after), key=lambda a: a["seq"])
            page = [dict(a) for a in found[:limit]]
            return page, page[-1]["seq"] if page else after

    def accept_status(self, status: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        with self.lock:
            if status["application_id"] not in self.applications:
                return HTTPStatus.NOT_FOUND, {"error": "not_found"}
            earlier = self.statuses.get(status["update_id"])
            if earlier is not None:
                if earlier == status:
                    return HTTPStatus.OK, {"result": "already_received"}
                return HTTPStatus.CONFLICT, {"error": "conflict"}
            self.statuses[status["update_id"]] = status
            return HTTPStatus.OK, {"result": "accepted"}

    def statuses_of(self, application_id: str) -> list[dict[str, Any]]:
        """What the resident sees on the マイナポータル, oldest first."""
        with self.lock:
            return [dict(s) for s in self.statuses.values() if s["application_id"] == application_id]


class SimulatorServer(SignedServer[ApplicationBook]):
    def __init__(
        self,
        address: tuple[str, int],
        book: ApplicationBook,
        key: Ed25519PrivateKey,
        client_key: Ed25519PublicKey | Path | None,
    ) -> None:
        super().__init__(address, _Handler, book, key, client_key)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return None


class _Handler(SignedHandler):
    server: SimulatorServer
    server_version = "eapplication-simulator/1"
    ensure_ascii = False

    def do_GET(self) -> None:
        book = self.server.book
        path = urlsplit(self.path).path
        resident = _RESIDENT.fullmatch(path)
        if path == "/applications":
            signature = self._gate(b"")
            if signature is None:
                return
            query = parse_qs(urlsplit(self.path).query)
            after, limit = (query.get("after") or ["0"])[0], (query.get("limit") or [str(PAGE)])[0]
            if not after.isdigit() or not limit.isdigit() or not 0 < int(limit) <= PAGE:
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
                return
            page, last = book.changes(int(after), int(limit))
            self._reply(HTTPStatus.OK, {"applications": page, "last_seq": last}, signature)
        elif resident is not None and resident.group(2) is None and resident.group(1) in book.applications:
            self._reply(HTTPStatus.OK, {"statuses": book.statuses_of(resident.group(1))})
        elif path == "/health":
            self._reply(HTTPStatus.OK, {"status": "ok"})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def do_POST(self) -> None:
        raw = self._read()
        if raw is None:
            return
        path = urlsplit(self.path).path
        resident = _RESIDENT.fullmatch(path)
        if path == "/statuses":
            self._status(raw)
        elif path == "/resident/applications":
            self._submit(raw)
        elif resident is not None and resident.group(2):
            found = self.server.book.withdraw(resident.group(1))
            self._reply(*((HTTPStatus.OK, {"withdrawn": resident.group(1)}) if found else _NOT_FOUND))
        elif path == "/control":
            self._control(raw)
        else:
            self._reply(*_NOT_FOUND)

    def _gate(self, raw: bytes) -> str | None:
        signed = self._signed(raw)
        if signed is None:
            return None
        if self.server.book.down:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "maintenance"}, signed[1])
            return None
        return signed[1]

    def _status(self, raw: bytes) -> None:
        signature = self._gate(raw)
        if signature is None:
            return
        body = _json(raw)
        keys = ("update_id", "application_id", "status", "comment")
        if not isinstance(body, dict) or any(not isinstance(body.get(k), str) for k in keys):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        if body["status"] not in STATUSES or len(body["comment"]) > 1000:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        self._reply(*self.server.book.accept_status({k: body[k] for k in keys}), signature)

    def _submit(self, raw: bytes) -> None:
        body = _json(raw)
        book = self.server.book
        if (
            not isinstance(body, dict)
            or body.get("procedure") not in PROCEDURES
            or not isinstance(body.get("form"), dict)
            or not isinstance(body.get("card_serial"), str)
        ):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        card = book.cards.cards.get(body["card_serial"])
        if card is None:
            self._reply(*_NOT_FOUND)
            return
        application_id = book.submit(card, body["procedure"], body["form"])
        self._reply(HTTPStatus.OK, {"application_id": application_id})

    def _control(self, raw: bytes) -> None:
        changes = _json(raw)
        book = self.server.book
        if not isinstance(changes, dict) or not set(changes) <= {"down", "redeliver"}:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        if isinstance(changes.get("redeliver"), str):
            book.redeliver(changes["redeliver"])
        book.down = bool(changes.get("down", book.down))
        self._reply(HTTPStatus.OK, {"down": book.down})


_NOT_FOUND = (HTTPStatus.NOT_FOUND, {"error": "not_found"})


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: ApplicationBook | None = None,
) -> SimulatorServer:
    return SimulatorServer((host, port), book or ApplicationBook(), key or Ed25519PrivateKey.generate(), client_key)


def make_demo_server(host: str, port: int, key_dir: Path, cards: CardRepository | None = None) -> SimulatorServer:
    """Own key kept in ``key_dir``, its public key written where jumin looks for it
    (``eapplication_ed25519.pub``), jumin's ``cs_ed25519.pub`` trusted."""
    key = demo_key(key_dir, OWN_KEY, OWN_PUBLIC)
    book = ApplicationBook(cards=cards or CardRepository())
    return make_server(host, port, key=key, client_key=key_dir / CLIENT_PUBLIC, book=book)


class RunningSimulator(Running[SimulatorServer]):
    @property
    def book(self) -> ApplicationBook:
        return self.server.book


@contextmanager
def running(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: ApplicationBook | None = None,
) -> Iterator[RunningSimulator]:
    server = make_server(host, port, key=key, client_key=client_key, book=book)
    with until_exit(RunningSimulator(server, serve(server, "eapplication-simulator"))) as simulator:
        yield simulator
