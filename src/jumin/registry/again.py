"""再入力: the entry screen of a returned (差戻し) 転入 filled again from the returned movement.

The reviewer returned a 転入 with a comment; the clerk who entered it opens 修正して入力し直す
(Alt+U) and finds the persons, the 転入前住所 and the screen's own items as she entered them,
so that she changes only what the reviewer asked for.  What is read back is what the movement
recorded (its items' ``proposed`` snapshots), restricted to the items the entry screen has.

Never filled again: the 個人番号 and the 住民票コード (the snapshot holds the number sealed;
neither is ever sent back into a page unasked) — the clerk enters them again from the
documents, as at the first entry — nor the 留意事項, which mixes what the planner wrote itself
(未届転入 …) with what was typed.  The dates are filled by the entry view for every kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from jumin.registry.entry import EntryScreen
from jumin.registry.models import Movement, MovementItem, Resident

# Items of a person never filled again (see the module's docstring).
NOT_AGAIN = frozenset({"individual_number", "resident_code"})
# A person form's item -> the snapshot's key, where they differ.
_SNAPSHOT_KEY = {"birth": "birth_text"}
# The 転入前住所 part (prefix "prev") from the snapshot.
_PREVIOUS = {
    "address": "previous_address",
    "banchi": "previous_banchi",
    "katagaki": "previous_katagaki",
    "postcode": "previous_postcode",
    "address_code": "previous_address_code",
}


@dataclass
class Again:
    """Initial values of an entry screen for a returned movement: the screen's form, the
    parts that are single forms (by part name) and the repeated persons (one dict each)."""

    form: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)
    persons: list[dict[str, Any]] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def moved_in_items(movement: Movement) -> list[MovementItem]:
    """The persons a 転入 brought (new ones and 再転入 of a 除票), in the order entered — not
    the members of a household they joined, whose items only change the 世帯主氏名."""
    items = list(movement.items.order_by("id"))
    current = set(
        Resident.objects.filter(atena_no__in=[i.atena_no for i in items], status="current").values_list(
            "atena_no", flat=True
        )
    )
    return [i for i in items if i.atena_no not in current]


def person_initial(proposed: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    """One person's form items from a snapshot (only the ``fields`` the form has)."""
    values: dict[str, Any] = {}
    for name in sorted(fields - NOT_AGAIN):
        key = _SNAPSHOT_KEY.get(name, name)
        if name == "furigana_confirmed":
            values[name] = proposed.get("furigana_status") == "confirmed"
        elif key in proposed and proposed[key] not in (None, "", False):
            values[name] = proposed[key] if isinstance(proposed[key], bool) else _text(proposed[key])
    return values


def move_in_again(movement: Movement, *, person_fields: set[str], form_fields: set[str]) -> Again:
    """What a returned 転入 (or 法第30条の46転入・30条の47届出) recorded, as the initial values of
    its entry screen.  ``person_fields``: the items of the screen's person form;
    ``form_fields``: the items of the screen's own form."""
    items = moved_in_items(movement)
    again = Again()
    for item in items:
        values = person_initial(item.proposed, person_fields)
        if "reentry_of" in person_fields and item.base_history_no is not None:
            values["reentry_of"] = item.atena_no  # a 再転入 keeps the 除票's 宛名番号
        again.persons.append(values)
    first = items[0].proposed if items else {}
    own: dict[str, Any] = {"reason": movement.reason}
    household_no = _text(first.get("household_no"))
    joined = bool(household_no) and Resident.objects.filter(household_no=household_no, status="current").exists()
    own["household_mode"] = "join" if joined else "new"
    if joined:
        own["household_no"] = household_no
    if first.get("previous_address_unreported"):
        own["previous_unreported"] = True
        own["last_registered"] = _text(first.get("last_registered_address"))
    again.form = {k: v for k, v in own.items() if k in form_fields and v not in ("", None)}
    previous = {name: _text(first.get(key)) for name, key in _PREVIOUS.items()}
    if any(previous.values()):
        again.parts["previous"] = previous
    return again


def screen_again(screen: EntryScreen, movement: Movement | None) -> Again | None:
    """The initial values of ``screen`` for the returned ``movement`` it corrects, when the
    screen enters new persons (転入 and the like); None otherwise (the screens opened on a
    household or a person choose their members again themselves)."""
    persons = next((p for p in screen.parts if p.name == "persons" and p.repeated), None)
    if movement is None or persons is None or movement.kind != screen.kind:
        return None
    return move_in_again(
        movement,
        person_fields=set(cast(Any, persons.form).form.base_fields),  # a formset's form
        form_fields=set(screen.form.base_fields),
    )


def refilled_parts(screen: EntryScreen, again: Again) -> dict[str, Any]:
    """The screen's parts (unbound) with the values read back: the persons and the 転入前住所."""
    parts: dict[str, Any] = {}
    for part in screen.parts:
        if part.name == "persons" and again.persons:
            parts[part.name] = part.form(prefix=part.prefix, initial=again.persons)
        elif part.name in again.parts:
            parts[part.name] = part.form(prefix=part.prefix, initial=again.parts[part.name])
    return parts
