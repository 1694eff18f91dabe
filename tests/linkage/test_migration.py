"""Migrations linkage 0001/0002, registry 0012 and protection 0002: the rows of both old outbox
tables are copied into ``linkage.OutboxMessage`` (order, key and state kept), then the old
tables go."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jumin.accounts.models import User

BEFORE = [("linkage", None)]
OLD = [("registry", "0010_address_banchi_katagaki"), ("protection", "0001_initial")]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_both_outbox_tables_are_copied_into_the_one_outbox() -> None:
    user = User.objects.create(username="migration")
    executor = _migrate(BEFORE)
    try:
        apps = executor.loader.graph.leaf_nodes()
        state = executor.loader.project_state(OLD).apps
        movement = state.get_model("registry", "Movement").objects.create(
            movement_no="M1", kind="move_in", reason="domestic_move_in", initiation="notice", entered_by_id=user.pk
        )
        block = state.get_model("protection", "Block").objects.create(
            target_no="A1",
            process="certificate",
            level="error",
            start_on=datetime.date(2026, 1, 1),
            reason="x",
            set_by_id=user.pk,
        )
        registry_rows = state.get_model("registry", "OutboxMessage").objects
        registry_rows.create(
            destination="jukinet_cs",
            seq=1,
            idempotency_key="jukinet_cs:A1:1",
            kind="domestic_move_in",
            movement_id=movement.pk,
            atena_no="A1",
            history_no=1,
            state="sent",
            attempts=1,
        )
        registry_rows.create(
            destination="atena",
            seq=1,
            idempotency_key="atena:A1:1",
            kind="domestic_move_in",
            movement_id=movement.pk,
            atena_no="A1",
            history_no=1,
        )
        state.get_model("protection", "ProtectionOutboxMessage").objects.create(
            destination="jukinet_cs",
            seq=2,
            idempotency_key=f"jukinet_cs:block:{block.pk}:block_set",
            kind="block_set",
            block_id=block.pk,
            scope="person",
            target_no="A1",
            state="failed",
            last_error="e",
        )
        executor = _migrate(apps)
        state = executor.loader.project_state(apps).apps
        rows = state.get_model("linkage", "OutboxMessage").objects.order_by("destination", "seq")
        assert [
            (r.destination, r.seq, r.idempotency_key, r.state, r.movement_id, r.atena_no, r.history_no, r.block_id)
            for r in rows
        ] == [
            ("atena", 1, "atena:A1:1", "pending", movement.pk, "A1", 1, None),
            ("jukinet_cs", 1, "jukinet_cs:A1:1", "sent", movement.pk, "A1", 1, None),
            ("jukinet_cs", 2, f"jukinet_cs:block:{block.pk}:block_set", "failed", None, "", None, block.pk),
        ]
        assert rows.get(seq=2, destination="jukinet_cs").last_error == "e"
        assert rows.get(seq=1, destination="jukinet_cs").attempts == 1
        tables = connection.introspection.table_names()
        assert "registry_outboxmessage" not in tables and "protection_protectionoutboxmessage" not in tables
        rows.all().delete()
        state.get_model("protection", "Block").objects.all().delete()
        state.get_model("registry", "Movement").objects.all().delete()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_issuance_block_process_is_protections() -> None:
    """linkage names the 発行抑止 process without importing protection (docs/architecture.md)."""
    from jumin.linkage.systems import CERTIFICATE_BLOCK
    from jumin.protection.models import Process

    assert CERTIFICATE_BLOCK == Process.CERTIFICATE
