"""The types of the queues on the 連携状況 screen and the registry of the queues (model-free, so
``apps.py`` modules can import it; the implementations are in :mod:`jumin.linkage.queues`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from jumin.linkage.errors import advice, explain
from jumin.registry.hooks import Hook


@dataclass(frozen=True)
class QueueLine:
    """One queue (or one destination of a queue) on the screen."""

    queue: str
    key: str  # the destination inside the queue ("" for a queue without one)
    label: str
    pending: int = 0
    failed: int = 0
    sent: int = 0
    oldest_waiting: datetime | None = None
    last_sent: datetime | None = None
    first_failed: str = ""  # which row stops or waits: "更新順番号 12", "送付先管理番号 …"
    error: str = ""
    retryable: int = 0  # failed rows the operator may send now (not the spec's X items)
    sends: bool = True  # False for the outbox: its consumers take rows, nothing is sent from it

    @property
    def waiting(self) -> int:
        return self.pending + self.failed

    @property
    def error_text(self) -> str:
        return explain(self.error)

    @property
    def advice(self) -> str:
        return advice(self.error)


@dataclass(frozen=True)
class Sent:
    """What a send pass did, for the operator's message."""

    sent: int
    failed: int
    skipped: str = ""


class Queue(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...

    def lines(self) -> list[QueueLine]: ...

    def retryable(self, key: str) -> Any:
        """The failed rows of ``key`` the operator may send now (a queryset)."""
        ...

    def send(self) -> Sent: ...


queues: Hook[Queue] = Hook("linkage.queues")
