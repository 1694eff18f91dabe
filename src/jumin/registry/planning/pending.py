"""A movement entered while another 仮登録 (or a 差戻し) on the same persons or household waits
for 審査・決裁 is caught at entry, naming the waiting movement — not at approval, where the
second one would fail as 「他の異動で更新されました」 after the reviewer has read it.

* The same person in a waiting movement: an error (the second one is planned on the record the
  first one changes; one of them must be approved or discarded first).
* The same household, other persons: an alert the clerk confirms (a 出生 into a household
  whose other member changes 個人番号 can be approved in any order).

The waiting movements are found from their items (not from the edit leases, which expire)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from jumin.core.movement_kind import KIND_LABELS
from jumin.registry.models import PENDING_STATES, MovementItem, Resident
from jumin.registry.planning.types import NEW_ATENA, NEW_HOUSEHOLD, Plan
from jumin.registry.snapshots import display_name


def _real(values: Iterable[str]) -> set[str]:
    return {v for v in values if v and not v.startswith((NEW_ATENA, NEW_HOUSEHOLD))}


def check_pending(plan: Plan, *, excluding: int | None = None) -> None:
    """Add an error for each person of ``plan`` already in a waiting movement, and an alert for
    each waiting movement on one of its households (``excluding``: the id of the returned
    movement that this one replaces)."""
    persons = _real(i.atena_no for i in plan.items)
    households = _real({*plan.households, *(str(i.snapshot.get("household_no") or "") for i in plan.items)})
    households |= _real(Resident.objects.filter(atena_no__in=persons).values_list("household_no", flat=True))
    if not persons and not households:
        return
    members = set(Resident.objects.filter(household_no__in=households).values_list("atena_no", flat=True))
    waiting = (
        MovementItem.objects.filter(movement__state__in=PENDING_STATES)
        .filter(Q(atena_no__in=persons | members) | Q(proposed__household_no__in=sorted(households)))
        .select_related("movement")
        .order_by("movement__entered_at", "id")
    )
    if excluding is not None:
        waiting = waiting.exclude(movement_id=excluding)
    named: dict[str, str] = {}
    alerted: set[str] = set()
    for item in waiting:
        movement = item.movement
        label = (
            f"{movement.movement_no}（{KIND_LABELS.get(movement.kind, movement.kind)}・{movement.get_state_display()}）"
        )
        if item.atena_no in persons and item.atena_no not in named:
            named[item.atena_no] = movement.movement_no
            plan.error(
                "movement.pending_person",
                f"{display_name(item.proposed) or item.atena_no} には審査待ちの異動 {label} があります。"
                "先にその異動を本登録するか、仮登録を取り消してから入力してください。",
                item.atena_no,
            )
        elif item.atena_no not in persons and movement.movement_no not in alerted | set(named.values()):
            alerted.add(movement.movement_no)
            plan.alert(
                "movement.pending_household",
                f"同じ世帯に審査待ちの異動 {label} があります。内容が重ならないことを確かめてから登録してください。",
            )
