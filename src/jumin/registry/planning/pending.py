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
from django.utils import timezone

from jumin.core.movement_kind import KIND_LABELS
from jumin.registry.models import PENDING_STATES, EditLease, Movement, MovementItem, Resident
from jumin.registry.planning.types import NEW_ATENA, NEW_HOUSEHOLD, Plan


def _real(values: Iterable[str]) -> set[str]:
    return {v for v in values if v and not v.startswith((NEW_ATENA, NEW_HOUSEHOLD))}


def check_pending(plan: Plan, *, by_id: int | None = None, excluding: int | None = None) -> None:
    """Add an error for each person of ``plan`` already in a waiting movement, and an alert for
    each waiting movement on one of its households — an error when another clerk's entry
    holds the household (the exclusive editing of 10.3, ``EditLease``).  ``by_id``: the clerk
    entering; ``excluding``: the id of the returned movement that this one replaces."""
    persons = _real(i.atena_no for i in plan.items)
    households = _real({*plan.households, *(str(i.snapshot.get("household_no") or "") for i in plan.items)})
    households |= _real(Resident.objects.filter(atena_no__in=persons).values_list("household_no", flat=True))
    if not persons and not households:
        return
    members = set(Resident.objects.filter(household_no__in=households).values_list("atena_no", flat=True))
    waiting = (
        MovementItem.objects.filter(movement__state__in=PENDING_STATES)
        .filter(Q(atena_no__in=persons | members) | Q(proposed__household_no__in=sorted(households)))
        .select_related("movement", "movement__entered_by")
        .order_by("movement__entered_at", "id")
    )
    if excluding is not None:
        waiting = waiting.exclude(movement_id=excluding)
    items = list(waiting)
    named: dict[str, str] = {}  # person -> the waiting movement named for her
    for item in items:
        if item.atena_no in persons and item.atena_no not in named:
            named[item.atena_no] = item.movement.movement_no
            plan.error(  # the screen puts the person's name before it (Issue.person_name)
                "movement.pending_person",
                f"この方には審査待ちの異動 {_label(item.movement)} があります。"
                "先にその異動を本登録するか、仮登録を取り消してから入力してください。",
                item.atena_no,
            )
    told = set(named.values())
    for item in items:
        movement = item.movement
        if movement.movement_no in told:
            continue
        told.add(movement.movement_no)
        if movement.entered_by_id != by_id and _holds(movement.pk):
            plan.error(
                "movement.pending_household",
                f"同じ世帯に他の職員（{movement.entered_by}）の審査待ちの異動 {_label(movement)} があります。"
                "その異動が本登録されるか取り消されるまで、この世帯の異動は入力できません（照会はできます）。",
            )
        else:
            plan.alert(
                "movement.pending_household",
                f"同じ世帯に審査待ちの異動 {_label(movement)} があります。"
                "内容が重ならないことを確かめてから登録してください。",
            )


def _label(movement: Movement) -> str:
    """「M000000002（転居・仮登録）」."""
    return f"{movement.movement_no}（{KIND_LABELS.get(movement.kind, movement.kind)}・{movement.get_state_display()}）"


def _holds(movement_id: int) -> bool:
    """Whether the movement still holds an edit lease (they expire, ``planning.leases``)."""
    return EditLease.objects.filter(movement_id=movement_id, expires_at__gt=timezone.now()).exists()
