"""記載順位 (5.2): the computed order of a household's members, or the order set by hand.

Every list of a household's members in order — the household screen, the 世帯連記式 copy, the
notices — goes through :func:`in_household_order`: the order 5.2 prescribes
(``jumin.core.relationship.household_order``), overridden by the order the staff set for the
household (``HouseholdOrder``, written by ``services.set_member_order``), newcomers appended.
"""

from __future__ import annotations

from collections.abc import Iterable

from jumin.core.relationship import Member, household_order, with_manual_order
from jumin.registry.models import HouseholdOrder


def manual_order(household_no: str) -> list[str]:
    """The 宛名番号 in the order set by hand for the household (empty: none set)."""
    row = HouseholdOrder.objects.filter(household_no=household_no).only("atena_nos").first()
    return [str(a) for a in row.atena_nos] if row is not None else []


def in_household_order(household_no: str, members: Iterable[Member]) -> list[Member]:
    return with_manual_order(household_order(members), manual_order(household_no))
