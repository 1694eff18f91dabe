"""The card reader of the 本人確認 screen (issue 17): the clerk puts the 個人番号カード on the
reader and presses one key; the screen never asks for pasted data.

:class:`CardReader` is the port.  ``JUMIN_CARD_READER`` chooses the implementation:

* ``"simulator"`` — :class:`SimulatedReader`, the card reader played by the simulated 認証局
  (``python -m peers.jpki``, see ``peers/jpki/server.py``) at ``JUMIN_CARD_READER_URL``
  (default ``http://127.0.0.1:8768``): the cards it issued are the cards "on the reader".
* ``"none"`` — :class:`NoReader`: no reader is connected (production until a real one is
  configured); the screen says so.
* a dotted path — any class with the same two methods (e.g. the driver of a real reader, or an
  agent on the counter PC), built without arguments.

A reader only carries the card's answer to the challenge; every check (CA, signatures,
validity, CRL, the 本人確認情報) stays in :func:`jumin.jukinet.identity_check.verify_card`.
The 個人番号 on the card is never shown in the list of cards, logged or put in a URL."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from jumin.core.errors import DomainError

DEFAULT_SIMULATOR_URL = "http://127.0.0.1:8768"
MAX_ANSWER = 64 * 1024
_SLOT = re.compile(r"[0-9a-f]{1,40}")


@dataclass(frozen=True)
class CardOnReader:
    """A card the reader sees: its slot (how to read it) and what the clerk recognises it by
    (the 氏名 printed on its face)."""

    slot: str
    label: str


class CardReader(Protocol):
    def cards(self) -> list[CardOnReader]:
        """The cards on the reader now (empty: none, or no reader)."""

    def read(self, slot: str, challenge: str) -> dict[str, Any]:
        """The card's answer to ``challenge`` (format ``jpki-sim-reader-v1``); raises
        :class:`DomainError` (``identity.reader``) when the card cannot be read."""


class NoReader:
    def cards(self) -> list[CardOnReader]:
        return []

    def read(self, slot: str, challenge: str) -> dict[str, Any]:
        raise DomainError("identity.reader", "カードリーダーが接続されていません（JUMIN_CARD_READER）。")


class SimulatedReader:
    """The simulated 認証局's card reader over HTTP (``GET /cards``, ``POST /cards/<serial>/read``)."""

    def __init__(self, url: str | None = None, timeout: float | None = None) -> None:
        base = url or str(getattr(settings, "JUMIN_CARD_READER_URL", "") or DEFAULT_SIMULATOR_URL)
        if urlsplit(base).scheme not in ("http", "https"):
            raise DomainError("identity.reader", "カードリーダーの接続先（JUMIN_CARD_READER_URL）が正しくありません。")
        self.url = base.rstrip("/")
        self.timeout = timeout if timeout is not None else float(os.environ.get("JUMIN_CARD_READER_TIMEOUT", "5"))
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310  # nosec B310: http(s) only, checked above
            self.url + path, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                raw = response.read(MAX_ANSWER + 1)
                if len(raw) > MAX_ANSWER:
                    raise ValueError("answer too large")
                answer = json.loads(raw)
        except (OSError, ValueError, urllib.error.URLError):
            raise DomainError(
                "identity.reader", "カードリーダーからカードを読み取れません。カードを置き直してください。"
            ) from None
        if not isinstance(answer, dict):
            raise DomainError("identity.reader", "カードリーダーの応答の形式が正しくありません。")
        return cast(dict[str, Any], answer)

    def cards(self) -> list[CardOnReader]:
        try:
            listed = self._call("/cards").get("cards")
        except DomainError:
            return []
        found: list[CardOnReader] = []
        for card in listed if isinstance(listed, list) else []:
            if isinstance(card, dict) and _SLOT.fullmatch(str(card.get("serial", ""))):
                found.append(CardOnReader(str(card["serial"]), str(card.get("name", ""))[:100]))
        return found

    def read(self, slot: str, challenge: str) -> dict[str, Any]:
        if not _SLOT.fullmatch(slot):
            raise DomainError("identity.reader", "読み取るカードを選んでください。")
        return self._call(f"/cards/{slot}/read", {"challenge": challenge})


def reader() -> CardReader:
    """The reader chosen by ``JUMIN_CARD_READER``."""
    chosen = str(getattr(settings, "JUMIN_CARD_READER", "") or "none")
    if chosen == "none":
        return NoReader()
    if chosen == "simulator":
        return SimulatedReader()
    return cast(CardReader, import_string(chosen)())
