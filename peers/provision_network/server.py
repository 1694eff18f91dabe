"""A small HTTP simulator of the 情報提供ネットワークシステム (コアシステム) for one municipality's
中間サーバー (standard library plus ``cryptography``; it does not import jumin).

Protocol (docs/number-exchange.md).  Every request of the 中間サーバー is signed with its Ed25519
key (headers ``X-Jukinet-Key-Id``, ``-Timestamp``, ``-Signature``, peers/signed.py) and every
answer is signed with the simulator's key, binding the request's signature.  Every request body
is sealed to the simulator's X25519 key and every signed answer is sealed to the 中間サーバー's
(peers/sealed.py): a body that is not sealed or does not open is refused 400 ``not_sealed`` /
``unknown_key`` / ``undecryptable``, logged by that code only, and changes nothing.

``POST /codes``          ``{"processing_no", "agency", "resident_code"}``: the 符号 of that person
    for that agency (``{"result": "accepted", "code": …}``).  A 処理通番 asked again with the same
    content answers the same 符号 (``already_received``); with other content 409 ``conflict``.
``POST /inquiries``      ``{"inquiry_id", "requester", "provider", "affair", "item", "law",
    "code"}``: a 情報照会.  Refused 403 ``not_permitted`` unless the 照会許可照合リスト lets
    ``affair`` ask ``item``; 404 ``unknown_code`` unless ``code`` is a 符号 of ``requester``.  A
    provider the simulator holds data for answers at once (``{"status": "answered", "data"}``
    or ``not_found``); a provider that collects its requests (a 中間サーバー) gets it queued
    (``{"status": "pending"}``).  The same ``inquiry_id`` again answers what it answered.
``GET /requests?provider=CODE``  the 情報照会 waiting for that provider (``{"requests": […]}``,
    each with the provider's own 符号 of the person, never the requester's).
``POST /answers``        ``{"inquiry_id", "status", "data"}`` from the provider: ``answered`` /
    ``not_found`` / ``withheld`` end the request, ``deferred`` (自動応答不可: a person will answer) takes it out
    of the waiting list.  A final answer given twice answers ``already_received`` (same content)
    or 409 ``conflict``.
``GET /health``          unsigned.
``GET|POST /control``    test switches and the other agencies' side: ``down`` (503
    ``maintenance``), ``permit`` ``[affair, item]`` pairs added to the list, ``holding``
    ``{"agency", "resident_code", "item", "data"}`` (what another agency holds), ``ask`` (another
    agency's 情報照会: ``{"inquiry_id", "requester", "provider", "affair", "item", "law",
    "resident_code"}``), ``issue_code`` ``{"agency", "resident_code"}``;
    ``GET /control/inquiry/<id>`` the state of one 情報照会.

Errors: 400 ``bad_request``, 401 ``unknown_key`` / ``stale_timestamp`` / ``bad_signature``, 403
``not_permitted``, 404 ``not_found`` / ``unknown_code`` / ``unknown_inquiry``, 409 ``conflict``,
503 ``maintenance``.  Only the method and path are logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from peers import sealed
from peers.serving import Running, serve, until_exit
from peers.signed import SignedHandler, SignedServer, demo_key

logger = logging.getLogger(__name__)

CODES = "/codes"
INQUIRIES = "/inquiries"
REQUESTS = "/requests"
ANSWERS = "/answers"
HEALTH = "/health"
CONTROL = "/control"
CONTROL_INQUIRY = "/control/inquiry/"
OWN_KEY = "provision_network_sim_ed25519.key"
OWN_PUBLIC = "provision_network_ed25519.pub"
CLIENT_PUBLIC = "cs_ed25519.pub"
OWN_SEAL_KEY = "provision_network_sim_x25519.key"
OWN_SEAL_PUBLIC = "provision_network_x25519.pub"
CLIENT_SEAL_PUBLIC = "cs_x25519.pub"
INQUIRY_FIELDS = ("inquiry_id", "requester", "provider", "affair", "item", "law")
FINAL = ("answered", "not_found", "withheld")

# 照会許可照合リスト (番号法 別表第二 in spirit): which 事務 may ask which 特定個人情報.
DEFAULT_PERMITS = frozenset(
    {
        ("child_allowance", "resident_relations"),  # 児童手当の事務 → 住民票関係情報
        ("child_allowance", "local_tax"),  # 児童手当の事務 → 地方税関係情報（所得）
        ("health_care", "resident_relations"),
        ("pension", "resident_relations"),
    }
)


def _str(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64


@dataclass
class NetworkBook:
    """What the コアシステム knows: the 符号 of each person per agency, the permits, what the
    simulated agencies hold, and every 情報照会 with its state."""

    secret: bytes = field(default_factory=lambda: os.urandom(16))
    permits: set[tuple[str, str]] = field(default_factory=lambda: set(DEFAULT_PERMITS))
    processing: dict[str, dict[str, str]] = field(default_factory=dict)  # 処理通番 -> request
    people: dict[str, tuple[str, str]] = field(default_factory=dict)  # 符号 -> (agency, person)
    holdings: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)  # agency, person, item
    collecting: set[str] = field(default_factory=set)  # providers that pull their requests
    inquiries: dict[str, dict[str, Any]] = field(default_factory=dict)
    down: bool = False
    requests: int = 0
    refused: dict[str, int] = field(default_factory=dict)  # bodies that did not open, by code
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue_code(self, agency: str, person: str) -> str:
        """The 符号 of ``person`` (a 住民票コード, J-LIS's key) for ``agency``: one per pair,
        different between agencies, so no agency can link another's 符号 to the person."""
        code = hashlib.sha256(self.secret + f"{agency}\n{person}".encode()).hexdigest()[:32]
        self.people[code] = (agency, person)
        return code

    def code_request(self, body: dict[str, str]) -> tuple[HTTPStatus, dict[str, Any]]:
        with self.lock:
            earlier = self.processing.get(body["processing_no"])
            if earlier is not None and earlier != body:
                return HTTPStatus.CONFLICT, {"error": "conflict"}
            self.processing[body["processing_no"]] = body
            code = self.issue_code(body["agency"], body["resident_code"])
            self.collecting.add(body["agency"])
            return HTTPStatus.OK, {"result": "already_received" if earlier else "accepted", "code": code}

    def inquire(self, body: dict[str, Any], person: str | None = None) -> tuple[HTTPStatus, dict[str, Any]]:
        """A 情報照会 (``person`` given: asked by a simulated agency through the control)."""
        with self.lock:
            earlier = self.inquiries.get(body["inquiry_id"])
            if earlier is not None:
                return HTTPStatus.OK, _public(earlier)
            if (body["affair"], body["item"]) not in self.permits:
                return HTTPStatus.FORBIDDEN, {"error": "not_permitted"}
            if person is None:
                owner = self.people.get(str(body.get("code", "")))
                if owner is None or owner[0] != body["requester"]:
                    return HTTPStatus.NOT_FOUND, {"error": "unknown_code"}
                person = owner[1]
            inquiry: dict[str, Any] = {**{k: body[k] for k in INQUIRY_FIELDS}, "person": person, "data": None}
            provider = body["provider"]
            if provider in self.collecting:
                inquiry["status"] = "pending"
            else:
                data = self.holdings.get((provider, person, body["item"]))
                inquiry["status"], inquiry["data"] = ("answered", data) if data is not None else ("not_found", None)
            self.inquiries[body["inquiry_id"]] = inquiry
            return HTTPStatus.OK, _public(inquiry)

    def pending_for(self, provider: str) -> list[dict[str, Any]]:
        with self.lock:
            waiting = [i for i in self.inquiries.values() if i["provider"] == provider and i["status"] == "pending"]
            out = []
            for inquiry in waiting:
                code = self.issue_code(provider, inquiry["person"])  # the provider's own 符号
                out.append({**{k: inquiry[k] for k in INQUIRY_FIELDS}, "code": code})
            return out

    def answer(self, provider: str, body: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        with self.lock:
            inquiry = self.inquiries.get(body["inquiry_id"])
            if inquiry is None or inquiry["provider"] != provider:
                return HTTPStatus.NOT_FOUND, {"error": "unknown_inquiry"}
            status, data = body["status"], body.get("data")
            if inquiry["status"] in FINAL:
                if (inquiry["status"], inquiry["data"]) == (status, data):
                    return HTTPStatus.OK, {"result": "already_received"}
                return HTTPStatus.CONFLICT, {"error": "conflict"}
            if status == "deferred" and inquiry["status"] == "deferred":
                return HTTPStatus.OK, {"result": "already_received"}
            inquiry["status"], inquiry["data"] = status, data if status == "answered" else None
            return HTTPStatus.OK, {"result": "accepted"}


def _public(inquiry: dict[str, Any]) -> dict[str, Any]:
    return {"inquiry_id": inquiry["inquiry_id"], "status": inquiry["status"], "data": inquiry["data"]}


class SimulatorServer(SignedServer[NetworkBook]):
    def __init__(
        self,
        address: tuple[str, int],
        book: NetworkBook,
        key: Ed25519PrivateKey,
        client_key: Ed25519PublicKey | Path | None,
        *,
        provider: str,
        seal_key: X25519PrivateKey,
        client_seal_key: X25519PublicKey | Path | None,
    ) -> None:
        super().__init__(address, _Handler, book, key, client_key)
        self.provider = provider  # the municipality whose key is trusted (its 中間サーバー)
        self.seal_key = seal_key  # opens what the 中間サーバー sends
        self.client_seal_key = client_seal_key  # what the answers are sealed to

    def sealed_to(self) -> X25519PublicKey | None:
        if isinstance(self.client_seal_key, Path):
            try:
                return sealed.load_public(self.client_seal_key)
            except (OSError, ValueError):
                return None
        return self.client_seal_key


class _Handler(SignedHandler):
    server: SimulatorServer
    server_version = "provision-network-simulator/1"

    def _wrap(self, status: HTTPStatus, body: bytes, request_signature: str) -> tuple[bytes, str]:
        recipient = self.server.sealed_to() if request_signature else None
        if recipient is None:  # the unsigned control and health answers
            return body, "application/json"
        return sealed.seal(body, recipient, sealed.answer_context(int(status), request_signature)), sealed.CONTENT_TYPE

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == REQUESTS:
            self._requests()
        elif path == HEALTH:
            self._reply(HTTPStatus.OK, {"status": "ok"})
        elif path.startswith(CONTROL_INQUIRY):
            inquiry = self.server.book.inquiries.get(path[len(CONTROL_INQUIRY) :])
            if inquiry is None:
                self._reply(HTTPStatus.NOT_FOUND, {"error": "unknown_inquiry"})
            else:
                self._reply(HTTPStatus.OK, _public(inquiry))
        elif path == CONTROL:
            book = self.server.book
            self._reply(HTTPStatus.OK, {"down": book.down, "inquiries": len(book.inquiries)})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def do_POST(self) -> None:
        raw = self._read()
        if raw is None:
            return
        routes = {CONTROL: self._control, CODES: self._codes, INQUIRIES: self._inquiry, ANSWERS: self._answer}
        route = routes.get(self.path)
        if route is None:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        route(raw)

    def _gate(self, raw: bytes) -> tuple[str, Any] | None:
        """Authenticate, apply the down switch, open the sealed body and parse its JSON: (request
        signature, body)."""
        book = self.server.book
        with book.lock:
            book.requests += 1
        signed = self._signed(raw)
        if signed is None:
            return None
        signature = signed[1]
        if book.down:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "maintenance"}, signature)
            return None
        if raw:
            try:
                raw = sealed.open_sealed(raw, self.server.seal_key, sealed.request_context(self.command, self.path))
            except sealed.SealError as exc:  # the code only: nothing of the content is logged or kept
                code = str(exc)
                logger.warning("refused %s %s: %s", self.command, urlsplit(self.path).path, code)
                with book.lock:
                    book.refused[code] = book.refused.get(code, 0) + 1
                self._reply(HTTPStatus.BAD_REQUEST, {"error": code}, signature)
                return None
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        return signature, body

    def _codes(self, raw: bytes) -> None:
        gated = self._gate(raw)
        if gated is None:
            return
        signature, body = gated
        fields = ("processing_no", "agency", "resident_code")
        if not isinstance(body, dict) or set(body) != set(fields) or not all(_str(body[f]) for f in fields):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        if body["agency"] != self.server.provider or not (
            len(body["resident_code"]) == 11 and body["resident_code"].isdigit()
        ):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        status, answer = self.server.book.code_request(body)
        self._reply(status, answer, signature)

    def _inquiry(self, raw: bytes) -> None:
        gated = self._gate(raw)
        if gated is None:
            return
        signature, body = gated
        if not isinstance(body, dict) or not all(_str(body.get(f)) for f in (*INQUIRY_FIELDS, "code")):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        if body["requester"] != self.server.provider:  # a signer asks only in its own name
            self._reply(HTTPStatus.FORBIDDEN, {"error": "not_permitted"}, signature)
            return
        status, answer = self.server.book.inquire(body)
        self._reply(status, answer, signature)

    def _requests(self) -> None:
        gated = self._gate(b"")
        if gated is None:
            return
        signature, _ = gated
        provider = (parse_qs(urlsplit(self.path).query).get("provider") or [""])[0]
        if provider != self.server.provider:
            self._reply(HTTPStatus.FORBIDDEN, {"error": "not_permitted"}, signature)
            return
        self._reply(HTTPStatus.OK, {"requests": self.server.book.pending_for(provider)}, signature)

    def _answer(self, raw: bytes) -> None:
        gated = self._gate(raw)
        if gated is None:
            return
        signature, body = gated
        if (
            not isinstance(body, dict)
            or not _str(body.get("inquiry_id"))
            or body.get("status") not in ("answered", "not_found", "withheld", "deferred")
            or (body["status"] == "answered" and not isinstance(body.get("data"), dict))
        ):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        status, answer = self.server.book.answer(self.server.provider, body)
        self._reply(status, answer, signature)

    def _control(self, raw: bytes) -> None:
        try:
            changes = json.loads(raw)
        except ValueError:
            changes = None
        book = self.server.book
        allowed = {"down", "permit", "holding", "ask", "issue_code"}
        if not isinstance(changes, dict) or not set(changes) <= allowed:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        answer: dict[str, Any] = {}
        try:
            for affair, item in changes.get("permit", []):
                book.permits.add((str(affair), str(item)))
            holding = changes.get("holding")
            if holding:
                key = (holding["agency"], holding["resident_code"], holding["item"])
                book.holdings[key] = holding["data"]
            issued = changes.get("issue_code")
            if issued:
                with book.lock:
                    answer["code"] = book.issue_code(issued["agency"], issued["resident_code"])
            ask = changes.get("ask")
            if ask:
                status, answer["inquiry"] = book.inquire(ask, person=str(ask["resident_code"]))
                answer["status"] = int(status)
        except (KeyError, TypeError, ValueError):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        book.down = bool(changes.get("down", book.down))
        self._reply(HTTPStatus.OK, {"down": book.down, **answer})


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: NetworkBook | None = None,
    provider: str = "112194",
    seal_key: X25519PrivateKey | None = None,
    client_seal_key: X25519PublicKey | Path | None = None,
) -> SimulatorServer:
    return SimulatorServer(
        (host, port),
        book or NetworkBook(),
        key or Ed25519PrivateKey.generate(),
        client_key,
        provider=provider,
        seal_key=seal_key or X25519PrivateKey.generate(),
        client_seal_key=client_seal_key,
    )


def make_demo_server(host: str, port: int, key_dir: Path, provider: str = "112194") -> SimulatorServer:
    """Own keys kept in ``key_dir``, their public halves written where jumin looks for them
    (``provision_network_ed25519.pub``, ``provision_network_x25519.pub``), jumin's
    ``cs_ed25519.pub`` trusted and its ``cs_x25519.pub`` sealed to."""
    key = demo_key(key_dir, OWN_KEY, OWN_PUBLIC)
    seal_key = sealed.load_or_create_key(key_dir / OWN_SEAL_KEY)
    sealed.write_public(key_dir / OWN_SEAL_PUBLIC, seal_key.public_key())
    return make_server(
        host,
        port,
        key=key,
        client_key=key_dir / CLIENT_PUBLIC,
        provider=provider,
        seal_key=seal_key,
        client_seal_key=key_dir / CLIENT_SEAL_PUBLIC,
    )


class RunningSimulator(Running[SimulatorServer]):
    @property
    def book(self) -> NetworkBook:
        return self.server.book


@contextmanager
def running(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: NetworkBook | None = None,
    provider: str = "112194",
    seal_key: X25519PrivateKey | None = None,
    client_seal_key: X25519PublicKey | Path | None = None,
) -> Iterator[RunningSimulator]:
    server = make_server(
        host,
        port,
        key=key,
        client_key=client_key,
        book=book,
        provider=provider,
        seal_key=seal_key,
        client_seal_key=client_seal_key,
    )
    with until_exit(RunningSimulator(server, serve(server, "provision-network-simulator"))) as simulator:
        yield simulator
