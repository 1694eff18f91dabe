"""Audit logs beyond the hash chain (issue 15): signed checkpoints of the chain heads outside
the database, the 開示請求 access index checked against the access log, the purge gate
restricted to a database role, and bounded auth-log rows for rejected API keys."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from jumin.audit import checkpoint, services
from jumin.audit.context import acting_as
from jumin.audit.models import AccessedPerson, AccessLog, AuthLog, ChainHead, LogRow, OperationLog
from jumin.audit.services import purge, record_access, record_auth, record_operation
from jumin.audit.throttle import AuthLogThrottle, source_of
from jumin.audit.verify import verify_access_index, verify_all, verify_checkpoint

pytestmark = pytest.mark.django_db


def _rows(count: int = 3) -> None:
    with acting_as(operator="madoguchi", channel="screen"):
        for i in range(count):
            record_access(purpose="person.view", persons=[f"00000000{i:02d}", "0000000099"])
            record_operation(action="movement.provisional", target_id=str(i))
            record_auth("login_succeeded", username="madoguchi")


def _chains_ok() -> bool:
    return all(summary.first_broken is None for summary in verify_all())


def _rewind(model: type[LogRow], keep: int) -> None:
    """What someone with write access to the database does to hide the newest rows: delete
    them and set the chain head back, so that the shorter chain is valid again."""
    rows = list(model.objects.order_by("id"))
    model.objects.filter(id__gt=rows[keep - 1].pk).delete()  # the tests' connection has the gate open
    ChainHead.objects.filter(log=model._meta.db_table).update(last_hash=rows[keep - 1].hash, rows=keep)


def _problems() -> list[str]:
    return [str(finding) for finding in verify_checkpoint().findings]


def _folder() -> Path:
    return Path(settings.JUMIN_AUDIT_CHECKPOINT_DIR)


# --- checkpoints -----------------------------------------------------------------------


def test_a_checkpoint_holds_every_head_and_verify_passes(capsys: pytest.CaptureFixture[str]) -> None:
    _rows()
    call_command("audit", "checkpoint")
    body = json.loads((_folder() / "checkpoint-00000001.json").read_text(encoding="utf-8"))["body"]
    head = ChainHead.objects.get(log="audit_authlog")
    assert body["heads"]["audit_authlog"] == {"rows": 3, "hash": head.last_hash}
    assert body["heads"]["audit_settingslog"]["rows"] == 0  # an empty log is in it too
    _rows()  # rows after the checkpoint are fine
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "チェックポイント 1 を" in out
    assert "OK      checkpoint 1" in out


def test_without_a_checkpoint_verify_warns_or_fails_when_required(capsys: pytest.CaptureFixture[str]) -> None:
    _rows(1)
    call_command("audit", "verify")
    assert "WARN    checkpoint" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--require-checkpoint")


@pytest.mark.spec("10.2", partial=True)
def test_rewinding_a_log_passes_the_chain_but_not_the_checkpoint(capsys: pytest.CaptureFixture[str]) -> None:
    _rows(4)
    checkpoint.write()
    _rewind(AuthLog, keep=2)
    assert _chains_ok()  # the hash chain alone cannot see it
    assert _problems() == [
        "audit_authlog: chain head: the chain head was set back to 2 rows; "
        f"checkpoint 1 ({checkpoint.check_files().latest.at}) recorded 4 rows"  # type: ignore[union-attr]
    ]
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert "NG      audit_authlog: chain head: the chain head was set back" in capsys.readouterr().out


def test_a_rewound_log_gets_no_fresh_checkpoint(capsys: pytest.CaptureFixture[str]) -> None:
    _rows(3)
    call_command("audit", "checkpoint")
    _rewind(AuthLog, keep=1)
    ChainHead.objects.filter(log="audit_authlog").update(rows=3)
    with pytest.raises(CommandError, match="書き出しません"):
        call_command("audit", "checkpoint")  # else the next verify would compare with it
    assert "NG      audit_authlog" in capsys.readouterr().out
    assert not (_folder() / "checkpoint-00000002.json").exists()


def test_rewinding_while_keeping_the_row_count_is_detected_too() -> None:
    _rows(4)
    checkpoint.write()
    _rewind(OperationLog, keep=3)
    ChainHead.objects.filter(log="audit_operationlog").update(rows=4)
    assert _chains_ok()
    [problem] = _problems()
    assert problem.startswith("audit_operationlog: chain head: rows up to the checkpointed head are missing")


@pytest.mark.spec("10.2", partial=True)
def test_deleting_a_whole_log_with_its_head_is_detected() -> None:
    _rows(2)
    checkpoint.write()
    AuthLog.objects.all().delete()
    ChainHead.objects.filter(log="audit_authlog").delete()
    assert _chains_ok()
    [problem] = _problems()
    assert problem.startswith("audit_authlog: chain head: the log and its chain head are gone")


def test_a_chain_head_deleted_alone_is_detected_by_the_chain() -> None:
    _rows(2)
    ChainHead.objects.filter(log="audit_authlog").delete()
    finding = next(s.first_broken for s in verify_all() if s.first_broken)
    assert (finding.log, finding.problem) == ("audit_authlog", "the chain head is missing")


def test_a_retention_purge_after_a_checkpoint_passes() -> None:
    _rows(2)
    checkpoint.write()
    with acting_as(operator="batch", channel="batch"):
        purge(timezone.now() + timedelta(seconds=1), reason="保存期間経過")
    assert AuthLog.objects.count() == 0
    after = OperationLog.objects.get(action="audit.purge").after
    assert after["positions"]["audit_authlog"] == 2
    _rows(1)
    checkpoint.write()
    assert _chains_ok()
    assert _problems() == []


def test_a_changed_checkpoint_file_fails_its_signature() -> None:
    _rows(3)
    point = checkpoint.write()
    _rewind(AuthLog, keep=1)
    document = json.loads(point.path.read_text(encoding="utf-8"))
    document["body"]["heads"]["audit_authlog"] = {"rows": 1, "hash": AuthLog.objects.get().hash}
    point.path.write_text(json.dumps(document), encoding="utf-8")  # the attacker "fixes" the file too
    assert _problems() == ["checkpoint: checkpoint-00000001.json: 署名が正しくありません（書き換えまたは別の鍵）"]


def test_a_checkpoint_signed_with_another_key_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _rows(1)
    checkpoint.generate_key(tmp_path / "other.key", tmp_path / "other.pub")
    checkpoint.write()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--public-key", str(tmp_path / "other.pub"))
    assert "署名が正しくありません" in capsys.readouterr().out
    with pytest.raises(CommandError, match="検証鍵を読めません"):
        call_command("audit", "verify", "--public-key", str(tmp_path / "missing.pub"))


def test_a_checkpoint_removed_from_the_middle_breaks_the_file_chain() -> None:
    _rows(1)
    for _ in range(3):
        checkpoint.write()
    (_folder() / "checkpoint-00000002.json").unlink()
    assert _problems() == [
        "checkpoint: checkpoint-00000003.json: チェックポイント 2 がありません",
        "checkpoint: checkpoint-00000003.json: 前のチェックポイント 1 とつながっていません",
    ]


def test_an_unreadable_or_renamed_checkpoint_file_is_reported() -> None:
    _rows(1)
    first = checkpoint.write()
    first.path.rename(_folder() / "checkpoint-00000007.json")
    assert "ファイル名と番号 1 が違います" in _problems()[0]
    (_folder() / "checkpoint-00000008.json").write_text("{not json", encoding="utf-8")
    assert "checkpoint-00000008.json: 読めません" in _problems()[-1]


def test_an_off_box_copy_can_be_verified(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _rows(2)
    point = checkpoint.write()
    copy = tmp_path / "offbox"
    copy.mkdir()
    (copy / point.path.name).write_bytes(point.path.read_bytes())
    point.path.unlink()  # the local files are gone (or replaced): the copy still tells
    _rewind(AuthLog, keep=1)
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--checkpoints", str(copy))
    assert "NG      audit_authlog" in capsys.readouterr().out


def test_checkpoint_needs_a_signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "JUMIN_AUDIT_CHECKPOINT_KEY", "")
    with pytest.raises(CommandError, match="JUMIN_AUDIT_CHECKPOINT_KEY"):
        call_command("audit", "checkpoint")


def test_checkpoint_key_command_writes_a_pair_and_never_overwrites(tmp_path: Path) -> None:
    private, public = tmp_path / "cp.key", tmp_path / "cp.pub"
    call_command("audit", "checkpoint-key", "--private", str(private), "--public", str(public))
    assert private.stat().st_mode & 0o077 == 0
    assert checkpoint.public_key(str(public)) is not None
    with pytest.raises(CommandError, match="上書きしません"):
        call_command("audit", "checkpoint-key", "--private", str(private), "--public", str(public))


# --- the access index (開示請求) --------------------------------------------------------


@pytest.mark.spec("10.2", partial=True)
def test_a_deleted_index_row_is_detected() -> None:
    _rows(2)
    assert verify_access_index() is None
    victim = AccessedPerson.objects.order_by("id").first()
    AccessedPerson.objects.filter(pk=victim.pk).delete()  # type: ignore[union-attr]  # hides a look-up
    finding = verify_access_index()
    assert finding is not None
    assert (finding.log, finding.row_id) == ("audit_accessedperson", victim.access_id)  # type: ignore[union-attr]
    assert not _chains_ok()


def test_an_index_row_pointing_elsewhere_or_nowhere_is_detected() -> None:
    _rows(2)
    row = AccessLog.objects.order_by("id").first()
    assert row is not None
    AccessedPerson.objects.create(access_id=row.pk, atena_no="0000000777", at=row.at)
    assert verify_access_index().row_id == row.pk  # type: ignore[union-attr]
    AccessedPerson.objects.filter(atena_no="0000000777").delete()
    AccessedPerson.objects.create(access_id=row.pk + 1000, atena_no="0000000777", at=row.at)
    finding = verify_access_index()
    assert finding is not None and (finding.row_id, finding.problem) == (
        None,
        "index rows without their access log row",
    )


# --- the purge gate ----------------------------------------------------------------------


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_set_local_without_the_purge_role_does_not_open_the_gate() -> None:
    _rows(1)
    role = f"jumin_t_{connection.settings_dict['NAME']}"[:60]
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {qn(role)} NOLOGIN")
        cursor.execute(f"GRANT SELECT, DELETE ON audit_authlog TO {qn(role)}")
        cursor.execute(f"SET LOCAL ROLE {qn(role)}")
        cursor.execute("SET LOCAL jumin.log_purge = 'on'")
        with pytest.raises(DatabaseError, match="jumin_log_purge"), transaction.atomic():
            cursor.execute("DELETE FROM audit_authlog")
        assert not services.may_purge()
        cursor.execute("RESET ROLE")
        call_command("audit", "install-gate", "--grant-to", role)  # now a member
        cursor.execute(f"SET LOCAL ROLE {qn(role)}")
        assert services.may_purge()
        cursor.execute("DELETE FROM audit_authlog")
        assert cursor.rowcount == 1
        cursor.execute("RESET ROLE")
        transaction.set_rollback(True)
    assert AuthLog.objects.count() == 1


def test_install_gate_checks_the_role_name_and_is_not_needed_on_sqlite(capsys: pytest.CaptureFixture[str]) -> None:
    if connection.vendor == "sqlite":
        call_command("audit", "install-gate", "--grant-to", "jumin_batch")
        assert "SQLite では不要です" in capsys.readouterr().out
    else:
        with pytest.raises(CommandError, match="ロール名"):
            call_command("audit", "install-gate", "--grant-to", 'x"; DROP TABLE audit_authlog; --')
        call_command("audit", "install-gate")
        assert "jumin_log_purge を用意しました" in capsys.readouterr().out


def test_the_purge_command_refuses_a_user_outside_the_role(monkeypatch: pytest.MonkeyPatch) -> None:
    _rows(1)
    monkeypatch.setattr("jumin.audit.management.commands.audit.may_purge", lambda: False)
    with pytest.raises(CommandError, match="jumin_log_purge"):
        call_command("audit", "purge", "--before", "2100-01-01", "--reason", "test")
    assert AuthLog.objects.count() == 1
    assert services.may_purge()  # the tests' database user (SQLite: always; PostgreSQL: a superuser)


# --- bounded auth-log rows for rejected API keys -------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sources_an_ipv6_64_is_one_source() -> None:
    assert source_of("2001:db8:1:2:aaaa::1") == source_of("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert source_of("2001:db8:1:3::1") != source_of("2001:db8:1:2::1")
    assert source_of("192.0.2.7") == "192.0.2.7"
    assert source_of("::ffff:192.0.2.7") == "192.0.2.7"
    assert source_of("") == source_of("not an address") == "unknown"


def test_the_throttle_writes_ten_rows_then_one_summary() -> None:
    written: list[tuple[str, str, str]] = []
    clock = _Clock()
    throttle = AuthLogThrottle(lambda *row: written.append(row), limit=10, window=60, clock=clock)
    admitted = [throttle.record("api_key_rejected", f"2001:db8::{i:x}", "/api/v1/x") for i in range(300)]
    assert admitted.count(True) == 10 and len(written) == 10
    assert throttle.record("api_key_rejected", "192.0.2.1")  # another source has its own budget
    clock.now += 59
    assert not throttle.record("api_key_rejected", "2001:db8::1")
    clock.now += 1  # the window has passed: the count is written, the next failure counts anew
    assert throttle.record("api_key_rejected", "2001:db8::1")
    summaries = [row for row in written if row[0] == "api_key_rejected_suppressed"]
    assert summaries == [("api_key_rejected_suppressed", "2001:db8::/64", "2001:db8::/64: 60秒間の291件の記録を省略")]


def test_the_throttle_folds_too_many_sources_into_one() -> None:
    written: list[tuple[str, str, str]] = []
    throttle = AuthLogThrottle(lambda *row: written.append(row), limit=1, max_sources=2, clock=_Clock())
    for i in range(5):
        throttle.record("api_key_rejected", f"192.0.2.{i}")
    assert [row[1] for row in written] == ["192.0.2.0", "192.0.2.1", "*"]


def test_invalid_bearer_tokens_write_at_most_ten_rows(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    throttle = AuthLogThrottle(services._write_auth_failure, limit=10, window=60, clock=clock)
    monkeypatch.setattr(services, "_auth_failures", throttle)
    for _ in range(25):
        response = client.get("/api/v1/session", HTTP_AUTHORIZATION="Bearer jumin_wrong")
        assert response.status_code == 401
    assert AuthLog.objects.filter(event="api_key_rejected").count() == 10
    clock.now += 60
    client.get("/api/v1/session", HTTP_AUTHORIZATION="Bearer jumin_wrong", REMOTE_ADDR="2001:db8::5")
    summary = AuthLog.objects.get(event="api_key_rejected_suppressed")
    assert summary.detail == "127.0.0.1: 60秒間の15件の記録を省略"
    assert AuthLog.objects.filter(event="api_key_rejected").count() == 11
    assert _chains_ok()


def test_the_default_throttle_follows_the_settings() -> None:
    throttle = services.auth_failures()
    assert (throttle.limit, throttle.window) == (10, 60)
    assert services.auth_failures() is throttle
