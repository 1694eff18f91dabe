"""The one send loop of the linked systems (docs/linkage.md).

Every queue to a peer — the 住基ネット telegrams (都道府県サーバ, 支援措置, 他市町村), the 送付先情報
and the card events to the 個人番号カード管理システム — is a table of rows with a
:class:`~jumin.linkage.models.DeliveryState`, sent by :func:`deliver` with one rule set:

* Rows go in the order given.  Each row has an **order key**: a row that was not delivered
  (failed now, or still in its back-off) *holds* its key, and the later rows of the same key
  wait for the next pass.  The key is the whole destination where nothing may overtake
  (更新順番号 of a telegram queue), the person where only one person's order matters (card
  events), the row itself where rows are independent (送付先情報).
* A failure that says nothing about the row — the peer cannot be reached, is in maintenance,
  or our key is missing or broken — **stops the pass**: the next rows would fail the same way.
  A refusal of one row (``rejected:<code>``) only holds its key.
* The retry policy is :func:`jumin.linkage.client.backoff`; the peer's ``already_received``
  counts as sent (a retry after a lost answer delivers nothing twice).

Log lines name the row by :class:`Sender.name` (a destination and number, never a 住民票コード
or 個人番号) and the error code."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from jumin.core.errors import DomainError
from jumin.linkage.client import DeliveryError, PeerClient, backoff
from jumin.linkage.models import DeliveryState

logger = logging.getLogger(__name__)

Row = TypeVar("Row", bound=DeliveryState)


def stops_the_pass(code: str) -> bool:
    """Whether a failure code stops the whole pass (peer unreachable, in maintenance, our key)."""
    return not code.startswith("rejected:") or code == "rejected:maintenance"


@dataclass(frozen=True)
class Sender(Generic[Row]):
    """How the rows of one queue go on the wire."""

    body: Callable[[Row], dict[str, Any]]
    key: Callable[[Row], str]
    name: Callable[[Row], str]
    path: Callable[[Row], str] = lambda row: ""


@dataclass
class Delivered(Generic[Row]):
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # held behind a row of the same key, or in their own back-off
    stopped: str = ""  # the code that stopped the pass
    held: dict[str, Row] = field(default_factory=dict)  # order key -> first row not delivered


def deliver(client: PeerClient, rows: Iterable[Row], sender: Sender[Row], *, now: datetime) -> Delivered[Row]:
    """One pass over ``rows`` (see the module docstring)."""
    result: Delivered[Row] = Delivered()
    for row in rows:
        key = sender.key(row)
        if key in result.held:
            result.waiting += 1
            continue
        if not row.is_due(now):
            result.held[key] = row
            result.waiting += 1
            continue
        try:
            answer = client.send(sender.body(row), sender.path(row))
        except (DeliveryError, DomainError) as exc:  # DomainError: our key is missing or broken
            row.mark_failed(exc.code, now + backoff(row.attempts + 1))
            result.failed += 1
            result.held[key] = row
            logger.warning("linkage: %s not delivered (%s)", sender.name(row), exc.code)
            if stops_the_pass(exc.code):
                result.stopped = exc.code
                break
            continue
        row.mark_sent(answer, now)
        result.sent += 1
        logger.info("linkage: %s %s", sender.name(row), answer)
    return result
