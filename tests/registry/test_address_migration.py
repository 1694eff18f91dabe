"""Migration registry 0010: the 番地 and 方書 of every address item (1.1.1), the append-only
triggers of the history tables kept, the 世帯's 番地 filled from its members."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registry", "0009_household_order")]
AFTER = [("registry", "0010_address_banchi_katagaki")]
HISTORY_TABLES = ("registry_residenthistory", "registry_archivedhistory", "registry_archivedresident")


def _triggers(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [f'"{table}"']
            )
        return {row[0] for row in cursor.fetchall()}


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.spec("1.1.1", "1.2.1")
@pytest.mark.django_db(transaction=True)
def test_migration_keeps_the_triggers_and_fills_the_household_banchi() -> None:
    before = {table: _triggers(table) for table in HISTORY_TABLES}
    assert all(before.values())
    executor = _migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        household_model = apps.get_model("registry", "Household")
        resident_model = apps.get_model("registry", "Resident")
        household_model.objects.create(
            household_no="H1", address="埼玉県上尾市平塚三丁目", katagaki="グリーンハイツ101"
        )
        household_model.objects.create(household_no="H2", address="埼玉県上尾市平塚")
        resident_model.objects.create(
            atena_no="A1", history_no=1, household_no="H1", address="埼玉県上尾市平塚三丁目", banchi="2番1号"
        )
        executor = _migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        households = apps.get_model("registry", "Household").objects
        assert households.get(household_no="H1").banchi == "2番1号"
        assert households.get(household_no="H2").banchi == ""
        fields = {f.name for f in apps.get_model("registry", "ResidentHistory")._meta.get_fields()}
        for item in ("previous", "moved_from", "destination", "confirmed_destination"):
            assert {f"{item}_banchi", f"{item}_katagaki"} <= fields
        assert {table: _triggers(table) for table in HISTORY_TABLES} == before
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
