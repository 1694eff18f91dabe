"""The one pull/acknowledge loop of the linked systems (docs/linkage.md).

A peer keeps what it has for us — 転入通知 and 転出証明書情報 on the 住基ネット relay, card events
at the 個人番号カード管理システム — until we acknowledge it.  :func:`pull` fetches them
(``GET <path>?<scope>=<our code>``, signed both ways by :class:`~jumin.linkage.client.PeerClient`),
hands each item to the receiver of its kind and acknowledges the ones the receiver kept
(``POST <path>/ack`` with their ids).  A receiver records an item once per id (a re-delivery
after a lost acknowledgement is recognised); an item it refuses with a ``DomainError`` stays on
the peer and comes again.  A failed acknowledgement is only logged: the items come again and are
recognised by their ids."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from jumin.core.errors import DomainError
from jumin.linkage.client import DeliveryError, PeerClient

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbox:
    """Where a peer keeps one kind of item for us."""

    path: str  # "/move-in-notices"
    items: str  # the list in the answer: "notices"
    scope: str  # the parameter naming us: "to"
    what: str  # in the error text: "転入通知"
    error_code: str  # of the DomainError when nothing could be fetched


@dataclass
class Pulled:
    kept: int = 0  # recorded (or recognised) and acknowledged
    refused: int = 0  # left on the peer: the receiver could not take them
    acknowledged: bool = False


def pull(client: PeerClient, inbox: Inbox, our_code: str, receive: Callable[[dict[str, Any]], str]) -> Pulled:
    """Fetch ``inbox``, pass each item to ``receive`` (which returns the id to acknowledge or
    raises ``DomainError`` to leave it on the peer) and acknowledge the kept ones."""
    try:
        status, answer = client.exchange("GET", f"{inbox.path}?{urlencode({inbox.scope: our_code})}", b"")
    except DeliveryError as exc:
        raise DomainError(inbox.error_code, f"{inbox.what}を受信できませんでした（{exc.code}）。") from None
    items = answer.get(inbox.items) if status == 200 else None
    if not isinstance(items, list):
        raise DomainError(inbox.error_code, f"{inbox.what}を受信できませんでした（http_{status}）。")
    result = Pulled()
    kept: list[str] = []
    for payload in items:
        if not isinstance(payload, dict):
            continue
        try:
            kept.append(receive(payload))
        except DomainError as exc:
            result.refused += 1
            logger.warning("linkage: an item of %s was not taken (%s)", inbox.path, exc.code)
    result.kept = len(kept)
    if kept:
        raw = json.dumps({inbox.scope: our_code, "ids": kept}, sort_keys=True).encode()
        try:
            client.exchange("POST", f"{inbox.path}/ack", raw)
            result.acknowledged = True
        except DeliveryError as exc:  # they come again and are recognised by their ids
            logger.warning("linkage: acknowledgement of %s items of %s failed (%s)", len(kept), inbox.path, exc.code)
    return result


@dataclass
class ReviewedPull:
    """What a pull of notices that become 仮登録 for a person's check did."""

    received: int = 0
    queued: int = 0  # 仮登録 waiting for a person's check
    left: int = 0  # 該当者なし / 形式誤り: on the 取込エラー一覧
    skipped: str = ""  # why nothing was fetched (the link is not configured)


def pull_for_review(
    client: PeerClient | None, inbox: Inbox, our_code: str, receive: Callable[[dict[str, Any]], Any], unconfigured: str
) -> ReviewedPull:
    """:func:`pull` for notices recorded one by one by ``receive`` (which returns the stored
    notice: ``state`` ``queued`` when a 仮登録 waits for review, ``notice_id`` to acknowledge)."""
    result = ReviewedPull()
    if client is None:
        result.skipped = unconfigured
        return result

    def take(payload: dict[str, Any]) -> str:
        stored = receive(payload)
        result.received += 1
        if stored.state == "queued":
            result.queued += 1
        else:
            result.left += 1
        return str(stored.notice_id)

    pull(client, inbox, our_code, take)
    return result
