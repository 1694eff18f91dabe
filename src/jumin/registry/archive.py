"""除票DB (standard spec 1.1.5, 9.3): move 除票 older than the archive period out of the main
tables.

A person whose record was removed (消除: 転出, 死亡 …) more than ``JUMIN_REMOVED_ARCHIVE_YEARS``
(default 5) years ago is moved — the projection row and every history row — into
``ArchivedResident`` / ``ArchivedHistory``, one transaction per chunk of persons, each chunk
with its own operation-log row naming the persons.  The history tables are append-only; this
module is the one place that opens the purge gate to take rows out of the main tables, and it
copies them before it deletes them in the same transaction.

The 消除 date is ``removed_sort`` (事由発生日); a removal without a date (a cancelled 転入)
counts from the 処理日 of the removing row.  A person with a movement in 仮登録 is left for the
next run.  Households whose every history row has gone are dropped from the household
projection too, so that ``rebuild_projection()`` gives the same result (and resurrects no one:
it reads the main history only).  The archive is kept 150 years from the 消除 (施行令34条1項);
``jumin retention run`` deletes it then (jumin.registry.retention).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from jumin.audit.services import purge_gate, record_operation
from jumin.registry.models import (
    PENDING_STATES,
    ArchivedHistory,
    ArchivedResident,
    Household,
    MovementItem,
    Resident,
    ResidentHistory,
    Status,
)
from jumin.registry.services import refresh_household

CHUNK = 500


def archive_years() -> int:
    return int(getattr(settings, "JUMIN_REMOVED_ARCHIVE_YEARS", 5))


def cutoff_date(today: date | None = None, years: int | None = None) -> date:
    """The first 消除 date that stays in the main tables: today minus the archive period
    (29 February goes to 28 February)."""
    today = today or timezone.localdate()
    years = archive_years() if years is None else years
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def due(cutoff: date) -> QuerySet[Resident]:
    """The 除票 removed before ``cutoff``, without a movement in 仮登録."""
    removing_row_before = ResidentHistory.objects.filter(
        atena_no=OuterRef("atena_no"), history_no=OuterRef("history_no"), processed_on__lt=cutoff
    )
    pending = MovementItem.objects.filter(atena_no=OuterRef("atena_no"), movement__state__in=PENDING_STATES)
    return (
        Resident.objects.filter(status=Status.REMOVED)
        .filter(Q(removed_sort__lt=cutoff) | Q(removed_sort__isnull=True) & Exists(removing_row_before))
        .exclude(Exists(pending))
        .order_by("atena_no")
    )


@dataclass
class ArchiveResult:
    cutoff: date
    persons: int = 0
    history_rows: int = 0
    households_dropped: int = 0
    chunks: int = 0
    dry_run: bool = False
    atena_nos: list[str] = field(default_factory=list)


def _copy(row: Any, model: type[ArchivedHistory] | type[ArchivedResident], now: Any) -> Any:
    names = {f.name for f in model._meta.concrete_fields} - {"id", "archived_at"}
    values = {name: getattr(row, name) for name in names if name != "movement"}
    if "movement" in names:
        values["movement_id"] = row.movement_id
    return model(archived_at=now, **values)


def _chunks(numbers: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(numbers), size):
        yield numbers[start : start + size]


def archive_removed(
    *,
    today: date | None = None,
    dry_run: bool = False,
    chunk_size: int = CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> ArchiveResult:
    """Move the due 除票 to the 除票DB.  ``progress(done, total)`` is called after each chunk."""
    cutoff = cutoff_date(today)
    candidates = list(due(cutoff).values_list("atena_no", flat=True))
    result = ArchiveResult(cutoff=cutoff, dry_run=dry_run)
    if dry_run:
        result.persons = len(candidates)
        result.history_rows = ResidentHistory.objects.filter(atena_no__in=candidates).count() if candidates else 0
        result.atena_nos = candidates
        return result
    for numbers in _chunks(candidates, max(1, chunk_size)):
        _archive_chunk(numbers, cutoff, result)
        if progress is not None:
            progress(result.persons, len(candidates))
    return result


def _archive_chunk(numbers: list[str], cutoff: date, result: ArchiveResult) -> None:
    with transaction.atomic():
        # re-check under lock: a person may have been re-entered or cancelled since the list
        residents = list(due(cutoff).filter(atena_no__in=numbers).select_for_update())
        if not residents:
            return
        moving = [r.atena_no for r in residents]
        now = timezone.now()
        rows = list(
            ResidentHistory.objects.filter(atena_no__in=moving).order_by("processed_on", "atena_no", "history_no")
        )
        households = {r.household_no for r in rows} - {""}
        ArchivedHistory.objects.bulk_create([_copy(row, ArchivedHistory, now) for row in rows])
        ArchivedResident.objects.bulk_create([_copy(r, ArchivedResident, now) for r in residents])
        with purge_gate():
            deleted_rows, _ = ResidentHistory.objects.filter(atena_no__in=moving).delete()
            Resident.objects.filter(atena_no__in=moving).delete()
        dropped = _settle_households(households)
        record_operation(
            action="registry.archive_removed",
            target_type="registry",
            after={
                "cutoff": cutoff.isoformat(),
                "persons": moving,
                "history_rows": deleted_rows,
                "households_dropped": dropped,
            },
            reason=f"除票DBへの移行（消除から{archive_years()}年超）",
        )
    result.persons += len(moving)
    result.history_rows += deleted_rows
    result.households_dropped += len(dropped)
    result.chunks += 1
    result.atena_nos.extend(moving)


def _settle_households(household_nos: set[str]) -> list[str]:
    """Households of the moved persons: drop those no main history row names any more, refresh
    the others (an inactive household keeps the address its remaining rows give)."""
    still = set(
        ResidentHistory.objects.filter(household_no__in=household_nos).values_list("household_no", flat=True).distinct()
    )
    dropped = sorted(household_nos - still)
    Household.objects.filter(household_no__in=dropped, members__isnull=True).delete()
    for household_no in sorted(still):
        refresh_household(household_no)
    return dropped
