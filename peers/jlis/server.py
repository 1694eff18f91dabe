"""A small HTTP simulator of J-LIS 個人番号生成 (standard library only, plus python-stdnum for
the check digit — deliberately not jumin's own code, so the tests check jumin against an
independent implementation).

The protocol (JSON over HTTP; the 住民票コード travels in the POST body, never in the URL):

``POST /individual-numbers/generate``  ``{"resident_code": "…11 digits…"}``
    生成: the 個人番号 of that 住民票コード.  The first request generates one at random (12 digits,
    check digit of 番号法施行令第8条); later requests for the same code return the same number,
    so a request repeated after a lost answer or a discarded 仮登録 does not use up numbers.
``POST /individual-numbers/change``  ``{"resident_code": "…", "request_id": "…"}``
    変更: a new number for a code that has one (番号法第7条第2項); the old one is retired and never
    issued again.  The same ``request_id`` for the same code returns the same new number
    (idempotent retries); an id whose change has been superseded by a later one is refused.
``GET /health``
    ``{"status": "ok"}``.

Answers: ``200 {"individual_number": "…"}`` or an error status with ``{"error": "<code>"}``:
400 ``bad_request`` / ``bad_resident_code`` / ``bad_request_id``, 404 ``unknown_resident_code``
(change of a code without a number) or ``not_found``, 409 ``superseded``, 413 ``too_large``,
503 ``maintenance`` (see :attr:`NumberIssuer.failing`).

The state lives in memory: a restarted simulator has forgotten every number it issued.
Nothing is logged except the method and the path.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

from stdnum.jp import in_ as my_number

from peers.serving import Running, UrlServer, serve, until_exit

logger = logging.getLogger(__name__)

GENERATE = "/individual-numbers/generate"
CHANGE = "/individual-numbers/change"
HEALTH = "/health"
MAX_BODY = 4096
_RESIDENT_CODE = re.compile(r"[0-9]{11}")
_REQUEST_ID = re.compile(r"[\x21-\x7e]{1,100}")


class UnknownCodeError(LookupError):
    """A change was asked for a 住民票コード that has no number yet."""


class SupersededError(LookupError):
    """A change request id whose number has since been replaced again."""


class NumberIssuer:
    """The national side's book: which 個人番号 belongs to which 住民票コード.

    ``delay`` (seconds) slows every answer down and ``failing`` makes every request answer
    503 — both for tests of jumin's timeouts and error handling."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_code: dict[str, str] = {}
        self._issued: set[str] = set()
        self._changes: dict[tuple[str, str], str] = {}
        self.delay = 0.0
        self.failing = False
        self.requests = 0

    def count_request(self) -> None:
        with self._lock:
            self.requests += 1

    def _fresh(self) -> str:
        while True:
            body = f"{secrets.randbelow(10**11):011d}"
            number = body + my_number.calc_check_digit(body)
            if number not in self._issued:
                self._issued.add(number)
                return number

    def generate(self, resident_code: str) -> str:
        with self._lock:
            if resident_code not in self._by_code:
                self._by_code[resident_code] = self._fresh()
            return self._by_code[resident_code]

    def change(self, resident_code: str, request_id: str) -> str:
        with self._lock:
            current = self._by_code.get(resident_code)
            if current is None:
                raise UnknownCodeError
            done = self._changes.get((resident_code, request_id))
            if done is not None:
                if done != current:
                    raise SupersededError
                return done
            new = self._fresh()
            self._by_code[resident_code] = new
            self._changes[(resident_code, request_id)] = new
            return new

    def number_of(self, resident_code: str) -> str | None:
        """The current number of a code (for tests: what the national side holds)."""
        with self._lock:
            return self._by_code.get(resident_code)

    @property
    def issued(self) -> int:
        with self._lock:
            return len(self._issued)


class SimulatorServer(UrlServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], issuer: NumberIssuer) -> None:
        super().__init__(address, _Handler)
        self.issuer = issuer


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    server_version = "jlis-simulator/1"
    protocol_version = "HTTP/1.1"

    def _reply(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: HTTPStatus, code: str) -> None:
        self._reply(status, {"error": code})

    def do_GET(self) -> None:
        if self.path == HEALTH:
            self._reply(HTTPStatus.OK, {"status": "ok"})
        else:
            self._error(HTTPStatus.NOT_FOUND, "not_found")

    def do_POST(self) -> None:
        issuer = self.server.issuer
        issuer.count_request()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large")
            return
        raw = self.rfile.read(length)
        if issuer.delay:
            time.sleep(issuer.delay)
        if issuer.failing:
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, "maintenance")
            return
        if self.path not in (GENERATE, CHANGE):
            self._error(HTTPStatus.NOT_FOUND, "not_found")
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._error(HTTPStatus.BAD_REQUEST, "bad_request")
            return
        code = body.get("resident_code")
        if not isinstance(code, str) or not _RESIDENT_CODE.fullmatch(code):
            self._error(HTTPStatus.BAD_REQUEST, "bad_resident_code")
            return
        if self.path == GENERATE:
            self._reply(HTTPStatus.OK, {"individual_number": issuer.generate(code)})
            return
        request_id = body.get("request_id")
        if not isinstance(request_id, str) or not _REQUEST_ID.fullmatch(request_id):
            self._error(HTTPStatus.BAD_REQUEST, "bad_request_id")
            return
        try:
            number = issuer.change(code, request_id)
        except UnknownCodeError:
            self._error(HTTPStatus.NOT_FOUND, "unknown_resident_code")
            return
        except SupersededError:
            self._error(HTTPStatus.CONFLICT, "superseded")
            return
        self._reply(HTTPStatus.OK, {"individual_number": number})

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.command, self.path)


def make_server(host: str = "127.0.0.1", port: int = 0, issuer: NumberIssuer | None = None) -> SimulatorServer:
    """A simulator bound to ``host:port`` (port 0: any free port), not yet serving."""
    return SimulatorServer((host, port), issuer or NumberIssuer())


class RunningSimulator(Running[SimulatorServer]):
    @property
    def issuer(self) -> NumberIssuer:
        return self.server.issuer


@contextmanager
def running(host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningSimulator]:
    """The simulator serving in a background thread for the duration of the block."""
    server = make_server(host, port)
    with until_exit(RunningSimulator(server, serve(server, "jlis-simulator"))) as simulator:
        yield simulator
