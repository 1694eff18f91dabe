"""``jumin migrate-data``: the register exported in the migration layout and imported into an
empty database gives the same register, table by table and row by row (spec 10.6, 10.8); the
validation report before anything is written; the refusals.  SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import tempfile
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jumin.accounts.models import User
from jumin.audit.services import purge_gate
from jumin.handover.exporter import export_register
from jumin.handover.importer import RegisterNotEmptyError, _is_empty, import_register, validate
from jumin.handover.layout import HISTORY_FILE, HOUSEHOLD_FILE, MOVEMENT_FILE, PROGRAM_FILE, REPORT_FILE, TABLES
from jumin.handover.writer import MIGRATION_USERNAME, RegisterWriter
from jumin.linkage.models import OutboxMessage
from jumin.protection.models import (
    Block,
    MeasureTransfer,
    Offender,
    ProtectedPerson,
    ProtectionDecision,
    SupportMeasure,
)
from jumin.protection.services import MeasureInput, OffenderInput, TransferInput, create_measure
from jumin.registry.archive import archive_removed
from jumin.registry.models import (
    ArchivedHistory,
    ArchivedResident,
    Household,
    HouseholdOrder,
    Movement,
    NumberSequence,
    Resident,
    ResidentHistory,
    Status,
)
from jumin.registry.numbers import open_individual_number
from jumin.registry.seeding import clear_register, seed_city
from tests.conftest import make_operator
from tests.registry.conftest import final

pytestmark = [pytest.mark.django_db, pytest.mark.spec("10.6", partial=True)]

SKIP = {"id", "updated_at", "entered_by", "created_by", "set_by", "released_by", "temporarily_released_by"}


def _row(obj: Model) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in SKIP or f.name in {"replaces", "return_comment", "returned_at"}:
            continue
        value = getattr(obj, f.name)
        if f.name == "individual_number_ct":
            value = open_individual_number(value, obj.atena_no) if value else ""  # type: ignore[attr-defined]
        elif f.name in {"movement", "cancels"}:
            value = value.movement_no if value is not None else None
        elif f.name == "measure":
            value = value.measure_no if value is not None else None
        elif f.name == "household":
            value = value.household_no if value is not None else None
        row[f.name] = value
    return row


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every table of the register as sorted rows, surrogate keys replaced by the numbers."""
    models: list[type[Model]] = [
        ResidentHistory,
        ArchivedHistory,
        Resident,
        ArchivedResident,
        Household,
        HouseholdOrder,
        SupportMeasure,
        ProtectedPerson,
        Offender,
        MeasureTransfer,
        Block,
    ]
    tables = {m._meta.db_table: sorted((_row(o) for o in m.objects.all()), key=repr) for m in models}
    final_movements = Movement.objects.filter(state=Movement.State.FINAL)
    tables["movement"] = sorted((_row(o) for o in final_movements), key=repr)
    return tables


def wipe() -> None:
    """An empty register again (as a new database would be), number sequences kept."""
    connection.check_constraints()  # PostgreSQL: no pending FK trigger events before TRUNCATE
    with transaction.atomic(), purge_gate():
        OutboxMessage.objects.all().delete()
        ProtectionDecision.objects.all().delete()
        Block.objects.all().delete()
        SupportMeasure.objects.all().delete()
        HouseholdOrder.objects.all().delete()
    clear_register()


def archive_half() -> None:
    """About half of the 除票 to the 除票DB (as if today were five years after the median 消除)."""
    days = sorted(Resident.objects.filter(status=Status.REMOVED).values_list("removed_sort", flat=True))
    if days:
        middle = days[len(days) // 2]
        archive_removed(today=middle.replace(year=middle.year + 5, day=min(middle.day, 28)) + timedelta(days=1))


@pytest.fixture
def city(counter: User, reviewer: User) -> None:
    """A small city with history, 除票, the 除票DB, 個別事項, a 支援措置 with its blocks, a
    manual 記載順位."""
    seed_city(150, seed=3)
    archive_half()
    assert ArchivedResident.objects.exists()
    assert Resident.objects.filter(status=Status.REMOVED).exists()
    person = Resident.objects.filter(status=Status.CURRENT, is_head=True).order_by("atena_no").first()
    assert person is not None
    final(
        "program_items",
        {
            "atena_no": person.atena_no,
            "notifier": "保険年金課",
            "program_items": {
                "nhi": {"insured": True, "acquired_on": "令和6年4月1日"},
                "elector": {"registered": True},
                "child_allowance": {"start_month": "2024-04"},
            },
        },
        counter,
        reviewer,
    )
    members = list(Resident.objects.filter(household_no=person.household_no, status=Status.CURRENT))
    HouseholdOrder.objects.create(
        household_no=person.household_no, atena_nos=[m.atena_no for m in reversed(members)], set_by=counter
    )
    create_measure(
        MeasureInput(
            kind="dv",
            applicant_atena_no=person.atena_no,
            accompanying=[m.atena_no for m in members if m.atena_no != person.atena_no][:1],
            start_on=date(2026, 11, 1),
            reason="相談機関の意見あり",
            offenders=[OffenderInput(name="加害　太郎", birth_text="昭和50年1月1日", sex="1")],
            transfers=[TransferInput(direction="received", municipality="川越市", on=date(2026, 10, 30))],
        ),
        by=make_operator("shien", "支援 責任者", roles=("支援措置責任者",)),
    )
    assert Block.objects.exists()


def test_export_then_import_into_an_empty_register_gives_the_same_register(city: None, tmp_path: Path) -> None:
    before = snapshot()
    counts = export_register(tmp_path / "out")
    assert counts[HISTORY_FILE] == ResidentHistory.objects.count() + ArchivedHistory.objects.count()
    assert counts[PROGRAM_FILE] == 3 * ResidentHistory.objects.filter(reason="program_items").count()
    assert {p.name for p in (tmp_path / "out").iterdir()} == {t.file for t in TABLES}
    assert all((p.stat().st_mode & 0o077) == 0 for p in (tmp_path / "out").iterdir())  # 個人番号 in plain
    sequences = dict(NumberSequence.objects.values_list("name", "last"))
    wipe()
    NumberSequence.objects.all().delete()  # a new database
    assert snapshot() != before

    result = import_register(tmp_path / "out")

    assert result.issues == [] and result.written
    after = snapshot()
    for table, rows in before.items():
        assert after[table] == rows, table
    atenas = [*Resident.objects.values_list("atena_no", flat=True)]
    atenas += ArchivedResident.objects.values_list("atena_no", flat=True)
    assert NumberSequence.objects.get(name="atena_no").last == max(int(no[:-1]) for no in atenas)
    assert NumberSequence.objects.get(name="atena_no").last == sequences["atena_no"]
    movements = Movement.objects.values_list("movement_no", flat=True)
    assert NumberSequence.objects.get(name="movement").last == max(int(no[1:]) for no in movements)
    assert NumberSequence.objects.get(name="support_measure").last == sequences["support_measure"]
    # …and exported again, the same files
    export_register(tmp_path / "again")
    for table in TABLES:
        assert (tmp_path / "again" / table.file).read_bytes() == (tmp_path / "out" / table.file).read_bytes()


@settings(max_examples=4, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(residents=st.integers(min_value=1, max_value=40), seed=st.integers(min_value=1, max_value=10**6))
def test_round_trip_is_the_identity_on_generated_registers(db: None, residents: int, seed: int) -> None:
    wipe()
    NumberSequence.objects.all().delete()
    seed_city(residents, seed=seed)
    archive_half()
    before = snapshot()
    with tempfile.TemporaryDirectory() as scratch:
        export_register(Path(scratch) / "out")
        wipe()
        result = import_register(Path(scratch) / "out")
    assert result.issues == []
    assert snapshot() == before


def _edit(path: Path, change: Any) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.spec("10.8", partial=True)
def test_every_issue_is_reported_and_nothing_is_written(city: None, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_register(out)
    wipe()

    def damage(rows: list[dict[str, str]]) -> None:
        rows[0]["個人番号"] = "123456789012"  # wrong check digit
        rows[1]["続柄"] = "準世帯主"
        rows[2]["生年月日"] = "いつか"
        rows[3]["宛名番号"] = rows[3]["宛名番号"][:-1] + str((int(rows[3]["宛名番号"][-1]) + 1) % 10)

    _edit(out / HISTORY_FILE, damage)
    _edit(out / HOUSEHOLD_FILE, lambda rows: rows.remove(next(r for r in rows if r["現存"] == "1")))
    _edit(out / MOVEMENT_FILE, lambda rows: rows.clear())

    issues = validate(out)
    found = {(i.file, i.record, i.item, i.code) for i in issues}
    assert (HISTORY_FILE, 2, "個人番号", "migration.bad_individual_number") in found
    assert (HISTORY_FILE, 3, "続柄", "migration.bad_relationship") in found
    assert (HISTORY_FILE, 4, "生年月日", "migration.bad_uncertain_date") in found
    assert (HISTORY_FILE, 5, "宛名番号", "migration.bad_check_digit") in found
    assert any(i.code == "migration.unknown_household" for i in issues)
    assert any(i.file == HISTORY_FILE and i.code == "migration.unknown_movement" for i in issues)
    assert all("123456789012" not in i.message for i in issues)

    with pytest.raises(CommandError, match="誤りが見つかりました"):
        call_command("migrate_data", "import", str(out), stdout=StringIO())
    assert not ResidentHistory.objects.exists() and not Movement.objects.exists()
    with (out / REPORT_FILE).open(encoding="utf-8") as handle:
        report = list(csv.reader(handle))
    assert report[0] == ["ファイル", "行", "項目", "コード", "メッセージ"]
    assert ["住民.csv", "2", "個人番号", "migration.bad_individual_number"] in [r[:4] for r in report]
    assert len(report) == len(issues) + 1


def test_check_only_writes_nothing_and_a_register_that_is_not_empty_is_refused(city: None, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stdout = StringIO()
    call_command("migrate_data", "export", str(out), stdout=stdout)
    assert HISTORY_FILE in stdout.getvalue()
    with pytest.raises(RegisterNotEmptyError):
        import_register(out)
    with pytest.raises(CommandError, match="空の住民記録"):
        call_command("migrate_data", "import", str(out), stdout=StringIO())
    with pytest.raises(CommandError, match="同じ名前のファイル"):
        call_command("migrate_data", "export", str(out), stdout=StringIO())
    wipe()
    stdout = StringIO()
    call_command("migrate_data", "import", str(out), "--check-only", stdout=stdout)
    assert "誤りは見つかりませんでした" in stdout.getvalue()
    assert not ResidentHistory.objects.exists()
    call_command("migrate_data", "import", str(out), stdout=StringIO())
    assert ResidentHistory.objects.exists() and Household.objects.exists()


def test_a_layout_without_movements_is_imported_under_one_migration_movement(city: None, tmp_path: Path) -> None:
    """Another vendor's files may carry no 異動 table: the rows go under one 職権 movement."""
    out = tmp_path / "out"
    export_register(out)
    wipe()
    (out / MOVEMENT_FILE).unlink()

    def forget(rows: list[dict[str, str]]) -> None:
        for row in rows:
            row["異動番号"] = ""

    _edit(out / HISTORY_FILE, forget)
    result = import_register(out)
    assert result.issues == [] and result.written
    movement = Movement.objects.get()
    assert movement.kind == "migration" and movement.entered_by.username == "jumin-migration"
    assert ResidentHistory.objects.filter(movement=movement).count() == ResidentHistory.objects.count()


def test_missing_files_and_bad_headers_are_reported(db: None, tmp_path: Path) -> None:
    (tmp_path / HOUSEHOLD_FILE).write_text("世帯番号,年齢\r\n", encoding="utf-8")
    found = {(i.file, i.item, i.code) for i in validate(tmp_path)}
    assert (HISTORY_FILE, "", "migration.missing_file") in found
    assert (HOUSEHOLD_FILE, "年齢", "migration.unknown_item") in found
    assert (HOUSEHOLD_FILE, "住所", "migration.missing_item") in found
    with pytest.raises(CommandError, match="ディレクトリがありません"):
        call_command("migrate_data", "import", str(tmp_path / "nowhere"), stdout=StringIO())


def test_files_in_another_order_give_the_same_register(city: None, tmp_path: Path) -> None:
    """Another vendor's files need not be grouped by person: the projections are then built
    by SQL after the history rows instead of in the stream."""
    before = snapshot()
    out = tmp_path / "out"
    export_register(out)
    wipe()
    _edit(out / HISTORY_FILE, lambda rows: rows.reverse())
    _edit(out / HOUSEHOLD_FILE, lambda rows: rows.reverse())

    result = import_register(out)

    assert result.issues == [] and result.written
    assert snapshot() == before


@pytest.mark.spec("10.8", partial=True)
def test_an_issue_found_after_the_rows_were_streamed_leaves_the_register_empty(
    city: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are written while they are validated; an issue found at the end (here: a
    household's 現存 against its members, known only after every history row) rolls the whole
    import back."""
    out = tmp_path / "out"
    export_register(out)
    wipe()

    def flip(rows: list[dict[str, str]]) -> None:
        rows[-1]["現存"] = "0" if rows[-1]["現存"] == "1" else "1"

    _edit(out / HOUSEHOLD_FILE, flip)
    streamed: list[str] = []
    write = RegisterWriter.history

    def spy(self: RegisterWriter, values: dict[str, Any]) -> None:
        streamed.append(values["atena_no"])
        write(self, values)

    monkeypatch.setattr(RegisterWriter, "history", spy)

    result = import_register(out)

    assert [i.code for i in result.issues] == ["migration.active_mismatch"] and not result.written
    assert len(streamed) == sum(1 for _ in (out / HISTORY_FILE).open(encoding="utf-8")) - 1  # every row went in
    assert _is_empty() and not ArchivedHistory.objects.exists() and not ArchivedResident.objects.exists()
    assert not User.objects.filter(username=MIGRATION_USERNAME).exists()


@pytest.mark.spec("10.8", partial=True)
def test_duplicates_are_reported_not_refused_by_the_database(city: None, tmp_path: Path) -> None:
    """A duplicate 履歴番号 or 世帯番号 stops the writing before the database sees it: the
    report has it, the register stays empty."""
    out = tmp_path / "out"
    export_register(out)
    wipe()
    _edit(out / HISTORY_FILE, lambda rows: rows.append(dict(rows[-1])))
    _edit(out / HOUSEHOLD_FILE, lambda rows: rows.append(dict(rows[-1])))

    result = import_register(out)

    assert {i.code for i in result.issues} == {"migration.duplicate_history", "migration.duplicate_household"}
    assert not result.written and _is_empty()
