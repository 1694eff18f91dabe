"""A person's history split into records: 除票 of a re-entrant or 改製 person (1.2.1, 20.1.3)."""

from __future__ import annotations

import pytest

from jumin.core.errors import DomainError
from jumin.core.records import Record, Row, current, removed_record, split


def rows(*spec: tuple[str, str]) -> list[Row]:
    return [Row(i + 1, category, reason) for i, (category, reason) in enumerate(spec)]


MOVE_IN = ("add", "domestic_move_in")
MOVE_OUT = ("remove", "domestic_move_out")
RELOCATION = ("amend", "relocation")
CORRECTION = ("amend", "correction")


def test_no_rows_no_record() -> None:
    assert split([]) == ()
    assert current(()) is None
    with pytest.raises(DomainError) as error:
        removed_record(())
    assert error.value.code == "certificate.no_removed_record"


@pytest.mark.spec("20.1.1")
def test_one_stay_is_one_record() -> None:
    records = split(rows(MOVE_IN, RELOCATION))
    assert records == (Record(1, (1, 2), removed=False),)
    assert current(records) == records[0]
    with pytest.raises(DomainError) as error:
        removed_record(records)
    assert error.value.code == "certificate.no_removed_record"


@pytest.mark.spec("20.1.3")
def test_a_person_who_came_back_has_a_removed_record_and_a_current_one() -> None:
    records = split(rows(MOVE_IN, MOVE_OUT, CORRECTION, MOVE_IN, RELOCATION))
    assert records == (Record(1, (1, 2, 3), removed=True), Record(2, (4, 5), removed=False))
    assert current(records) == records[1]
    assert removed_record(records) == records[0]
    assert removed_record(records, 1) == records[0]
    with pytest.raises(DomainError) as error:
        removed_record(records, 2)  # the current record is no 除票
    assert error.value.code == "certificate.record_not_found"


@pytest.mark.spec("20.1.3")
def test_a_cancelled_removal_keeps_the_record() -> None:
    records = split(rows(MOVE_IN, MOVE_OUT, ("add", "cancel_add"), RELOCATION))
    assert records == (Record(1, (1, 2, 3, 4), removed=False),)


@pytest.mark.spec("1.2.1")
def test_rebuild_opens_a_new_record() -> None:
    records = split(rows(MOVE_IN, ("remove", "rebuild_remove"), ("add", "rebuild_add"), RELOCATION))
    assert [r.history_nos for r in records] == [(1, 2), (3, 4)]
    assert removed_record(records).number == 1
    # a 改製 without its 消除 row (as loaded from an old system) still starts a record
    records = split(rows(MOVE_IN, ("add", "rebuild_add")))
    assert [(r.history_nos, r.removed) for r in records] == [((1,), False), ((2,), False)]


def test_the_newest_removed_record_by_default() -> None:
    records = split(rows(MOVE_IN, MOVE_OUT, MOVE_IN, MOVE_OUT))
    assert [r.removed for r in records] == [True, True]
    assert removed_record(records).number == 2
    assert removed_record(records, 1).number == 1
    with pytest.raises(DomainError) as error:
        removed_record(records, 3)
    assert error.value.code == "certificate.record_not_found"
