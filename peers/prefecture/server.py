"""A small HTTP simulator of the 都道府県サーバ (prefecture server of 住基ネット) receiving
本人確認情報 updates from one municipality's CS (standard library plus ``cryptography``; it
deliberately does not import jumin, so the tests check jumin against an independent peer).

Protocol (docs/jukinet.md):

``POST /identity-updates``  one telegram (JSON), signed with the municipality's Ed25519 key
    (headers ``X-Jukinet-Key-Id``, ``X-Jukinet-Timestamp``, ``X-Jukinet-Signature``).
    ``update_seq`` must be exactly the next 更新順番号 of that key: a gap is refused (409
    ``gap``, with ``expected``), an update_seq already received with the same
    ``idempotency_key`` answers 200 ``already_received``; with another key 409 ``conflict``.
    A telegram whose 異動事由 contradicts what the prefecture holds for that 住民票コード (a 記載
    ``add:…`` of a person held 現存, a 消除 ``remove:…`` of one held 消除) is refused 409
    ``reason_mismatch``; its number stays open.  ``error_update_seq`` (item 30 異常時更新順番号,
    null otherwise) names a refused number: the telegram replaces it — accepted in the place of
    that number (its own 更新順番号 counts as received too, so the sequence later skips it);
    one naming a number never refused is 409 ``not_refused``, a second replacement of the same
    place 409 ``already_replaced``.
``POST /protection-flags`` a 支援措置 block set/release (``action`` set|release, ``block_id``,
    ``resident_codes``), signed; its own 更新順番号 sequence per key with the same rules
    (gap, conflict, already_received); ``book.protected_codes()`` is what is flagged now.
``POST /identity-queries``  本人確認情報照会 (signed both ways): the records held that match a
    住民票コード, a 個人番号 or the 4情報 (:mod:`peers.prefecture.query`).  The same server plays
    the 全国サーバ (``peers.national``: other key files, a book holding every municipality).
``GET /health``             ``{"status": "ok"}`` (unsigned).
``GET|POST /control``       the fault switches (test only): ``down`` (answer 503 ``maintenance``),
    ``delay`` (seconds before processing), ``fail_next`` (answer the next N telegrams 503
    ``maintenance`` without storing them), ``tamper_responses`` (corrupt our answer's signature).

Every answer to a telegram is signed with the simulator's key, binding the request's signature.
Errors: 400 ``bad_request``, 401 ``unknown_key`` / ``stale_timestamp`` / ``bad_signature``,
404 ``not_found``, 409 ``gap`` / ``conflict`` / ``reason_mismatch`` / ``not_refused`` /
``already_replaced``, 413 ``too_large``, 503 ``maintenance``.
The received records live in memory; nothing is logged except the method and the path.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from peers.prefecture import query
from peers.prefecture.reconciliation import RECONCILIATION, Copy, Reconciler, comparable, digest, load_copy
from peers.serving import Running, serve, until_exit
from peers.signed import (
    MAX_BODY,
    SignedHandler,
    SignedServer,
    demo_key,
    write_public,  # noqa: F401  (re-exported: tests write keys with it)
)

UPDATES = "/identity-updates"
FLAGS = "/protection-flags"
QUERIES = "/identity-queries"
FLAG_REQUIRED = ("update_seq", "idempotency_key", "action", "block_id", "resident_codes")
HEALTH = "/health"
CONTROL = "/control"
MAX_PART = 32 << 20  # one part of the 整合性確認 upload (peers.prefecture.reconciliation)
OWN_KEY = "prefecture_sim_ed25519.key"
OWN_PUBLIC = "prefecture_ed25519.pub"
CLIENT_PUBLIC = "cs_ed25519.pub"
RECONCILIATION_KEY = "reconciliation.key"
REQUIRED = ("resident_code", "update_seq", "idempotency_key", "name", "birth_text", "sex", "address", "reason")


@dataclass
class Received:
    update_seq: int
    idempotency_key: str
    body: dict[str, Any]


@dataclass
class Refused:
    """A 更新順番号 refused for its 異動事由: ``slot`` is the number whose place is still open
    (itself, or for a refused replacement the place that one was to fill)."""

    slot: int
    idempotency_key: str
    replaced_by: int | None = None


@dataclass
class Faults:
    down: bool = False
    delay: float = 0.0
    fail_next: int = 0
    tamper_responses: bool = False


@dataclass
class PrefectureBook:
    """What the prefecture holds: the telegrams received per municipality key, in order, and
    the latest 本人確認情報 per 住民票コード."""

    received: dict[str, list[Received]] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # 整合性確認: the shared key of the 個人番号 hash, the copy loaded out of band, the sessions
    reconciliation_key: bytes = b""
    copy: Copy | None = None
    reconciler: Reconciler = field(default_factory=Reconciler)

    def _baseline(self) -> int:
        """The last 更新順番号 of the copy loaded out of band (0 without one)."""
        return self.copy.last_seq if self.copy is not None else 0

    refused: dict[str, dict[int, Refused]] = field(default_factory=dict)  # per key: 異動事由 refusals
    consumed: dict[str, set[int]] = field(default_factory=dict)  # per key: numbers received or replaced

    def _expected(self, kid: str) -> int:
        """The lowest 更新順番号 after the baseline not yet received (nor filled by a replacement)."""
        taken = self.consumed.get(kid, set())
        number = self._baseline() + 1
        while number in taken:
            number += 1
        return number

    def last_seq(self, kid: str) -> int:
        return self._expected(kid) - 1

    def _held(self, code: str) -> dict[str, Any] | None:
        body = self.records.get(code)
        if body is None and self.copy is not None:
            body = self.copy.body(code)
        return body

    def _reason_mismatch(self, body: dict[str, Any]) -> bool:
        """A 記載 of a person held 現存, or a 消除 of a person held 消除."""
        held = self._held(body["resident_code"])
        if held is None:
            return False
        category = str(body.get("reason_detail") or "").split(":")[0]
        status = held.get("record_status")
        return (category == "add" and status == "current") or (category == "remove" and status == "removed")

    def held_digest(self, code: str) -> str | None:
        body = self.records.get(code)
        if body is not None:
            return digest(body, self.reconciliation_key)
        return self.copy.digests.get(code) if self.copy is not None else None

    def held_codes(self) -> set[str]:
        codes = set(self.records)
        if self.copy is not None:
            codes.update(self.copy.digests)
        return codes

    def held_items(self, code: str) -> dict[str, Any] | None:
        body = self.records.get(code)
        if body is None and self.copy is not None:
            body = self.copy.body(code)
        return comparable(body, self.reconciliation_key) if body is not None else None

    def held_bodies(self) -> Iterator[dict[str, Any]]:
        """Every 本人確認情報 held: received telegrams first, then the copy's records not overridden."""
        with self.lock:
            received = list(self.records.values())
        yield from received
        if self.copy is not None:
            seen = {body["resident_code"] for body in received}
            for code in list(self.copy.offsets):
                body = self.copy.body(code) if code not in seen else None
                if body is not None:
                    yield body

    def accept(self, kid: str, body: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        seq, key = body["update_seq"], body["idempotency_key"]
        with self.lock:
            telegrams = self.received.setdefault(kid, [])
            taken = self.consumed.setdefault(kid, set())
            if seq in taken or seq <= self._baseline():
                earlier = next((t for t in telegrams if t.update_seq == seq), None)
                if earlier is not None and earlier.idempotency_key == key:
                    return HTTPStatus.OK, {"result": "already_received", "update_seq": seq}
                return HTTPStatus.CONFLICT, {"error": "conflict", "update_seq": seq}
            refusals = self.refused.setdefault(kid, {})
            slot, refusal = self._slot(refusals, seq, key, body.get("error_update_seq"))
            if refusal is not None:
                return HTTPStatus.CONFLICT, refusal
            expected = self._expected(kid)
            if slot != expected:
                return HTTPStatus.CONFLICT, {"error": "gap", "expected": expected}
            if self._reason_mismatch(body):
                refusals[seq] = Refused(slot, key)
                return HTTPStatus.CONFLICT, {"error": "reason_mismatch", "update_seq": seq}
            for number, refused in refusals.items():
                if refused.slot == slot:  # the place is filled: every refused number for it is closed
                    refused.replaced_by = seq
                    taken.add(number)
            telegrams.append(Received(seq, key, body))
            taken.update((seq, slot))
            self.records[body["resident_code"]] = body
            return HTTPStatus.OK, {"result": "accepted", "update_seq": seq}

    @staticmethod
    def _slot(
        refusals: dict[int, Refused], seq: int, key: str, replaces: int | None
    ) -> tuple[int, dict[str, Any] | None]:
        """The place a telegram fills (its own number, or the refused number it replaces), or
        why it cannot fill one."""
        own = refusals.get(seq)
        if own is not None and (own.idempotency_key != key or own.replaced_by is not None):
            return seq, {"error": "conflict" if own.idempotency_key != key else "already_replaced", "update_seq": seq}
        if replaces is None:
            return seq, None
        named = refusals.get(replaces)
        if named is None:
            return seq, {"error": "not_refused", "error_update_seq": replaces}
        if named.replaced_by is not None:
            return seq, {"error": "already_replaced", "error_update_seq": replaces}
        return named.slot, None

    def sequence(self, kid: str) -> list[int]:
        with self.lock:
            return [t.update_seq for t in self.received.get(kid, [])]

    flags: dict[str, list[Received]] = field(default_factory=dict)  # 支援措置, per key, in order
    blocks: dict[int, list[str]] = field(default_factory=dict)  # block id -> 住民票コード flagged

    def accept_flag(self, kid: str, body: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        seq, key = body["update_seq"], body["idempotency_key"]
        with self.lock:
            flags = self.flags.setdefault(kid, [])
            last = flags[-1].update_seq if flags else 0
            if seq <= last:
                earlier = next((t for t in flags if t.update_seq == seq), None)
                if earlier is not None and earlier.idempotency_key == key:
                    return HTTPStatus.OK, {"result": "already_received", "update_seq": seq}
                return HTTPStatus.CONFLICT, {"error": "conflict", "update_seq": seq}
            if seq != last + 1:
                return HTTPStatus.CONFLICT, {"error": "gap", "expected": last + 1}
            flags.append(Received(seq, key, body))
            if body["action"] == "set":
                self.blocks[body["block_id"]] = list(body["resident_codes"])
            else:
                self.blocks.pop(body["block_id"], None)
            return HTTPStatus.OK, {"result": "accepted", "update_seq": seq}

    def protected_codes(self) -> set[str]:
        with self.lock:
            return {code for codes in self.blocks.values() for code in codes}


class SimulatorServer(SignedServer[PrefectureBook]):
    """jumin's public key may be a path: it is read at each request (the demo's jumin writes its
    key on first use, possibly after the simulator started)."""

    def __init__(
        self,
        address: tuple[str, int],
        book: PrefectureBook,
        key: Ed25519PrivateKey,
        client_key: Ed25519PublicKey | Path | None,
    ) -> None:
        super().__init__(address, _Handler, book, key, client_key)


class _Handler(SignedHandler):
    server: SimulatorServer
    server_version = "prefecture-simulator/1"

    def tampered(self) -> bool:
        return self.server.book.faults.tamper_responses

    def _read(self, limit: int = MAX_BODY) -> bytes | None:
        return super()._read(MAX_PART if self.path.startswith(RECONCILIATION) else limit)

    def do_GET(self) -> None:
        if self.path == HEALTH:
            self._reply(HTTPStatus.OK, {"status": "ok"})
        elif self.path == CONTROL:
            self._reply(HTTPStatus.OK, self._faults())
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def _faults(self) -> dict[str, Any]:
        faults = self.server.book.faults
        return {
            "down": faults.down,
            "delay": faults.delay,
            "fail_next": faults.fail_next,
            "tamper_responses": faults.tamper_responses,
            "received": sum(len(v) for v in self.server.book.received.values()),
        }

    def do_POST(self) -> None:
        raw = self._read()
        if raw is None:
            return
        if self.path == CONTROL:
            self._control(raw)
        elif self.path in (UPDATES, FLAGS):
            self._update(raw)
        elif self.path == QUERIES:
            self._query(raw)
        elif self.path.startswith(RECONCILIATION):
            self._reconciliation(raw)
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def _control(self, raw: bytes) -> None:
        try:
            changes = json.loads(raw)
        except ValueError:
            changes = None
        faults = self.server.book.faults
        if not isinstance(changes, dict) or not set(changes) <= {"down", "delay", "fail_next", "tamper_responses"}:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        faults.down = bool(changes.get("down", faults.down))
        faults.delay = float(changes.get("delay", faults.delay))
        faults.fail_next = int(changes.get("fail_next", faults.fail_next))
        faults.tamper_responses = bool(changes.get("tamper_responses", faults.tamper_responses))
        self._reply(HTTPStatus.OK, self._faults())

    def _admit(self, raw: bytes) -> tuple[str, str] | None:
        """A counted, signed request the server is up for: (kid, signature), or None when it
        has been answered already (bad signature, maintenance); the configured delay first."""
        book = self.server.book
        with book.lock:
            book.requests += 1
        signed = self._signed(raw)
        if signed is None:
            return None
        if book.faults.delay:
            time.sleep(book.faults.delay)
        if book.faults.down:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "maintenance"}, signed[1])
            return None
        return signed

    def _update(self, raw: bytes) -> None:
        admitted = self._admit(raw)
        if admitted is None:
            return
        kid, signature = admitted
        book = self.server.book
        faults = book.faults
        with book.lock:
            failing = faults.fail_next > 0
            faults.fail_next = max(0, faults.fail_next - 1)
        if failing:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "maintenance"}, signature)
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        flag = self.path == FLAGS
        if (
            not isinstance(body, dict)
            or any(name not in body for name in (FLAG_REQUIRED if flag else REQUIRED))
            or not isinstance(body["update_seq"], int)
            or not isinstance(body["idempotency_key"], str)
            or not isinstance(body.get("error_update_seq"), (int, type(None)))
            or (flag and (body["action"] not in ("set", "release") or not isinstance(body["resident_codes"], list)))
        ):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"}, signature)
            return
        status, answer = book.accept_flag(kid, body) if flag else book.accept(kid, body)
        self._reply(status, answer, signature)

    def _query(self, raw: bytes) -> None:
        """本人確認情報照会 (peers.prefecture.query); signed request, signed answer."""
        admitted = self._admit(raw)
        if admitted is None:
            return
        signature = admitted[1]
        book = self.server.book
        try:
            ask = json.loads(raw)
        except ValueError:
            ask = None
        status, payload = query.answer(ask, book.held_bodies)
        self._reply(status, payload, signature)

    def _reconciliation(self, raw: bytes) -> None:
        """整合性確認 (peers.prefecture.reconciliation.answer); every step is a signed request."""
        signed = self._signed(raw)
        if signed is None:
            return
        signature = signed[1]
        if self.server.book.faults.down:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "maintenance"}, signature)
            return
        book = self.server.book
        status, payload = book.reconciler.answer(self.path, raw, book.held_digest, book.held_codes, book.held_items)
        self._reply(HTTPStatus(status), payload, signature)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: PrefectureBook | None = None,
) -> SimulatorServer:
    """A simulator bound to ``host:port`` (port 0: any free port), not yet serving."""
    return SimulatorServer((host, port), book or PrefectureBook(), key or Ed25519PrivateKey.generate(), client_key)


def make_demo_server(
    host: str,
    port: int,
    key_dir: Path,
    copy: Path | None = None,
    *,
    own_key: str = OWN_KEY,
    own_public: str = OWN_PUBLIC,
) -> SimulatorServer:
    """The simulator of ``python -m peers.prefecture --key-dir DIR``: its own key kept in DIR,
    its public key written where jumin looks for it, jumin's public key read from DIR.
    ``peers.national`` passes the 全国サーバ's key file names."""
    key = demo_key(key_dir, own_key, own_public)
    server = make_server(host, port, key=key, client_key=key_dir / CLIENT_PUBLIC)
    shared = key_dir / RECONCILIATION_KEY  # the 整合性確認 key jumin writes (jukinet.reconciliation)
    if shared.exists():
        server.book.reconciliation_key = base64.urlsafe_b64decode(shared.read_text(encoding="ascii").strip())
    if copy is not None:
        server.book.copy = load_copy(copy, server.book.reconciliation_key)
    return server


class RunningSimulator(Running[SimulatorServer]):
    @property
    def book(self) -> PrefectureBook:
        return self.server.book


def start(server: SimulatorServer) -> RunningSimulator:
    return RunningSimulator(server, serve(server, "prefecture-simulator"))


@contextmanager
def running(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    key: Ed25519PrivateKey | None = None,
    client_key: Ed25519PublicKey | Path | None = None,
    book: PrefectureBook | None = None,
) -> Iterator[RunningSimulator]:
    """The simulator serving in a background thread for the duration of the block."""
    with until_exit(start(make_server(host, port, key=key, client_key=client_key, book=book))) as simulator:
        yield simulator
