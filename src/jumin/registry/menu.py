"""The 異動 menu (issue 17): one screen, one key (F4 from anywhere), every movement kind.

Each kind the operator may enter has one key on the menu (1–9, then A–Z, in the order of
``entry.SCREENS``).  A kind entered for a household or a person asks for its 世帯番号 or
宛名番号 next, and the entry screen opens with it, as from the household or person screen."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from jumin.registry.entry import HOUSEHOLD, LOOKUP, PERSON, SCREENS, EntryScreen

KEYS = string.digits[1:] + string.ascii_uppercase
SCOPE_LABELS = {
    LOOKUP: "新しく住民になる方",
    HOUSEHOLD: "世帯の異動（世帯番号を入力）",
    PERSON: "個人の異動（宛名番号を入力）",
}
NUMBER_LABELS = {HOUSEHOLD: "世帯番号", PERSON: "宛名番号"}


@dataclass(frozen=True)
class MenuEntry:
    key: str
    screen: EntryScreen

    @property
    def scope_label(self) -> str:
        return SCOPE_LABELS[self.screen.scope]


def entries(user: Any) -> list[MenuEntry]:
    """Every kind ``user`` may enter, grouped by what it needs (new person, household, person)."""
    order = [LOOKUP, HOUSEHOLD, PERSON]
    screens = sorted(
        (s for s in SCREENS.values() if s.available and s.permitted(user)), key=lambda s: order.index(s.scope)
    )
    return [MenuEntry(key, screen) for key, screen in zip(KEYS, screens, strict=False)]


def entry_for(user: Any, kind: str) -> MenuEntry | None:
    return next((e for e in entries(user) if e.screen.kind == kind), None)
