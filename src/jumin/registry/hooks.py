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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from jumin.accounts.models import User
    from jumin.accounts.principal import Principal
    from jumin.registry.models import Movement, ResidentHistory

F = TypeVar("F")  # a function, or an object with methods (InquiryGuard, PersonMarks)


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


# -- reading the register (照会抑止, marks, notices, 閲覧) ----------------------------------------


class InquiryGuard(Protocol):
    """照会抑止 (3.1): may this operator look at a person / a household now?  One object
    with three methods (e.g. ``jumin.protection.inquiry.GUARD``)."""

    def require(self, principal: Principal, atena_no: str, *, purpose: str) -> None:
        """Raise (a DomainError) unless the person may be looked at now."""

    def require_household(self, principal: Principal, household_no: str) -> None:
        """Raise (a DomainError) unless the household screen may be shown."""

    def hidden(
        self, principal: Principal, atena_nos: Iterable[str], households: Mapping[str, str] | None, *, purpose: str
    ) -> set[str]:
        """Of these persons, those a list shows with their 宛名番号 only."""


class PersonMarks(Protocol):
    """支援措置・抑止 marks (2.2.4) shown next to a person (e.g. ``jumin.protection.queries.MARKS``)."""

    def marks_for(
        self,
        principal: Principal,
        atena_nos: Iterable[str],
        *,
        purpose: str,
        households: Mapping[str, str] | None = None,
    ) -> Mapping[str, Sequence[Any]]:
        """The marks of each person."""

    def opens_protection(self, principal: Principal) -> bool:
        """May the caller jump from a mark to the satellite's database?"""

    @property
    def detail_view(self) -> str:
        """The URL name (taking the 宛名番号) of that jump, e.g. ``protection:person``."""

    @property
    def detail_label(self) -> str:
        """The link's text, e.g. 支援措置・抑止を表示."""


class ProtectedPersons(Protocol):
    """Of these persons, those a notice to an address they left must not reach (支援措置)."""

    def __call__(self, atena_nos: Iterable[str]) -> set[str]: ...


class InspectionExclusions(Protocol):
    """Who may not appear in a 閲覧 extract (9.5): (宛名番号, 世帯番号)."""

    def __call__(self) -> tuple[set[str], set[str]]: ...


class PersonProbe(Protocol):
    """Can this satellite have anything on a person — a guard, a mark?  An SQL expression per
    row of a table of person records (its ``atena_no`` and ``household_no``), read with the
    persons themselves: False means the satellite's inquiry guard and marks have nothing to say
    about that person, so that a screen need not ask them (issue 24)."""

    def __call__(self, model: Any) -> Any: ...


inquiry_guard: Hook[InquiryGuard] = Hook("inquiry_guard")
person_marks: Hook[PersonMarks] = Hook("person_marks")
person_probe: Hook[PersonProbe] = Hook("person_probe")
protected_persons: Hook[ProtectedPersons] = Hook("protected_persons")
inspection_exclusions: Hook[InspectionExclusions] = Hook("inspection_exclusions")


def _app(path: str) -> str:
    return ".".join(path.split(".")[:2])  # jumin.protection.inquiry.GUARD -> jumin.protection


def probe_annotations(model: Any) -> dict[str, Any]:
    """The annotations a read of ``model`` rows adds so that :func:`untouched` can answer: one
    per satellite probe — none when a satellite guards or marks persons without a probe (then
    nobody counts as untouched)."""
    probing = {_app(p) for p in person_probe.paths}
    if not all(_app(p) in probing for p in (*inquiry_guard.paths, *person_marks.paths)):
        return {}
    return {f"satellite_probe_{n}": probe(model) for n, probe in enumerate(person_probe.implementations())}


def untouched(row: Any) -> bool:
    """A row read with :func:`probe_annotations`: no satellite has a guard or a mark on this
    person (True also when none is installed); False when unknown."""
    if not (inquiry_guard.paths or person_marks.paths):
        return True
    names = [f"satellite_probe_{n}" for n in range(len(person_probe.paths))]
    return bool(names) and all(hasattr(row, name) and not getattr(row, name) for name in names)


def require_inquiry(principal: Principal, atena_no: str, *, purpose: str) -> None:
    """Without a guard every person may be looked at."""
    for guard in inquiry_guard.implementations():
        guard.require(principal, atena_no, purpose=purpose)


def require_household_inquiry(principal: Principal, household_no: str) -> None:
    """Without a guard every household may be looked at."""
    for guard in inquiry_guard.implementations():
        guard.require_household(principal, household_no)


def hidden_from_inquiry(
    principal: Principal, atena_nos: Iterable[str], households: Mapping[str, str] | None = None, *, purpose: str
) -> set[str]:
    """Without a guard nobody is hidden."""
    wanted = list(atena_nos)
    hidden: set[str] = set()
    for guard in inquiry_guard.implementations():
        hidden |= guard.hidden(principal, wanted, households, purpose=purpose)
    return hidden


def marks_of(
    principal: Principal, atena_nos: Iterable[str], *, purpose: str, households: Mapping[str, str] | None = None
) -> dict[str, list[Any]]:
    """Every person's marks, in the order given; without a satellite nobody has one."""
    wanted = [n for n in dict.fromkeys(atena_nos) if n]
    found: dict[str, list[Any]] = {n: [] for n in wanted}
    for source in person_marks.implementations():
        for number, marks in source.marks_for(principal, wanted, purpose=purpose, households=households).items():
            found.setdefault(number, []).extend(marks)
    return found


def opens_marks(principal: Principal) -> bool:
    """Without a satellite there is nothing to open."""
    return marks_link(principal) is not None


@dataclass(frozen=True)
class MarksLink:
    view: str  # URL name taking the 宛名番号
    label: str


def marks_link(principal: Principal) -> MarksLink | None:
    """Where the operator may jump from a person's marks (the first satellite that lets them)."""
    for source in person_marks.implementations():
        if source.opens_protection(principal):
            return MarksLink(source.detail_view, source.detail_label)
    return None


def protected(atena_nos: Iterable[str]) -> list[str]:
    """Those of these persons (in order, once each) a satellite protects; without one, nobody."""
    wanted = list(dict.fromkeys(atena_nos))
    found: set[str] = set()
    for persons in protected_persons.implementations():
        found |= persons(wanted)
    return [n for n in wanted if n in found]


# -- actions offered on the person and household screens ----------------------------------------


@dataclass(frozen=True)
class ScreenAction:
    """A link a satellite offers on a registry screen: 「この方の住民票を交付」 (issue 17)."""

    label: str
    url: str
    shortcut: str  # a key name for data-shortcut, e.g. "Alt+W" (never an F key: the shell's)


class PersonActions(Protocol):
    """What the operator may do next for this person (a current resident)."""

    def __call__(self, user: User, atena_no: str) -> Sequence[ScreenAction]: ...


class HouseholdActions(Protocol):
    """What the operator may do next for this household (``member``: one current member)."""

    def __call__(self, user: User, household_no: str, member: str) -> Sequence[ScreenAction]: ...


person_actions: Hook[PersonActions] = Hook("person_actions")
household_actions: Hook[HouseholdActions] = Hook("household_actions")


def actions_for_person(user: User, atena_no: str) -> list[ScreenAction]:
    """Without a satellite there is nothing more to do."""
    return [action for source in person_actions.implementations() for action in source(user, atena_no)]


def actions_for_household(user: User, household_no: str, member: str) -> list[ScreenAction]:
    """Without a satellite there is nothing more to do."""
    return [action for source in household_actions.implementations() for action in source(user, household_no, member)]


def excluded_from_inspection() -> tuple[set[str], set[str]]:
    """Without a satellite nobody is excluded from a 閲覧 extract."""
    persons: set[str] = set()
    households: set[str] = set()
    for exclusions in inspection_exclusions.implementations():
        more_persons, more_households = exclusions()
        persons |= more_persons
        households |= more_households
    return persons, households
