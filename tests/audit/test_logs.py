"""Audit logs: append-only in the database, hash-chained, verifiable, purgeable (spec 10.2)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jumin.audit.chain import GENESIS
from jumin.audit.context import acting_as, current
from jumin.audit.models import LOG_MODELS, AccessedPerson, AccessLog, AuthLog, ChainHead, OperationLog, SettingsLog
from jumin.audit.services import (
    access_log_batch,
    purge,
    record_access,
    record_auth,
    record_operation,
    record_print,
    record_setting,
)
from jumin.audit.verify import verify_all

pytestmark = pytest.mark.django_db


@contextmanager
def purge_gate_closed() -> Iterator[None]:
    """Production behaviour: the test settings open the gate so that teardown can flush."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jumin.log_purge = 'off'")
            yield
    else:
        previous = connection.jumin_log_purge  # type: ignore[attr-defined]
        connection.jumin_log_purge = False  # type: ignore[attr-defined]
        try:
            yield
        finally:
            connection.jumin_log_purge = previous  # type: ignore[attr-defined]


def _one_of_each() -> None:
    with acting_as(operator_id=1, operator="madoguchi", place="SHIMIN", terminal="SHIMIN-1", channel="screen"):
        record_access(purpose="person.view", persons=["0000000060"])
        record_operation(action="movement.provisional", target_type="resident", target_id="0000000060")
        record_auth("login_succeeded", username="madoguchi")
        record_setting("role", "counter", before={"perms": []}, after={"perms": ["x"]})
        record_print(title="確認用帳票", mode="print", document="M000000001", persons=["0000000060"])


def test_rows_carry_operator_place_and_terminal() -> None:
    _one_of_each()
    for model in LOG_MODELS:
        row = model.objects.get()
        assert (row.operator, row.place, row.terminal, row.channel) == ("madoguchi", "SHIMIN", "SHIMIN-1", "screen")
        assert row.prev_hash == GENESIS and len(row.hash) == 64
    assert current().operator == ""  # the context ends with the block


@pytest.mark.spec("10.2", partial=True)
@pytest.mark.parametrize("model", LOG_MODELS, ids=lambda m: m.__name__)
def test_every_log_table_refuses_update_and_delete(model: type) -> None:
    _one_of_each()
    with purge_gate_closed():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            model.objects.update(operator="someone-else")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            model.objects.all().delete()
    assert model.objects.count() == 1
    assert model.objects.get().operator == "madoguchi"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncate_is_refused_on_postgresql() -> None:
    _one_of_each()
    with (
        purge_gate_closed(),
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_accesslog")
    assert AccessLog.objects.count() == 1


def test_numbers_never_enter_a_log_row() -> None:
    record_access(purpose="search", persons=[], criteria={"個人番号": "123456789018", "氏名": "ヤマダ"})
    record_operation(action="x", reason="住民票コード 12345678903 を変更", after={"note": "1234-5678-9018"})
    record_auth("login_failed", username="123456789018")
    dump = "".join(str(list(m.objects.values())) for m in LOG_MODELS)
    for number in ("123456789018", "12345678903", "1234-5678-9018"):
        assert number not in dump
    assert AccessLog.objects.get().criteria["氏名"] == "ヤマダ"


@pytest.mark.spec("10.2", partial=True)
def test_verify_passes_on_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(3):
        _one_of_each()
    assert all(summary.first_broken is None for summary in verify_all())
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "OK      audit_accesslog: 3 行" in out


def _tamper(sql: str, params: list[object]) -> None:
    """What an attacker with database access would do: drop the protection and edit."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_accesslog DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_accesslog ENABLE TRIGGER USER")
        else:
            cursor.execute('DROP TRIGGER "audit_accesslog_no_update"')
            cursor.execute(sql, params)


@pytest.mark.spec("10.2", partial=True)
def test_changing_one_row_makes_verify_fail_at_that_row(capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(4):
        _one_of_each()
    victim = AccessLog.objects.order_by("id")[1]
    _tamper("UPDATE audit_accesslog SET persons = %s WHERE id = %s", ['["9999999999"]', victim.pk])
    findings = [s.first_broken for s in verify_all() if s.first_broken]
    # The index rows no longer match the changed row's persons either.
    assert [(f.log, f.row_id) for f in findings] == [
        ("audit_accesslog", victim.pk),
        ("audit_accessedperson", victim.pk),
    ]
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert f"row {victim.pk}: the row was changed" in capsys.readouterr().out


def test_deleting_a_row_is_detected_at_the_next_row() -> None:
    for _ in range(4):
        _one_of_each()
    rows = list(AccessLog.objects.order_by("id"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_accesslog DISABLE TRIGGER USER")
            cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [rows[1].pk])
            cursor.execute("ALTER TABLE audit_accesslog ENABLE TRIGGER USER")
        else:
            cursor.execute("DELETE FROM audit_accesslog WHERE id = %s", [rows[1].pk])  # gate open in tests
    finding = next(s.first_broken for s in verify_all() if s.first_broken)
    assert (finding.row_id, finding.problem) == (rows[2].pk, "a row before this one is missing or changed")


def test_deleting_the_last_row_is_detected_by_the_chain_head() -> None:
    _one_of_each()
    _one_of_each()
    AuthLog.objects.order_by("-id").first().delete()  # type: ignore[union-attr]  # gate open in tests
    finding = next(s.first_broken for s in verify_all() if s.first_broken)
    assert (finding.log, finding.row_id) == ("audit_authlog", None)


def test_purge_deletes_old_rows_and_verify_still_passes(capsys: pytest.CaptureFixture[str]) -> None:
    _one_of_each()
    _one_of_each()
    cutoff = timezone.now() + timedelta(seconds=1)
    _one_of_each_later = timezone.now() + timedelta(days=1)
    with acting_as(operator="batch", channel="batch"):
        deleted = purge(cutoff, reason="保存期間経過")
    assert deleted["audit_accesslog"] == 2
    assert AccessLog.objects.count() == 0
    assert all(s.first_broken is None for s in verify_all())
    # New rows after the purge chain on from the purged rows.
    _one_of_each()
    assert all(s.first_broken is None for s in verify_all())
    assert OperationLog.objects.filter(action="audit.purge").count() == 1
    assert _one_of_each_later > cutoff


def test_purge_happens_only_through_the_gate() -> None:
    _one_of_each()
    with purge_gate_closed():
        with pytest.raises(DatabaseError), transaction.atomic():
            SettingsLog.objects.all().delete()
        purge(timezone.now() + timedelta(seconds=1), reason="保存期間経過")
    assert SettingsLog.objects.count() == 0


def test_export_writes_json_lines(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    import json

    _one_of_each()
    output = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--output", str(output))
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert {line["log"] for line in lines} == {m._meta.db_table for m in LOG_MODELS}
    call_command("audit", "export", "--output", str(output), "--until", "2000-01-01")
    assert output.read_text(encoding="utf-8") == ""
    with pytest.raises(CommandError):
        call_command("audit", "export", "--output", str(output), "--until", "yesterday")


def test_purge_command(capsys: pytest.CaptureFixture[str]) -> None:
    _one_of_each()
    call_command("audit", "purge", "--before", "2000-01-01", "--reason", "test")
    assert "audit_accesslog: 0 行を削除しました。" in capsys.readouterr().out
    call_command("audit", "purge", "--retention", "--reason", "保存期間経過")
    assert AccessLog.objects.count() == 1  # written today: kept for JUMIN_AUDIT_RETENTION_YEARS
    with pytest.raises(CommandError):
        call_command("audit", "purge", "--reason", "no period given")


def test_chain_heads_count_rows() -> None:
    _one_of_each()
    _one_of_each()
    assert ChainHead.objects.get(log="audit_authlog").rows == 2
    assert "audit_authlog" in str(ChainHead.objects.get(log="audit_authlog"))
    assert "認証ログ" in str(AuthLog.objects.first())


def test_hashes_and_long_tokens_in_references_are_kept_intact() -> None:
    anchor = "123456789012" + "ab" * 26
    row = record_operation(action="x", after={"anchor": anchor, "request": "a1234567890123"})
    assert OperationLog.objects.get(pk=row.pk).after == {"anchor": anchor, "request": "a1234567890123"}


def _index() -> dict[str, list[str]]:
    return {
        row.purpose: sorted(AccessedPerson.objects.filter(access_id=row.pk).values_list("atena_no", flat=True))
        for row in AccessLog.objects.all()
    }


def test_a_batch_writes_its_reads_as_consecutive_links_with_their_persons() -> None:
    """Issue 24: the reads of one request are written together (one chain step) and keep their
    own purpose, order and persons index; the chain verifies."""
    record_access(purpose="before", persons=["0000000001"])
    with acting_as(operator="madoguchi", place="SHIMIN", terminal="SHIMIN-1", channel="screen"), access_log_batch():
        record_access(purpose="a", persons=["0000000010"])
        with access_log_batch():  # nested: joins the outer batch
            record_access(purpose="b", persons=["0000000020", "0000000030", "0000000020"])
        record_access(purpose="c", persons=[], action="search", result_count=0)
        assert list(AccessLog.objects.values_list("purpose", flat=True)) == ["before"]  # not yet written
    rows = list(AccessLog.objects.order_by("id"))
    assert [r.purpose for r in rows] == ["before", "a", "b", "c"]
    assert all(r.operator == "madoguchi" for r in rows[1:])
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert _index() == {"before": ["0000000001"], "a": ["0000000010"], "b": ["0000000020", "0000000030"], "c": []}
    assert ChainHead.objects.get(log="audit_accesslog").rows == 4
    assert all(summary.first_broken is None for summary in verify_all())
    record_access(purpose="after", persons=[])
    assert all(summary.first_broken is None for summary in verify_all())


def test_a_batch_is_written_even_when_the_request_fails() -> None:
    def failing_request() -> None:
        with access_log_batch():
            record_access(purpose="shown before the failure", persons=["0000000010"])
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_request()
    assert AccessLog.objects.get().purpose == "shown before the failure"
    assert all(summary.first_broken is None for summary in verify_all())


def test_a_read_inside_a_writers_transaction_is_written_in_it_at_once() -> None:
    """Nothing is committed without its log row: a read logged inside a transaction opened
    after the batch began is written in that transaction, not at the end of the request."""
    with access_log_batch():
        with transaction.atomic():
            record_access(purpose="inside the writer", persons=["0000000010"])
            assert AccessLog.objects.filter(purpose="inside the writer").exists()
        record_access(purpose="the page", persons=["0000000010"])
        assert not AccessLog.objects.filter(purpose="the page").exists()
    assert list(AccessLog.objects.order_by("id").values_list("purpose", flat=True)) == ["inside the writer", "the page"]
    assert all(summary.first_broken is None for summary in verify_all())
