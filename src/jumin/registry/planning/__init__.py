"""Planning a movement: from what the counter entered to the proposed snapshots, with the
checks of the standard as errors (cannot proceed) or alerts (warn, may proceed).

Each planner takes the entered data (a dict, from a form or the API) and returns a
:class:`Plan`; nothing is written here (new persons and households get placeholder numbers,
numbered when the movement is stored).  Messages are Japanese and say what to do.

The modules: ``types`` (the plan and its issues), ``readers`` (what was entered, the current
rows), ``persons`` (a new person's items, 再転入), ``household_rules``, one module per family of
movements, and ``limits`` (what the register's columns can store).  :data:`PLANNERS` and
:data:`PREPARERS` are the table of movements by kind.
"""

from __future__ import annotations

from jumin.core.movement_kind import KIND_LABELS, MovementKind
from jumin.registry.planning import (
    births_deaths,
    cancellation,
    corrections,
    foreign,
    households,
    moves,
    notices,
    numbers,
    program_items,
    rebuild,
)
from jumin.registry.planning.household_rules import households_conflict
from jumin.registry.planning.leases import lease_expiry, lease_minutes
from jumin.registry.planning.moves import plan_move_in, plan_move_out, plan_relocation
from jumin.registry.planning.types import (
    ALERT,
    ERROR,
    NEW_ATENA,
    NEW_HOUSEHOLD,
    Issue,
    Plan,
    PlannedItem,
    Planner,
    Preparer,
)

PLANNERS: dict[str, Planner] = {
    MovementKind.MOVE_IN: moves.plan_move_in,
    MovementKind.RELOCATION: moves.plan_relocation,
    MovementKind.MOVE_OUT: moves.plan_move_out,
    MovementKind.HOUSEHOLD_SPLIT: households.plan_household_split,
    MovementKind.BIRTH: births_deaths.plan_birth,
    MovementKind.DEATH: births_deaths.plan_death,
    MovementKind.CANCELLATION: cancellation.plan_cancellation,
    MovementKind.HOUSEHOLD_MERGE: households.plan_household_merge,
    MovementKind.HOUSEHOLD_CHANGE: households.plan_household_change,
    MovementKind.HEAD_CHANGE: households.plan_head_change,
    MovementKind.CORRECTION: corrections.plan_correction,
    MovementKind.DISAPPEARANCE: corrections.plan_disappearance,
    MovementKind.EX_OFFICIO_REMOVAL: corrections.plan_ex_officio_removal,
    MovementKind.FORMER_SURNAME: corrections.plan_former_surname,
    MovementKind.ALIAS: corrections.plan_alias,
    MovementKind.ARTICLE_30_46: foreign.plan_article_30_46,
    MovementKind.ARTICLE_30_47: foreign.plan_article_30_47,
    MovementKind.NATURALIZATION: foreign.plan_naturalization,
    MovementKind.NATIONALITY_ACQUISITION: foreign.plan_nationality_acquisition,
    MovementKind.NATIONALITY_LOSS: foreign.plan_nationality_loss,
    MovementKind.REBUILD: rebuild.plan_rebuild,
    MovementKind.MOVE_IN_NOTICE: notices.plan_move_in_notice,
    MovementKind.RESIDENT_CODE: numbers.plan_resident_code,
    MovementKind.INDIVIDUAL_NUMBER: numbers.plan_individual_number,
    MovementKind.PROGRAM_ITEMS: program_items.plan_program_items,
}
"""The planner of each kind of movement."""

PREPARERS: dict[str, Preparer] = {
    MovementKind.INDIVIDUAL_NUMBER: numbers.prepare_individual_number,
}
"""Steps run before the entering transaction opens (calls to national systems), by kind."""

__all__ = [
    "ALERT",
    "ERROR",
    "KIND_LABELS",
    "NEW_ATENA",
    "NEW_HOUSEHOLD",
    "PLANNERS",
    "PREPARERS",
    "Issue",
    "MovementKind",
    "Plan",
    "PlannedItem",
    "Planner",
    "Preparer",
    "households_conflict",
    "lease_expiry",
    "lease_minutes",
    "plan_move_in",
    "plan_move_out",
    "plan_relocation",
]
