"""The register's extension points: how satellites (支援措置, カード, 住基ネット, 連携 …) plug into
the kernel without the kernel importing them (docs/architecture.md).

A satellite registers the dotted path of its implementation from its ``AppConfig.ready()``::

    hooks.approval_checks.register("jumin.protection.movements.check_approval")

Paths, not callables: ``ready()`` runs before a satellite's models may be imported, and the
kernel resolves each path once, on first use (``django.utils.module_loading.import_string``).
Every hook runs inside the caller's transaction, so what a satellite writes commits or rolls
back with the movement itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from jumin.accounts.models import User
    from jumin.registry.models import Movement, ResidentHistory

F = TypeVar("F", bound=Callable[..., Any])


class Hook(Generic[F]):
    """An ordered set of implementations of one extension point (each path registered once)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._paths: list[str] = []
        self._resolved: list[F] | None = None

    def register(self, path: str) -> None:
        if path not in self._paths:
            self._paths.append(path)
            self._resolved = None

    def unregister(self, path: str) -> None:
        """For tests that prove a hook's effect by its absence."""
        if path in self._paths:
            self._paths.remove(path)
            self._resolved = None

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(self._paths)

    def implementations(self) -> list[F]:
        if self._resolved is None:
            self._resolved = [import_string(p) for p in self._paths]
        return self._resolved

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {self._paths!r})"


# -- movement lifecycle (仮登録 → 本登録 / 取消) --------------------------------------------------


class PlanCheck(Protocol):
    """Before a 仮登録 is stored: add errors or alerts to the plan (抑止 of 異動入力, 3.1)."""

    def __call__(self, plan: Any, data: dict[str, Any], by: User, acknowledged: Iterable[str]) -> None: ...


class EnteredAction(Protocol):
    """After a 仮登録 is stored (same transaction): e.g. record why each alert was passed."""

    def __call__(self, movement: Movement, data: dict[str, Any], by: User, acknowledged: Iterable[str]) -> None: ...


class ApprovalCheck(Protocol):
    """Before the 本登録 writes anything: raise a DomainError to stop it."""

    def __call__(self, movement: Movement, by: User) -> None: ...


class FinalAction(Protocol):
    """After the 本登録 wrote its history rows, inside the approval transaction."""

    def __call__(self, movement: Movement, rows: list[ResidentHistory]) -> None: ...


class DiscardAction(Protocol):
    """After a 仮登録 was withdrawn, inside the same transaction."""

    def __call__(self, movement: Movement) -> None: ...


class CardHolders(Protocol):
    """Of these persons, those who hold an active 個人番号カード or 住基カード (特例転出, 法24条の2)."""

    def __call__(self, atena_nos: Iterable[str]) -> set[str]: ...


plan_checks: Hook[PlanCheck] = Hook("plan_checks")
entered_actions: Hook[EnteredAction] = Hook("entered_actions")
approval_checks: Hook[ApprovalCheck] = Hook("approval_checks")
final_actions: Hook[FinalAction] = Hook("final_actions")
discard_actions: Hook[DiscardAction] = Hook("discard_actions")
card_holders: Hook[CardHolders] = Hook("card_holders")


def check_plan(plan: Any, data: dict[str, Any], by: User, acknowledged: Iterable[str]) -> None:
    for check in plan_checks.implementations():
        check(plan, data, by, acknowledged)


def after_entry(movement: Movement, data: dict[str, Any], by: User, acknowledged: Iterable[str]) -> None:
    for action in entered_actions.implementations():
        action(movement, data, by, acknowledged)


def check_approval(movement: Movement, by: User) -> None:
    for check in approval_checks.implementations():
        check(movement, by)


def after_final(movement: Movement, rows: list[ResidentHistory]) -> None:
    for action in final_actions.implementations():
        action(movement, rows)


def after_discard(movement: Movement) -> None:
    for action in discard_actions.implementations():
        action(movement)


def holders_of_cards(atena_nos: Iterable[str]) -> set[str]:
    """Without a card satellite nobody holds a card."""
    wanted = list(atena_nos)
    held: set[str] = set()
    for holders in card_holders.implementations():
        held |= holders(wanted)
    return held
