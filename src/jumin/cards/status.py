"""The state of a 個人番号カード (or 住基カード) after each status event — pure logic.

======================  =========================================  ==============
event                   allowed from                               state after
======================  =========================================  ==============
交付 ``issue``           none, abolished, collected, returned       active
一時停止 ``suspend``     active                                     suspended
一時停止解除 ``resume``  suspended                                  active
廃止 ``abolish``         active, suspended                          abolished
回収 ``collect``         active, suspended, abolished               collected
返還 ``return``          active, suspended, abolished               returned
======================  =========================================  ==============

A card that is 回収/返還 without a 廃止 first is taken as abolished too (the card is gone).
"""

from __future__ import annotations

NONE = "none"
ACTIVE = "active"
SUSPENDED = "suspended"
ABOLISHED = "abolished"
COLLECTED = "collected"
RETURNED = "returned"

LABELS = {
    NONE: "未交付",
    ACTIVE: "交付済（有効）",
    SUSPENDED: "一時停止中",
    ABOLISHED: "廃止",
    COLLECTED: "回収済",
    RETURNED: "返還済",
}

_HELD = (ACTIVE, SUSPENDED, ABOLISHED)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "issue": ((NONE, ABOLISHED, COLLECTED, RETURNED), ACTIVE),
    "suspend": ((ACTIVE,), SUSPENDED),
    "resume": ((SUSPENDED,), ACTIVE),
    "abolish": ((ACTIVE, SUSPENDED), ABOLISHED),
    "collect": (_HELD, COLLECTED),
    "return": (_HELD, RETURNED),
}


class TransitionError(ValueError):
    """The event does not apply to the card's current state."""


def next_state(current: str, event: str) -> str:
    """The state after ``event``; :class:`TransitionError` when it does not apply."""
    try:
        allowed, after = TRANSITIONS[event]
    except KeyError:
        raise TransitionError(event) from None
    if current not in allowed:
        raise TransitionError(event)
    return after
