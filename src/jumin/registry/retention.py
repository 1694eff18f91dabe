"""The 150-year purges of the register (住基法施行令34条1項; run by ``jumin retention run``).

- **除票** are kept 150 years from the 消除 (the first day not counted,
  jumin.core.periods.removed_record_retention_until).  By then a 除票 has long been moved to the
  除票DB (``jumin archive-removed``, after 5 years), so the purge reads the 除票DB only: the
  person's ``ArchivedResident`` row, every ``ArchivedHistory`` row and the person's items of the
  movements (their 入力内容 carry the same personal items).  A 消除 without a date (a cancelled
  転入) counts from the 処理日 of its row, as the archive does.
- **改製原住民票** are kept 150 years from the 改製: the rows of a person up to and including the
  ``rebuild_remove`` row (消除「改製」) whose 改製日 is past its 150 years, in the main history
  and in the 除票DB.  The new record (the ``rebuild_add`` row on) stays.

A movement left with no item and no history row loses its own personal fields (届出人, 留意事項,
職権記録書) or, when nothing refers to it any more, goes.  The history tables are append-only;
the purge opens the same gate as the audit logs (on PostgreSQL only for members of
``jumin_log_purge``).  One transaction per chunk of persons, each with an operation-log row that
names the persons (宛名番号) and the counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.deletion import ProtectedError, RestrictedError

from jumin.audit.services import purge_gate, record_operation
from jumin.core.periods import last_purgeable_day
from jumin.registry.models import ArchivedHistory, ArchivedResident, Movement, MovementItem, ResidentHistory

YEARS = 150
CHUNK = 500
REBUILD_REMOVE = "rebuild_remove"


@dataclass
class Purged:
    persons: int = 0
    history_rows: int = 0
    movement_items: int = 0
    movements_deleted: int = 0
    movements_erased: int = 0

    def as_counts(self) -> dict[str, int]:
        return dict(vars(self))


def _chunks(numbers: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(numbers), CHUNK):
        yield numbers[start : start + CHUNK]


# -- 除票 (除票DB) -----------------------------------------------------------------------------


def removed_due(last_day: date) -> QuerySet[ArchivedResident]:
    """The 除票 of the 除票DB whose 消除 was on ``last_day`` or before."""
    undated_row = ArchivedHistory.objects.filter(
        atena_no=OuterRef("atena_no"), history_no=OuterRef("history_no"), processed_on__lte=last_day
    )
    return ArchivedResident.objects.filter(
        Q(removed_sort__lte=last_day) | Q(removed_sort__isnull=True) & Exists(undated_row)
    ).order_by("atena_no")


def purge_removed(today: date) -> dict[str, int]:
    last_day = last_purgeable_day(today, YEARS)
    result = Purged()
    for numbers in _chunks(list(removed_due(last_day).values_list("atena_no", flat=True))):
        with transaction.atomic():
            persons = list(removed_due(last_day).filter(atena_no__in=numbers).select_for_update())
            if not persons:
                continue
            doomed = [p.atena_no for p in persons]
            movements = set(ArchivedHistory.objects.filter(atena_no__in=doomed).values_list("movement_id", flat=True))
            with purge_gate():
                rows, _ = ArchivedHistory.objects.filter(atena_no__in=doomed).delete()
                ArchivedResident.objects.filter(atena_no__in=doomed).delete()
            items, _ = MovementItem.objects.filter(atena_no__in=doomed).delete()
            _settle_movements(movements, result)
            record_operation(
                action="registry.removed_purged",
                target_type="registry",
                after={"last_day": last_day.isoformat(), "persons": doomed, "history_rows": rows},
                reason="除票の保存期間（消除から150年）経過",
            )
        result.persons += len(doomed)
        result.history_rows += rows
        result.movement_items += items
    return result.as_counts()


# -- 改製原住民票 -------------------------------------------------------------------------------


def _originals(model: type[ResidentHistory] | type[ArchivedHistory], last_day: date) -> dict[str, int]:
    """宛名番号 → the highest 履歴番号 of a 改製原 row (消除「改製」) past its 150 years."""
    due: dict[str, int] = {}
    rows = model.objects.filter(reason=REBUILD_REMOVE).filter(
        Q(removed_sort__lte=last_day) | Q(removed_sort__isnull=True, effective_sort__lte=last_day)
    )
    for atena_no, history_no in rows.values_list("atena_no", "history_no"):
        due[atena_no] = max(history_no, due.get(atena_no, 0))
    return due


def purge_rebuilt_originals(today: date) -> dict[str, int]:
    last_day = last_purgeable_day(today, YEARS)
    result = Purged()
    for model in (ResidentHistory, ArchivedHistory):
        due = _originals(model, last_day)
        for numbers in _chunks(sorted(due)):
            with transaction.atomic():
                doomed = Q()
                for atena_no in numbers:
                    doomed |= Q(atena_no=atena_no, history_no__lte=due[atena_no])
                movements = set(model.objects.filter(doomed).values_list("movement_id", flat=True))
                with purge_gate():
                    rows, _ = model.objects.filter(doomed).delete()
                # the persons' items of the movements that wrote those rows (履歴番号 set at 本登録)
                items, _ = MovementItem.objects.filter(doomed).delete()
                _settle_movements(movements, result)
                record_operation(
                    action="registry.rebuilt_originals_purged",
                    target_type="registry",
                    after={"last_day": last_day.isoformat(), "persons": numbers, "history_rows": rows},
                    reason="改製原住民票の保存期間（改製から150年）経過",
                )
            result.persons += len(numbers)
            result.history_rows += rows
            result.movement_items += items
    return result.as_counts()


# -- movements left without a person ------------------------------------------------------------


def _settle_movements(movement_ids: set[int], result: Purged) -> None:
    """Movements with no item and no history row left: deleted, or (still referred to, e.g. by a
    sent telegram or an application) stripped of their personal fields."""
    left = Movement.objects.filter(pk__in=movement_ids).exclude(
        Exists(MovementItem.objects.filter(movement=OuterRef("pk")))
        | Exists(ResidentHistory.objects.filter(movement=OuterRef("pk")))
        | Exists(ArchivedHistory.objects.filter(movement=OuterRef("pk")))
    )
    for movement in left:
        try:
            with transaction.atomic():
                movement.delete()
            result.movements_deleted += 1
        except (ProtectedError, RestrictedError):
            Movement.objects.filter(pk=movement.pk).update(notifier="", remark="", ex_officio_record={})
            result.movements_erased += 1
