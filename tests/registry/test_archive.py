"""除票DB (spec 1.1.5, 9.3): 除票 older than 5 years move out of the main tables by a batch,
one search still finds them, and a rebuild of the projection does not bring them back."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessLog, OperationLog
from jumin.core.errors import DomainError
from jumin.registry.archive import archive_removed, cutoff_date
from jumin.registry.models import (
    ArchivedHistory,
    ArchivedResident,
    Household,
    Movement,
    Resident,
    ResidentHistory,
    Status,
)
from jumin.registry.queries import find_person
from jumin.registry.services import enter_movement, rebuild_projection
from tests.audit.test_logs import purge_gate_closed
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db

ROW_FIELDS = [
    f.name for f in ResidentHistory._meta.concrete_fields if f.name not in {"id"}
]  # every column of a history row


def _move_out(atena_no: str, effective: str, counter: User, reviewer: User) -> None:
    final(
        "move_out",
        {
            "reason": "domestic_move_out",
            "effective": effective,
            "notified_on": effective,
            "destination": {"address": "東京都千代田区千代田1番1号"},
            "atena_nos": [atena_no],
            "initiation": "ex_officio",
        },
        counter,
        reviewer,
    )


def _resident(surname: str, counter: User, reviewer: User, effective: str = "平成20年4月1日") -> Resident:
    movement = final(
        "move_in",
        move_in_data(
            person(surname=surname, koseki_head=f"{surname}　太郎"), effective=effective, notified_on=effective
        ),
        counter,
        reviewer,
    )
    return Resident.objects.get(atena_no=movement.items.get().atena_no)


@pytest.fixture
def city(counter: User, reviewer: User) -> dict[str, Resident]:
    """old: 転出 in 平成25年 (archive due); recent: 転出 last month; current: still here."""
    old = _resident("古川", counter, reviewer)
    recent = _resident("新井", counter, reviewer)
    current = _resident("今井", counter, reviewer)
    _move_out(old.atena_no, "平成25年4月1日", counter, reviewer)
    _move_out(recent.atena_no, "令和8年10月1日", counter, reviewer)
    return {"old": old, "recent": recent, "current": current}


def _rows(model: Any, atena_no: str) -> list[dict[str, Any]]:
    return list(model.objects.filter(atena_no=atena_no).order_by("history_no").values(*ROW_FIELDS))


def _projection() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    residents = list(Resident.objects.order_by("atena_no").values_list("atena_no", "history_no", "status", "address"))
    households = list(
        Household.objects.order_by("household_no").values_list("household_no", "is_active", "address", "head_name")
    )
    return residents, households


@pytest.mark.spec("1.1.5", "9.3", partial=True)
def test_old_removed_records_move_to_the_archive_with_every_history_row(
    city: dict[str, Resident], counter: User
) -> None:
    old, recent, current = city["old"], city["recent"], city["current"]
    history_before = _rows(ResidentHistory, old.atena_no)
    resident_before = Resident.objects.filter(atena_no=old.atena_no).values().get()

    result = archive_removed(today=date(2026, 11, 26))

    assert result.persons == 1 and result.history_rows == 2 and result.atena_nos == [old.atena_no]
    assert result.cutoff == date(2021, 11, 26)
    assert not Resident.objects.filter(atena_no=old.atena_no).exists()
    assert not ResidentHistory.objects.filter(atena_no=old.atena_no).exists()
    assert _rows(ArchivedHistory, old.atena_no) == history_before
    archived = ArchivedResident.objects.filter(atena_no=old.atena_no).values().get()
    for name, value in resident_before.items():
        if name not in {"id", "household_id"}:
            assert archived[name] == value, name
    assert archived["status"] == Status.REMOVED
    # the recent 除票 and the current resident stay in the main tables
    assert set(Resident.objects.values_list("atena_no", flat=True)) == {recent.atena_no, current.atena_no}
    # the household of the archived person is gone from the main tables as well
    assert not Household.objects.filter(household_no=old.household_no).exists()
    log = OperationLog.objects.get(action="registry.archive_removed")
    assert log.after["persons"] == [old.atena_no] and log.after["history_rows"] == 2
    assert log.after["households_dropped"] == [old.household_no]


@pytest.mark.spec("1.1.5", partial=True)
def test_rebuild_of_the_projection_does_not_bring_archived_persons_back(city: dict[str, Resident]) -> None:
    archive_removed(today=date(2026, 11, 26))
    before = _projection()
    assert rebuild_projection() == 2
    assert _projection() == before
    assert not Resident.objects.filter(atena_no=city["old"].atena_no).exists()


@pytest.mark.spec("1.1.5", partial=True)
def test_one_search_by_atena_number_covers_main_tables_and_archive(city: dict[str, Resident], counter: User) -> None:
    archive_removed(today=date(2026, 11, 26))
    principal = Principal(user=counter)
    found = find_person(principal, city["old"].atena_no)
    assert found.archived and found.card.values["status"] == Status.REMOVED
    assert found.card.values["name"] == "古川\u3000太郎"
    assert [line.history_no for line in found.history] == [2, 1]
    assert found.card.values["resident_code"] != city["old"].resident_code  # masked for the counter role
    here = find_person(principal, city["current"].atena_no)
    assert not here.archived and [line.history_no for line in here.history] == [1]
    assert AccessLog.objects.filter(purpose="registry.find_person").count() == 2
    with pytest.raises(DomainError) as info:
        find_person(principal, "0000000000")
    assert info.value.code == "resident.not_found"


@pytest.mark.spec("9.3", partial=True)
def test_dry_run_moves_nothing_and_pending_movements_hold_a_person_back(
    city: dict[str, Resident], counter: User
) -> None:
    dry = archive_removed(today=date(2026, 11, 26), dry_run=True)
    assert dry.persons == 1 and dry.history_rows == 2 and dry.dry_run
    assert (
        not ArchivedHistory.objects.exists()
        and not OperationLog.objects.filter(action="registry.archive_removed").exists()
    )
    # a 仮登録 cancelling the old 転出 keeps the person in the main tables
    movement_no = Movement.objects.filter(kind="move_out").order_by("id").first().movement_no  # type: ignore[union-attr]
    enter_movement("cancellation", {"movement_no": movement_no}, by=counter)
    assert archive_removed(today=date(2026, 11, 26)).persons == 0
    assert Resident.objects.filter(atena_no=city["old"].atena_no).exists()


@pytest.mark.spec("9.3", partial=True)
def test_archive_period_is_a_setting(city: dict[str, Resident], settings: Any) -> None:
    settings.JUMIN_REMOVED_ARCHIVE_YEARS = 20
    assert cutoff_date(date(2024, 2, 29)) == date(2004, 2, 29)
    assert archive_removed(today=date(2026, 11, 26)).persons == 0
    settings.JUMIN_REMOVED_ARCHIVE_YEARS = 0  # everything removed before today
    assert archive_removed(today=date(2026, 11, 26)).persons == 2
    assert cutoff_date(date(2024, 2, 29), years=1) == date(2023, 2, 28)


def test_archive_opens_the_purge_gate_itself_and_the_archive_is_append_only(city: dict[str, Resident]) -> None:
    with purge_gate_closed():  # production behaviour (the test settings open the gate for teardown)
        assert archive_removed(today=date(2026, 11, 26)).persons == 1
    with purge_gate_closed():
        for model in (ArchivedHistory, ArchivedResident, ResidentHistory):
            with pytest.raises(DatabaseError), transaction.atomic():
                model.objects.filter(surname__in=("古川", "新井")).update(surname="改ざん")
            with pytest.raises(DatabaseError), transaction.atomic():
                model.objects.filter(surname__in=("古川", "新井")).delete()
    assert ArchivedHistory.objects.filter(atena_no=city["old"].atena_no, surname="古川").count() == 2


@pytest.mark.spec("9.3", partial=True)
def test_archive_removed_command(city: dict[str, Resident], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("archive_removed", "--dry-run")
    out = capsys.readouterr().out
    assert "（試行）" in out and "1人" in out and "2行" in out
    assert not ArchivedResident.objects.exists()
    call_command("archive_removed", "--chunk-size", "1")
    out = capsys.readouterr().out
    assert "1人" in out and "除票DBへ移しました" in out and "1世帯" in out
    assert ArchivedResident.objects.filter(atena_no=city["old"].atena_no).exists()
    call_command("archive_removed")
    assert "0人" in capsys.readouterr().out
