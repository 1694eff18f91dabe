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
    hooks.protected_persons,
    hooks.inspection_exclusions,
    hooks.card_holders,
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
