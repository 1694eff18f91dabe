"""``jumin backup`` / ``jumin restore``: backup → restore into an empty database gives the same
register, without a row of 送付先情報 (the assessment promises no backup copy of it) and
without a key.  On SQLite and on PostgreSQL (pg_dump / pg_restore, custom format)."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterator, Mapping
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jumin.audit.models import OperationLog
from jumin.cards.models import DeliveryInfo, DeliveryReason
from jumin.core.errors import DomainError
from jumin.registry.models import Resident
from jumin.registry.numbers import seal_individual_number
from jumin.registry.seeding import seed_city
from jumin.runtime.backup import backup, backup_engine, excluded_tables, restore

pytestmark = pytest.mark.django_db(transaction=True)

DELIVERY_MARK = "送付先だけの住所　九丁目九番九号"


def _rows(database: Mapping[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, read through the driver itself (no Django type conversion)."""
    name = str(database["NAME"])
    if str(database["ENGINE"]).endswith("sqlite3"):
        raw = sqlite3.connect(name, uri=name.startswith("file:"))
        try:
            tables = [t for (t,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: sorted(raw.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
        finally:
            raw.close()
    options = {k: v for k, v in {"host": database.get("HOST"), "port": database.get("PORT")}.items() if v}
    with psycopg.connect(
        dbname=name, user=database.get("USER") or None, password=database.get("PASSWORD") or None, **options
    ) as pg:
        tables = [t for (t,) in pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: sorted(pg.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


@pytest.fixture
def register() -> None:
    seed_city(12, seed=3)
    for index, resident in enumerate(Resident.objects.order_by("atena_no")[:3]):
        sealed, _ = seal_individual_number("123456789018", resident.atena_no)
        DeliveryInfo.objects.create(
            management_no=f"1121940000{index:02d}",
            atena_no=resident.atena_no,
            reason=DeliveryReason.NEW_RESIDENT,
            items={"40": "送付先\u3000太郎", "46": DELIVERY_MARK},
            individual_number_ct=sealed,
        )


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A second, empty database on the same engine."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**source, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"{source['NAME']}_restore"[:63]
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")
    try:
        yield {**source, "NAME": name}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


@pytest.mark.usefixtures("register")
def test_backup_then_restore_into_an_empty_database_gives_the_same_register_without_delivery_info(
    tmp_path: Path, empty_database: dict[str, Any]
) -> None:
    assert DeliveryInfo.objects.count() == 3 and Resident.objects.count() >= 12
    path = tmp_path / "jumin.backup"
    result = backup(path)
    assert result.excluded == ("cards_deliveryinfo",) == excluded_tables()
    assert path.stat().st_mode & 0o777 == 0o600
    assert backup_engine(path) == connection.vendor

    assert restore(path, empty_database) == connection.vendor
    before, after = _rows(connection.settings_dict), _rows(empty_database)
    assert before["cards_deliveryinfo"] and after["cards_deliveryinfo"] == []
    del before["cards_deliveryinfo"], after["cards_deliveryinfo"]
    assert set(after) == set(before)
    for table, rows in before.items():
        assert after[table] == rows, table
    assert before["registry_resident"] and before["registry_residenthistory"]


@pytest.mark.usefixtures("register")
def test_the_backup_file_holds_no_delivery_info_and_no_key(tmp_path: Path) -> None:
    path = tmp_path / "jumin.backup"
    backup(path)
    content = path.read_bytes()
    secrets = settings.SECRETS
    for key in (secrets.data_key, secrets.lookup_key, secrets.audit_key, secrets.signing_key):
        assert key not in content
        assert base64.urlsafe_b64encode(key) not in content
    assert secrets.secret_key.encode() not in content
    if connection.vendor == "sqlite":  # pg_dump's custom format is compressed: its listing is checked instead
        assert DELIVERY_MARK.encode() not in content  # not even in a free page: emptied with secure_delete, vacuumed


@pytest.mark.usefixtures("register")
def test_a_restore_never_goes_into_a_database_that_is_not_empty(tmp_path: Path, empty_database: dict[str, Any]) -> None:
    path = tmp_path / "jumin.backup"
    backup(path)
    restore(path, empty_database)
    with pytest.raises(DomainError) as refused:
        restore(path, empty_database)
    assert refused.value.code == "restore.not_empty"


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("住民記録", encoding="utf-8")
    with pytest.raises(CommandError, match="jumin backup の書き出したファイルではありません"):
        call_command("restore", str(path))
    with pytest.raises(CommandError, match="がありません"):
        call_command("restore", str(tmp_path / "missing.backup"))


def test_a_backup_of_the_other_engine_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.backup"
    path.write_bytes(b"PGDMP" + b"\0" * 64 if connection.vendor == "sqlite" else b"SQLite format 3\x00" + b"\0" * 84)
    with pytest.raises(DomainError) as refused:
        restore(path)
    assert refused.value.code == "restore.engine"


def test_the_command_writes_the_backup_and_an_operation_log_row(tmp_path: Path) -> None:
    out = StringIO()
    call_command("backup", str(tmp_path / "nightly.backup"), stdout=out)
    assert "鍵は含みません" in out.getvalue() and "cards_deliveryinfo" in out.getvalue()
    row = OperationLog.objects.filter(action="runtime.backup").get()
    assert row.after["engine"] == connection.vendor and row.after["excluded"] == ["cards_deliveryinfo"]
