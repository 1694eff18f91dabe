"""The outbox writers: ordered, idempotent rows for every registered destination (DESIGN.md §6).

:func:`write_for_movement` is linkage's on-final action of the register
(``registry.hooks.final_actions``, registered in ``LinkageConfig.ready``): it runs inside the
approval transaction, so the rows commit or roll back with the 本登録.  :func:`write_for_block`
is called by the protection services in the decision's transaction.  Both reserve the
destination's serial ``outbox:<destination>`` (one block per call, locked in name order)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jumin.linkage.destinations import registered
from jumin.linkage.models import OutboxMessage
from jumin.registry.models import Movement, ResidentHistory
from jumin.registry.numbers import reserve_many

if TYPE_CHECKING:
    from jumin.protection.models import Block  # protection writes through linkage, never the reverse

ORDER = list(OutboxMessage.Destination.values)


def _destinations() -> list[str]:
    return sorted((d.name for d in registered()), key=ORDER.index)


def _reserve(planned: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for destination in planned:
        counts[destination] = counts.get(destination, 0) + 1
    reserved = reserve_many({f"outbox:{d}": n for d, n in counts.items()})
    return {d: reserved[f"outbox:{d}"].start for d in counts}


def write_for_movement(movement: Movement, rows: list[ResidentHistory]) -> None:
    """The outbox rows of a 本登録: one per history row and destination that wants it."""
    wanted = {d.name: d for d in registered()}
    planned = [(name, row) for row in rows for name in _destinations() if wanted[name].wants_history(row)]
    next_seq = _reserve([name for name, _ in planned])
    messages = []
    for destination, row in planned:
        messages.append(
            OutboxMessage(
                destination=destination,
                seq=next_seq[destination],
                kind=row.reason,
                movement=movement,
                idempotency_key=f"{destination}:{row.atena_no}:{row.history_no}",
                atena_no=row.atena_no,
                history_no=row.history_no,
            )
        )
        next_seq[destination] += 1
    OutboxMessage.objects.bulk_create(messages)


def write_for_block(block: Block, kind: str) -> None:
    """A block's set or release (not a temporary release, 3.1) for the destinations that want it."""
    wanted = {d.name: d for d in registered()}
    planned = [name for name in _destinations() if wanted[name].wants_block(block)]
    next_seq = _reserve(planned)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            destination=destination,
            seq=next_seq[destination],
            idempotency_key=f"{destination}:block:{block.pk}:{kind}",
            kind=kind,
            block=block,
            scope=block.scope,
            target_no=block.target_no,
        )
        for destination in planned
    )
