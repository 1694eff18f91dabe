"""The linked systems the outbox writes for, and the registry of those that have a consumer.

A destination says which history rows of a 本登録 and which blocks (抑止, 3.1/3.2) it wants;
its rows are delivered by the consumer that registered it (``consumers`` names them for the
operator and the docs).  A satellite that consumes a destination registers its dotted path from
``AppConfig.ready()``, like the registry's hooks::

    destinations.register("jumin.linkage.systems.JUKINET_CS")

Rows are written only for registered destinations: a linked system nobody delivers to gets no
rows (docs/linkage.md).  Model-free on purpose, so ``apps.py`` modules can import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from jumin.registry.hooks import Hook

if TYPE_CHECKING:
    from jumin.protection.models import Block
    from jumin.registry.models import ResidentHistory


class Destination(Protocol):
    """One linked system of the outbox (``OutboxMessage.Destination`` value in ``name``)."""

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def consumers(self) -> tuple[str, ...]:
        """How its rows are delivered: the dotted paths of the readers of its rows."""
        ...

    def wants_history(self, row: ResidentHistory) -> bool: ...

    def wants_block(self, block: Block) -> bool: ...


destinations: Hook[Destination] = Hook("linkage.destinations")


def registered() -> list[Destination]:
    """The registered destinations, one per name (several consumers may share one)."""
    seen: dict[str, Destination] = {}
    for destination in destinations.implementations():
        seen.setdefault(destination.name, destination)
    return list(seen.values())
