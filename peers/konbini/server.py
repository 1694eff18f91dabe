"""A small HTTP simulator of the 証明書交付センター (J-LIS) of the コンビニ交付 (standard library
only; it does not import jumin, so the tests check jumin against an independent peer).

A kiosk (the store's multifunction printer) sends one request; the center reads the resident's
個人番号カード in the kiosk's reader (the card is held by the ``peers.jpki`` simulator, which
checks the PIN and counts failures), asks the municipality's 証明書発行サーバ (jumin,
``/api/v1/kiosk/…``, with the center's API key) and answers the kiosk.

``POST /kiosk/issue``   ``{"kiosk_id", "card": "<serial hex>", "pin", "kind", "layout", "items",
    "certified_items", "copies"}`` → ``{"request_id", "outcome": "issued"|"refused",
    "reason_code", "message", "fee", "copies": [{"issue_no", "pdf_base64"}], "form"}``.  A wrong
    PIN is refused by the center itself (``K014``, ``K015`` when the card locked); every other
    refusal is the municipality's code.  The center keeps its own ledger of each request.
``GET /reports/daily?date=YYYY-MM-DD``  the center's daily report: ``{"date", "copies", "fee",
    "requests": [{"request_id", "kiosk_id", "copies", "fee"}]}`` (issued requests only).
``GET /health``          ``{"status": "ok"}``.

Errors: 400 ``bad_request``, 404 ``not_found``, 413 ``too_large``, 502 ``municipality_unavailable``.
Nothing is logged except the method and the path.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from peers.serving import Running, UrlServer, serve, until_exit

logger = logging.getLogger(__name__)

MAX_BODY = 16384
JST = ZoneInfo("Asia/Tokyo")
PIN_REFUSALS = {
    "pin_incorrect": ("K014", "暗証番号が違います。"),
    "pin_locked": ("K015", "暗証番号がロックされています。市区町村の窓口で解除してください。"),
}
ASK_KEYS = ("kind", "layout", "items", "certified_items", "copies")


@dataclass
class Center:
    """Where the cards are (the jpki simulator), the municipality's server and the ledger."""

    jpki_url: str
    municipality_url: str
    api_key: str
    center_code: str = "C01"
    ledger: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def _call(self, url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310  # nosec B310: http(s) URLs only
            url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # nosec B310 (configured http URLs)
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            try:
                return error.code, json.loads(error.read())
            except ValueError:
                return error.code, {}

    def _municipality(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        return self._call(
            f"{self.municipality_url.rstrip('/')}/api/v1/kiosk/{path}",
            body,
            {"Authorization": f"Bearer {self.api_key}"},
        )

    def issue(self, ask: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        now = dt.datetime.now(JST)
        with self.lock:
            request_id = f"{self.center_code}-{now:%Y%m%d}-{next(self.numbers):06d}"
        line = {"request_id": request_id, "kiosk_id": ask["kiosk_id"], "date": now.date().isoformat(), "copies": 0}
        status, challenge = self._municipality("challenge", {})
        if status != HTTPStatus.OK:
            return HTTPStatus.BAD_GATEWAY, {"error": "municipality_unavailable"}
        status, read = self._call(
            f"{self.jpki_url.rstrip('/')}/cards/{ask['card']}/read",
            {"challenge": challenge["challenge"], "pin": ask["pin"]},
        )
        if status == HTTPStatus.FORBIDDEN and read.get("error") in PIN_REFUSALS:
            code, message = PIN_REFUSALS[read["error"]]
            answer: dict[str, Any] = {
                "request_id": request_id,
                "outcome": "refused",
                "reason_code": code,
                "message": message,
            }
            answer |= {"fee": 0, "copies": [], "form": {}, "remaining": read.get("remaining", 0)}
            self._book(line | {"outcome": "refused", "reason_code": code, "fee": 0})
            return HTTPStatus.OK, answer
        if status != HTTPStatus.OK:
            return HTTPStatus.BAD_REQUEST, {"error": "bad_request"}
        body = {k: ask[k] for k in ASK_KEYS if k in ask}
        body |= {"request_id": request_id, "kiosk_id": ask["kiosk_id"], "challenge": challenge["challenge"]}
        status, answer = self._municipality("requests", body | {"presented": read})
        if status != HTTPStatus.OK:
            return HTTPStatus.BAD_GATEWAY, {"error": "municipality_unavailable", "detail": answer.get("code", "")}
        self._book(
            line
            | {
                "outcome": answer["outcome"],
                "reason_code": answer["reason_code"],
                "copies": len(answer["copies"]),
                "fee": answer["fee"],
            }
        )
        return HTTPStatus.OK, answer

    def _book(self, line: dict[str, Any]) -> None:
        with self.lock:
            self.ledger.append(line)

    def daily(self, day: str) -> dict[str, Any]:
        with self.lock:
            issued = [line for line in self.ledger if line["date"] == day and line["outcome"] == "issued"]
        requests = [{k: line[k] for k in ("request_id", "kiosk_id", "copies", "fee")} for line in issued]
        return {
            "date": day,
            "copies": sum(r["copies"] for r in requests),
            "fee": sum(r["fee"] for r in requests),
            "requests": requests,
        }


class CenterServer(UrlServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], center: Center) -> None:
        super().__init__(address, _Handler)
        self.center = center


class _Handler(BaseHTTPRequestHandler):
    server: CenterServer
    server_version = "konbini-center-simulator/1"
    protocol_version = "HTTP/1.1"

    def _reply(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.command, self.path.split("?")[0])

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            self._reply(HTTPStatus.OK, {"status": "ok"})
        elif url.path == "/reports/daily":
            day = (parse_qs(url.query).get("date") or [""])[0]
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
                return
            self._reply(HTTPStatus.OK, self.server.center.daily(day))
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})

    def do_POST(self) -> None:
        if self.path != "/kiosk/issue":
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not_found"})
            return
        size = int(self.headers.get("Content-Length") or 0)
        if size > MAX_BODY:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "too_large"})
            self.close_connection = True
            return
        try:
            ask = json.loads(self.rfile.read(size) or b"{}")
        except ValueError:
            ask = None
        texts = ("kiosk_id", "card", "pin")
        if not isinstance(ask, dict) or not all(isinstance(ask.get(k), str) and ask[k] for k in texts):
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        if not ask["card"].isalnum() or len(ask["card"]) > 40:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "bad_request"})
            return
        status, answer = self.server.center.issue(ask)
        self._reply(status, answer)


def make_server(center: Center, host: str = "127.0.0.1", port: int = 0) -> CenterServer:
    return CenterServer((host, port), center)


class RunningCenter(Running[CenterServer]):
    @property
    def center(self) -> Center:
        return self.server.center


@contextmanager
def running(center: Center, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningCenter]:
    """The center serving in a background thread for the duration of the block."""
    server = make_server(center, host, port)
    with until_exit(RunningCenter(server, serve(server, "konbini-center"))) as simulator:
        yield simulator
