"""The queues of the linked systems as the operator sees them (the 連携状況 screen, /linkage/).

A satellite that sends rows to a peer registers its queue from ``AppConfig.ready()``
(``jumin.linkage.queue_types.queues``, model-free so ``apps.py`` can import it)::

    queues.register("jumin.jukinet.queues.TELEGRAMS")

A queue is a table of rows with a :class:`~jumin.linkage.models.DeliveryState`, optionally split
by a field (the telegrams by ``destination``), and the dotted path of its send pass.  Linkage
adds the outbox itself (:data:`OUTBOX`: the rows its consumers have not taken yet).  Everything
here is counts, dates, numbers and error codes: no personal data, so the screen needs
``run_batch`` only and writes no access log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Max, Min, Q
from django.utils.module_loading import import_string

from jumin.linkage.models import DeliveryState, OutboxMessage
from jumin.linkage.queue_types import Queue, QueueLine, Sent, queues


def _everything(key: str) -> str:
    return key


@dataclass(frozen=True)
class DeliveryQueue:
    """A queue of :class:`DeliveryState` rows (see the module docstring)."""

    name: str
    label: str
    model: str  # "jukinet.Telegram"
    created: str  # the field with the row's creation time
    sender: str  # dotted path of the send pass: () -> Sent
    row_label: Callable[[Any], str]
    group: str = ""  # a field splitting the queue into destinations
    group_label: Callable[[str], str] = _everything
    no_manual_retry: Q = field(default_factory=lambda: Q(pk__in=[]))  # rows the operator may not resend

    def rows(self) -> Any:
        return apps.get_model(self.model).objects.all()

    def lines(self) -> list[QueueLine]:
        groups = [self.group] if self.group else []
        counts = (
            self.rows()
            .values(*groups, "state")
            .annotate(n=Count("pk"), oldest=Min(self.created), last=Max("sent_at"))
            .order_by(*groups, "state")
        )
        by_key: dict[str, dict[str, Any]] = {}
        for row in counts:
            entry = by_key.setdefault(row[self.group] if self.group else "", {"oldest": None, "last": None})
            entry[row["state"]] = row["n"]
            if row["state"] in DeliveryState.WAITING and row["oldest"] is not None:
                entry["oldest"] = min(filter(None, (entry["oldest"], row["oldest"])))
            if row["state"] == DeliveryState.State.SENT:
                entry["last"] = row["last"]
        lines = [self._line(key, entry) for key, entry in sorted(by_key.items())]
        return lines or [QueueLine(self.name, "", self.label)]

    def _line(self, key: str, entry: dict[str, Any]) -> QueueLine:
        failed = entry.get(DeliveryState.State.FAILED, 0)
        first = self._of(key).filter(state=DeliveryState.State.FAILED).order_by("pk").first() if failed else None
        return QueueLine(
            queue=self.name,
            key=key,
            label=self.group_label(key) if self.group else self.label,
            pending=entry.get(DeliveryState.State.PENDING, 0),
            failed=failed,
            sent=entry.get(DeliveryState.State.SENT, 0),
            oldest_waiting=entry["oldest"],
            last_sent=entry["last"],
            first_failed=self.row_label(first) if first is not None else "",
            error=first.last_error if first is not None else "",
            retryable=self.retryable(key).count() if failed else 0,
        )

    def _of(self, key: str) -> Any:
        return self.rows().filter(**{self.group: key}) if self.group else self.rows()

    def retryable(self, key: str) -> Any:
        return self._of(key).filter(state=DeliveryState.State.FAILED).exclude(self.no_manual_retry)

    def send(self) -> Sent:
        send: Callable[[], Sent] = import_string(self.sender)
        return send()


@dataclass(frozen=True)
class OutboxQueue:
    """The outbox: per destination, the rows its consumers have not taken yet (a consumer that
    stopped shows here as a growing 未取込 count)."""

    name: str = "linkage.outbox"
    label: str = "アウトボックス"

    def lines(self) -> list[QueueLine]:
        counts = (
            OutboxMessage.objects.values("destination", "state")
            .annotate(n=Count("pk"), oldest=Min("created_at"))
            .order_by("destination", "state")
        )
        by_key: dict[str, dict[str, Any]] = {}
        for row in counts:
            entry = by_key.setdefault(row["destination"], {"oldest": None})
            entry[row["state"]] = row["n"]
            if row["state"] != OutboxMessage.State.SENT and row["oldest"] is not None:
                entry["oldest"] = min(filter(None, (entry["oldest"], row["oldest"])))
        return [self._line(key, entry) for key, entry in sorted(by_key.items())]

    def _line(self, key: str, entry: dict[str, Any]) -> QueueLine:
        first = (
            OutboxMessage.objects.filter(destination=key, state=OutboxMessage.State.FAILED).order_by("seq").first()
            if entry.get(OutboxMessage.State.FAILED)
            else None
        )
        label = dict(OutboxMessage.Destination.choices).get(key, key)
        return QueueLine(
            queue=self.name,
            key=key,
            label=f"{self.label}（{label}）",
            pending=entry.get(OutboxMessage.State.PENDING, 0),
            failed=entry.get(OutboxMessage.State.FAILED, 0),
            sent=entry.get(OutboxMessage.State.SENT, 0),
            oldest_waiting=entry["oldest"],
            first_failed=f"送信順 {first.seq}" if first is not None else "",
            error=first.last_error.split(":", 1)[0] if first is not None else "",
            sends=False,
        )

    def retryable(self, key: str) -> Any:
        return OutboxMessage.objects.none()  # a row its consumer could not take needs the data fixed

    def send(self) -> Sent:
        return Sent(0, 0)


OUTBOX = OutboxQueue()


def registered() -> list[Queue]:
    """The outbox, then the registered queues in registration order (one per name)."""
    seen: dict[str, Queue] = {OUTBOX.name: OUTBOX}
    for queue in queues.implementations():
        seen.setdefault(queue.name, queue)
    return list(seen.values())


def find(name: str) -> Queue | None:
    return next((queue for queue in registered() if queue.name == name), None)
