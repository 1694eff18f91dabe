"""A small HTTP simulator of the other municipalities on 住基ネット, for 転入通知 (住基法9条1項)
both ways (standard library plus ``cryptography``; it does not import jumin).

Protocol (docs/jukinet.md, "転入通知"), every request signed with the municipality CS's Ed25519
key, every answer signed with the simulator's key binding the request's signature:

``POST /move-in-notices``  one 転入通知 from jumin to ``to_municipality_code``.  ``update_seq`` must
    be the next 更新順番号 of that (sender key, destination): a gap is refused (409 ``gap``); a number
    already received with the same ``idempotency_key`` answers 200 ``already_received``.
``GET /inbox?to=CODE``      the notices other municipalities sent to CODE, not yet acknowledged.
``POST /inbox/ack``         ``{"to": CODE, "ids": [idempotency_key, …]}``: drop those.
``GET /health``             unsigned.
``POST /control``           ``{"send": {…notice…}}`` queues a notice for its ``to_municipality_code``
    (what a test or the demo uses to make another municipality send jumin a 転入通知);
    ``{"send_certificate": {…}}`` does the same with a 転出証明書情報, ``{"prepare_certificate": {…}}``
    makes a municipality hold one without sending it (it goes out on a 送信依頼).

特例転出・特例転入 (法24条の2), the same signatures:

``POST /move-out-certificates``           a 転出証明書情報 from jumin to ``to_municipality_code``, in the
    same ordered stream (更新順番号) as the 転入通知 to that municipality.
``GET /move-out-certificates/inbox?to=CODE``  the 転出証明書情報 sent to CODE, not yet acknowledged:
    ``{"certificates": [ … ]}``.
``POST /move-out-certificates/inbox/ack``  ``{"to": CODE, "ids": [idempotency_key, …]}``.
``POST /move-out-certificates/requests``   送信依頼 ``{"from_municipality_code": requester,
    "to_municipality_code": former, "resident_code": …}`` (or ``name``, ``birth_text``, ``sex``):
    the former municipality queues the certificates it holds for that person into the
    requester's inbox — 200 ``{"result": "queued", "count": n}``, 404 ``{"error": "not_found"}``.

広域交付 (住基法12条の4), the simulated 住基ネット relay between a 交付地 and a 住所地:

``POST /wide-area/requests``  a 広域交付 request from jumin's CS (signed) for ``to_municipality_code``:
    relayed to that 住所地 and its answer returned (signed by the relay).  A 住所地 whose CS is a
    jumin (``book.wide_area_endpoints``: URL and the relay's API key there) gets the request over
    HTTP at ``/api/v1/jukinet/wide-area/requests``, signed with the relay's key; its answer must
    be signed with jumin's key.  A simulated 住所地 (``book.hold_resident``) answers from the
    residents it holds.  404 ``unknown_municipality``, 503 ``unavailable`` (``book.down`` or the
    住所地 not answering), 502 ``bad_answer`` (the 住所地's answer not signed by it).
    :meth:`SimulatorServer.relay_wide_area` is what a test uses to make another municipality's
    counter ask jumin.  ``book.wide_area_log`` keeps what was relayed (request id, codes, outcome —
    not the card).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from peers.serving import Running, serve, until_exit
from peers.signed import SignedHandler, SignedServer, b64, demo_key, key_id

NOTICES = "/move-in-notices"
CERTIFICATES = "/move-out-certificates"
CERTIFICATE_INBOX = "/move-out-certificates/inbox"
CERTIFICATE_ACK = "/move-out-certificates/inbox/ack"
CERTIFICATE_REQUESTS = "/move-out-certificates/requests"
CERTIFICATE_KIND = "move_out_certificate"
CERTIFICATE_REQUIRED = (
    "to_municipality_code",
    "from_municipality_code",
    "update_seq",
    "idempotency_key",
    "resident_code",
    "name",
    "birth_text",
    "planned_move_out_on",
    "destination",
)
WIDE_AREA = "/wide-area/requests"
CS_WIDE_AREA = "/api/v1/jukinet/wide-area/requests"
MAX_WIDE_AREA_ANSWER = 4 << 20
INBOX = "/inbox"
ACK = "/inbox/ack"
OWN_KEY = "municipality_sim_ed25519.key"
OWN_PUBLIC = "municipality_ed25519.pub"
CLIENT_PUBLIC = "cs_ed25519.pub"
REQUIRED = ("to_municipality_code", "update_seq", "idempotency_key", "resident_code", "name", "moved_in_on", "address")


@dataclass
class MunicipalityBook:
    """What the other municipalities hold: the notices received from jumin per destination (in
    order), and the notices waiting for jumin per municipality code."""

    received: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    outbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    certificate_outbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    issued: list[dict[str, Any]] = field(default_factory=list)  # 転出証明書情報 the municipalities hold
    # 広域交付: 住所地 whose CS is a jumin (code -> (base URL, API key)), simulated 住所地 residents
    wide_area_endpoints: dict[str, tuple[str, str]] = field(default_factory=dict)
    wide_area_residents: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    wide_area_log: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hold_resident(self, code: str, municipality: str, card_face: dict[str, str], answer: dict[str, Any]) -> None:
        """A simulated 住所地 ``code`` holds a resident: the card's 券面事項 that finds them and the
        answer it gives (``{"content": …}`` or ``{"reason_code": …, "message": …}``)."""
        with self.lock:
            held = {"municipality": municipality, "card_face": dict(card_face), "answer": dict(answer)}
            self.wide_area_residents.setdefault(code, []).append(held)

    def answer_held(self, code: str, body: dict[str, Any]) -> dict[str, Any]:
        face = body.get("card_face") if isinstance(body.get("card_face"), dict) else {}
        with self.lock:
            held = self.wide_area_residents.get(code, [])
            found = next((h for h in held if h["card_face"] == face), None)
            municipality = held[0]["municipality"] if held else code
        reply: dict[str, Any] = {
            "request_id": body.get("request_id"),
            "municipality_code": code,
            "municipality": municipality,
            "outcome": "answered",
            "reason_code": "",
            "message": "",
            "content": None,
            "whole_household": False,
        }
        if found is None:
            return reply | {"outcome": "refused", "reason_code": "W020", "message": "住民票がありません。"}
        answer = found["answer"]
        if answer.get("reason_code"):
            return reply | {
                "outcome": "refused",
                "reason_code": answer["reason_code"],
                "message": answer.get("message", ""),
            }
        return reply | {"content": answer["content"], "whole_household": bool(answer.get("whole_household"))}

    def log_wide_area(self, body: dict[str, Any], status: int, reply: dict[str, Any]) -> None:
        with self.lock:
            self.wide_area_log.append(
                {
                    "request_id": body.get("request_id"),
                    "from": body.get("from_municipality_code"),
                    "to": body.get("to_municipality_code"),
                    "status": status,
                    "outcome": reply.get("outcome", reply.get("error", "")),
                    "reason_code": reply.get("reason_code", ""),
                }
            )

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

    def notices_to(self, code: str) -> list[dict[str, Any]]:
        """Every 転入通知 jumin sent to the municipality ``code`` (all sender keys), in order."""
        with self.lock:
            return [
                n
                for (_, to), ns in self.received.items()
                if to == code
                for n in ns
                if n.get("kind") != CERTIFICATE_KIND
            ]

    def certificates_to(self, code: str) -> list[dict[str, Any]]:
        """Every 転出証明書情報 jumin sent to the municipality ``code``, in order."""
        with self.lock:
            return [
                n
                for (_, to), ns in self.received.items()
                if to == code
                for n in ns
                if n.get("kind") == CERTIFICATE_KIND
            ]

    def sequence_to(self, code: str) -> list[int]:
        """The 更新順番号 of everything jumin sent to ``code`` (notices and certificates), as received."""
        with self.lock:
            return [n["update_seq"] for (_, to), ns in self.received.items() if to == code for n in ns]

    def prepare_certificate(self, certificate: dict[str, Any]) -> None:
        """A municipality holds a 転出証明書情報 for ``to_municipality_code`` (not sent yet)."""
        with self.lock:
            self.issued.append(dict(certificate))

    def send_certificate(self, certificate: dict[str, Any]) -> None:
        """A municipality sends a 転出証明書情報 to ``to_municipality_code`` (and holds it)."""
        with self.lock:
            self.issued.append(dict(certificate))
            self.certificate_outbox.setdefault(str(certificate["to_municipality_code"]), []).append(dict(certificate))

    def certificates_waiting(self, code: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.certificate_outbox.get(code, []))

    def acknowledge_certificates(self, code: str, ids: list[str]) -> int:
        with self.lock:
            before = self.certificate_outbox.get(code, [])
            self.certificate_outbox[code] = [c for c in before if c.get("idempotency_key") not in set(ids)]
            return len(before) - len(self.certificate_outbox[code])

    def request_certificate(self, request: dict[str, Any]) -> int:
        """送信依頼: queue again the held certificates of the person for the requester."""
        requester, former = str(request.get("from_municipality_code")), str(request.get("to_municipality_code"))

        def matches(c: dict[str, Any]) -> bool:
            if str(c.get("from_municipality_code")) != former or str(c.get("to_municipality_code")) != requester:
                return False
            if request.get("resident_code"):
                return bool(c.get("resident_code") == request["resident_code"])
            return all(c.get(k) == request.get(k) for k in ("name", "birth_text", "sex"))

        with self.lock:
            found = [c for c in self.issued if matches(c)]
            waiting = self.certificate_outbox.setdefault(requester, [])
            keys = {c.get("idempotency_key") for c in waiting}
            waiting.extend(dict(c) for c in found if c.get("idempotency_key") not in keys)
            return len(found)

    def send(self, notice: dict[str, Any]) -> None:
        """Another municipality sends a 転入通知 (to ``to_municipality_code``)."""
        with self.lock:
            self.outbox.setdefault(str(notice["to_municipality_code"]), []).append(dict(notice))

    def waiting(self, code: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.outbox.get(code, []))

    def acknowledge(self, code: str, ids: list[str]) -> int:
        with self.lock:
            before = self.outbox.get(code, [])
            self.outbox[code] = [n for n in before if n.get("idempotency_key") not in set(ids)]
            return len(before) - len(self.outbox[code])


class SimulatorServer(SignedServer[MunicipalityBook]):
    def __init__(
        self,
        address: tuple[str, int],
        book: MunicipalityBook,
        key: Ed25519PrivateKey,
        client_key: Ed25519PublicKey | Path | None,
    ) -> None:
        super().__init__(address, _Handler, book, key, client_key)

    def relay_wide_area(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """住基ネット carries a 広域交付 request to its 住所地 and brings the answer back."""
        code = str(body.get("to_municipality_code", ""))
        if self.book.down:
            status, reply = 503, {"error": "unavailable"}
        elif code in self.book.wide_area_endpoints:
            status, reply = self._forward(code, body)
        elif code in self.book.wide_area_residents:
            status, reply = 200, self.book.answer_held(code, body)
        else:
            status, reply = 404, {"error": "unknown_municipality"}
        self.book.log_wide_area(body, status, reply)
        return status, reply

    def _forward(self, code: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        base, api_key = self.book.wide_area_endpoints[code]
        raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
        kid, timestamp = key_id(self.key.public_key()), str(int(time.time()))
        digest = hashlib.sha256(raw).hexdigest()
        message = "\n".join(("jukinet-request-v1", "POST", CS_WIDE_AREA, timestamp, kid, digest))
        signature = b64(self.key.sign(message.encode()))
        request = urllib.request.Request(  # noqa: S310 - a test/demo simulator
            base.rstrip("/") + CS_WIDE_AREA,
            data=raw,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {api_key}",
                "X-Jukinet-Key-Id": kid,
                "X-Jukinet-Timestamp": timestamp,
                "X-Jukinet-Signature": signature,
            },
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        headers: Any
        try:
            with opener.open(request, timeout=60) as response:
                status, headers, answer = response.status, response.headers, response.read(MAX_WIDE_AREA_ANSWER)
        except urllib.error.HTTPError as error:
            status, headers, answer = error.code, error.headers, error.read(MAX_WIDE_AREA_ANSWER)
        except OSError:
            return 503, {"error": "unavailable"}
        if not self._answer_signed(status, headers, signature, answer):
            return 502, {"error": "bad_answer", "status": status}
        try:
            reply = json.loads(answer)
        except ValueError:
            return 502, {"error": "bad_answer", "status": status}
        if status != 200:
            return 502, {"error": "refused_by_cs", "status": status, "code": str(reply.get("code", ""))}
        return 200, reply

    def _answer_signed(self, status: int, headers: Any, request_signature: str, body: bytes) -> bool:
        trusted = self.trusted()
        kid = headers.get("X-Jukinet-Key-Id", "")
        timestamp = headers.get("X-Jukinet-Timestamp", "")
        if trusted is None or kid != key_id(trusted) or not timestamp.isdigit():
            return False
        digest = hashlib.sha256(body).hexdigest()
        message = "\n".join(("jukinet-response-v1", str(status), timestamp, kid, request_signature, digest))
        try:
            trusted.verify(base64.urlsafe_b64decode(headers.get("X-Jukinet-Signature", "").encode()), message.encode())
        except (InvalidSignature, ValueError):
            return False
        return abs(int(timestamp) - time.time()) <= 300


class _Handler(SignedHandler):
    server: SimulatorServer
    server_version = "municipality-simulator/1"
    ensure_ascii = False

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            self._reply(HTTPStatus.OK, {"status": "ok"})
        elif url.path in (INBOX, CERTIFICATE_INBOX):
            signed = self._signed(b"")
            if signed is None:
                return
            code = (parse_qs(url.query).get("to") or [""])[0]
            if url.path == INBOX:
                self._reply(HTTPStatus.OK, {"notices": self.server.book.waiting(code)}, signed[1])
            else:
                self._reply(HTTPStatus.OK, {"certificates": self.server.book.certificates_waiting(code)}, signed[1])
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})

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
        if self.path.startswith(CERTIFICATES):
            self._certificates(raw, body)
            return
        if self.path == WIDE_AREA:
            signed = self._signed(raw)
            if signed is None:
                return
            if not isinstance(body, dict) or not isinstance(body.get("to_municipality_code"), str):
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signed[1])
                return
            status, reply = self.server.relay_wide_area(body)
            self._reply(HTTPStatus(status), reply, signed[1])
            return
        if self.path not in (NOTICES, ACK):
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        signed = self._signed(raw)
        if signed is None:
            return
        kid, signature = signed
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
            or not isinstance(body["update_seq"], int)
            or not isinstance(body["idempotency_key"], str)
        ):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        status, answer = self.server.book.accept(kid, body)
        self._reply(status, answer, signature)

    def _control(self, body: Any) -> None:
        actions = {
            "send": self.server.book.send,
            "send_certificate": self.server.book.send_certificate,
            "prepare_certificate": self.server.book.prepare_certificate,
        }
        chosen = [(name, body[name]) for name in actions if isinstance(body, dict) and isinstance(body.get(name), dict)]
        if len(chosen) != 1 or any(k not in chosen[0][1] for k in ("to_municipality_code", "idempotency_key")):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        actions[chosen[0][0]](chosen[0][1])
        self._reply(HTTPStatus.OK, {"queued": 1})

    def _certificates(self, raw: bytes, body: Any) -> None:
        """特例転出・特例転入: the four signed endpoints under /move-out-certificates."""
        if self.path not in (CERTIFICATES, CERTIFICATE_ACK, CERTIFICATE_REQUESTS):
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        signed = self._signed(raw)
        if signed is None:
            return
        kid, signature = signed
        if not isinstance(body, dict):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        if self.path == CERTIFICATE_ACK:
            if not isinstance(body.get("ids"), list):
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
                return
            dropped = self.server.book.acknowledge_certificates(str(body.get("to", "")), [str(i) for i in body["ids"]])
            self._reply(HTTPStatus.OK, {"result": "acknowledged", "count": dropped}, signature)
        elif self.path == CERTIFICATE_REQUESTS:
            if "individual_number" in body or not body.get("to_municipality_code"):
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)  # no 特定個人情報
                return
            count = self.server.book.request_certificate(body)
            if count:
                self._reply(HTTPStatus.OK, {"result": "queued", "count": count}, signature)
            else:
                self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"}, signature)
        elif (
            any(name not in body for name in CERTIFICATE_REQUIRED)
            or body.get("kind") != CERTIFICATE_KIND
            or not isinstance(body["update_seq"], int)
            or not isinstance(body["idempotency_key"], str)
        ):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
        else:
            status, answer = self.server.book.accept(kid, body)
            self._reply(status, answer, signature)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: MunicipalityBook | None = None,
) -> SimulatorServer:
    return SimulatorServer((host, port), book or MunicipalityBook(), key or Ed25519PrivateKey.generate(), client_key)


def make_demo_server(host: str, port: int, key_dir: Path) -> SimulatorServer:
    key = demo_key(key_dir, OWN_KEY, OWN_PUBLIC)
    return make_server(host, port, key=key, client_key=key_dir / CLIENT_PUBLIC)


class RunningSimulator(Running[SimulatorServer]):
    @property
    def book(self) -> MunicipalityBook:
        return self.server.book


def start(server: SimulatorServer) -> RunningSimulator:
    return RunningSimulator(server, serve(server, "municipality-simulator"))


@contextmanager
def running(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: MunicipalityBook | None = None,
) -> Iterator[RunningSimulator]:
    with until_exit(start(make_server(host, port, key=key, client_key=client_key, book=book))) as simulator:
        yield simulator
