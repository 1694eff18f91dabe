"""registry.hooks: without a satellite registered, the read-side extension points behave as
documented (nobody blocked, hidden, marked, protected or excluded); the 支援措置 app registers
its implementations from ready()."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest

from jumin.accounts.principal import Principal
from jumin.registry import hooks

READ_HOOKS = (
    hooks.inquiry_guard,
    hooks.person_marks,
    hooks.person_probe,
    hooks.protected_persons,
    hooks.inspection_exclusions,
    hooks.card_holders,
    hooks.person_actions,
    hooks.household_actions,
)


@pytest.fixture
def no_satellites() -> Iterator[None]:
    saved = {hook: hook.paths for hook in READ_HOOKS}
    for hook, paths in saved.items():
        for path in paths:
            hook.unregister(path)
    try:
        yield
    finally:
        for hook, paths in saved.items():
            for path in paths:
                hook.register(path)


def test_protection_registers_its_read_hooks() -> None:
    assert hooks.inquiry_guard.paths == ("jumin.protection.inquiry.GUARD",)
    assert hooks.person_marks.paths == ("jumin.protection.queries.MARKS",)
    assert hooks.person_probe.paths == ("jumin.protection.queries.touched",)
    assert hooks.protected_persons.paths == ("jumin.protection.rules.protected_persons",)
    assert hooks.inspection_exclusions.paths == ("jumin.protection.rules.inspection_exclusions",)
    for hook in READ_HOOKS:
        assert len(hook.implementations()) == len(hook.paths)  # every path resolves


@pytest.mark.usefixtures("no_satellites")
def test_without_a_satellite_everything_is_allowed_and_nobody_marked() -> None:
    anyone = cast(Principal, cast(Any, None))  # never looked at without an implementation
    hooks.require_inquiry(anyone, "000000000001", purpose="test")
    hooks.require_household_inquiry(anyone, "0000000001")
    assert hooks.hidden_from_inquiry(anyone, ["000000000001"], purpose="test") == set()
    assert hooks.marks_of(anyone, ["000000000001", "", "000000000001"], purpose="test") == {"000000000001": []}
    assert hooks.opens_marks(anyone) is False
    assert hooks.protected(iter(["000000000001"])) == []
    assert hooks.excluded_from_inspection() == (set(), set())
    assert hooks.holders_of_cards(["000000000001"]) == set()
    assert hooks.actions_for_person(cast(Any, None), "000000000001") == []
    assert hooks.actions_for_household(cast(Any, None), "0000000001", "000000000001") == []


def test_certificates_offer_issuance_on_the_person_and_household_screens() -> None:
    assert hooks.person_actions.paths == ("jumin.certificates.actions.for_person",)
    assert hooks.household_actions.paths == ("jumin.certificates.actions.for_household",)

    class Clerk:
        def __init__(self, allowed: bool) -> None:
            self.allowed = allowed

        def has_perm(self, permission: str) -> bool:
            return self.allowed and permission == "accounts.issue_certificate"

    (person,) = hooks.actions_for_person(cast(Any, Clerk(True)), "000000000001")
    assert person.url == "/certificates/?person=000000000001&layout=individual" and person.shortcut == "Alt+W"
    (household,) = hooks.actions_for_household(cast(Any, Clerk(True)), "0000000001", "000000000001")
    assert household.url.endswith("layout=household")
    assert hooks.actions_for_person(cast(Any, Clerk(False)), "000000000001") == []
    assert hooks.actions_for_household(cast(Any, Clerk(True)), "0000000001", "") == []


class _Row:
    """A row as a read with ``probe_annotations`` returns it."""

    def __init__(self, **probes: bool) -> None:
        self.__dict__.update(probes)


@pytest.mark.usefixtures("no_satellites")
def test_the_probe_decides_only_for_the_satellites_it_covers() -> None:
    """Issue 24: a screen skips the inquiry guard and the marks of a person only when every
    satellite that guards or marks has a probe and every probe said no."""
    from jumin.registry.models import Resident

    assert hooks.probe_annotations(Resident) == {} and hooks.untouched(_Row())  # nothing installed
    hooks.inquiry_guard.register("jumin.protection.inquiry.GUARD")
    try:
        assert hooks.probe_annotations(Resident) == {}  # a guard without a probe: never skipped
        assert not hooks.untouched(_Row())
        hooks.person_probe.register("jumin.protection.queries.touched")
        assert list(hooks.probe_annotations(Resident)) == ["satellite_probe_0"]
        assert hooks.untouched(_Row(satellite_probe_0=False))
        assert not hooks.untouched(_Row(satellite_probe_0=True))
        assert not hooks.untouched(_Row())  # read without the annotation: unknown
    finally:
        hooks.person_probe.unregister("jumin.protection.queries.touched")
        hooks.inquiry_guard.unregister("jumin.protection.inquiry.GUARD")
