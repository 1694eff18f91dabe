"""保存期間 (issue 22 part 4): one module runs every retention rule, keeps the counts of each run,
and deletes the 除票 and the 改製原住民票 after their 150 years (住基法施行令34条1項)."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.audit.models import OperationLog
from jumin.registry.archive import archive_removed
from jumin.registry.models import (
    ArchivedHistory,
    ArchivedResident,
    Movement,
    MovementItem,
    Resident,
    ResidentHistory,
)
from jumin.registry.services import rebuild_projection
from jumin.retention import services
from jumin.retention.models import RetentionRun
from jumin.retention.rules import Rule, registered, retention_rules
from tests.registry.conftest import final, move_in_data, person

pytestmark = pytest.mark.django_db


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 3, 0))


def _resident(surname: str, counter: User, reviewer: User) -> Resident:
    movement = final(
        "move_in",
        move_in_data(person(surname=surname, koseki_head=f"{surname}　太郎"), effective="平成20年4月1日"),
        counter,
        reviewer,
    )
    return Resident.objects.get(atena_no=movement.items.get().atena_no)


def _move_out(resident: Resident, effective: str, counter: User, reviewer: User) -> None:
    final(
        "move_out",
        {
            "reason": "domestic_move_out",
            "effective": effective,
            "notified_on": effective,
            "destination": {"address": "東京都千代田区千代田1番1号"},
            "atena_nos": [resident.atena_no],
            "initiation": "ex_officio",
        },
        counter,
        reviewer,
    )


def test_every_rule_is_registered_with_its_period_and_its_basis() -> None:
    rules = {rule.key: rule for rule in registered()}
    assert set(rules) == {
        "removed",
        "rebuilt_originals",
        "audit_logs",
        "delivery_info",
        "provision_records",
        "identity_records",
        "move_out_certificates",
        "koseki_notices",
        "fuhyo_sent",
        "immigration_notices",
    }
    assert all(rule.period and rule.basis and rule.label for rule in rules.values())
    assert rules["removed"].basis == "住民基本台帳法施行令34条1項"


@pytest.mark.spec("1.1.5", "9.3", partial=True)
def test_a_removed_record_leaves_the_archive_the_day_after_its_150_years(counter: User, reviewer: User) -> None:
    old, recent = _resident("古川", counter, reviewer), _resident("新井", counter, reviewer)
    _move_out(old, "平成25年4月1日", counter, reviewer)  # kept to 2163-04-01
    _move_out(recent, "令和8年10月1日", counter, reviewer)  # kept to 2176-10-01
    archive_removed(today=date(2163, 1, 1))
    moved_in = Movement.objects.get(items__atena_no=old.atena_no, kind="move_in")

    services.run(["removed"], now=_at(date(2163, 4, 1)))
    assert ArchivedResident.objects.filter(atena_no=old.atena_no).exists()

    [run] = services.run(["removed"], now=_at(date(2163, 4, 2)))
    assert run.outcome == RetentionRun.Outcome.DONE
    assert run.counts["persons"] == 1 and run.counts["history_rows"] == 2 and run.counts["movement_items"] == 2
    assert not ArchivedResident.objects.filter(atena_no=old.atena_no).exists()
    assert not ArchivedHistory.objects.filter(atena_no=old.atena_no).exists()
    assert not MovementItem.objects.filter(atena_no=old.atena_no).exists()
    assert ArchivedHistory.objects.filter(atena_no=recent.atena_no).count() == 2
    # the 転入 of the purged person alone: gone, or (still referred to by its outbox rows) blank
    left = Movement.objects.filter(pk=moved_in.pk).first()
    assert left is None or (left.notifier, left.remark, left.ex_officio_record) == ("", "", {})
    log = OperationLog.objects.filter(action="registry.removed_purged").get()
    assert old.atena_no in log.after["persons"]

    [again] = services.run(["removed"], now=_at(date(2163, 4, 2)))
    assert again.counts["persons"] == 0


@pytest.mark.spec("1.1.4", partial=True)
def test_a_rebuilt_original_goes_after_150_years_and_the_new_record_stays(counter: User, reviewer: User) -> None:
    resident = _resident("改田", counter, reviewer)
    final("rebuild", {"atena_nos": [resident.atena_no], "remark": "改製"}, counter, reviewer)
    before = list(ResidentHistory.objects.filter(atena_no=resident.atena_no).values_list("history_no", "reason"))
    assert [reason for _, reason in before][-2:] == ["rebuild_remove", "rebuild_add"]
    rebuilt_on = timezone.localdate()

    [kept] = services.run(["rebuilt_originals"], now=_at(rebuilt_on.replace(year=rebuilt_on.year + 150)))
    assert kept.counts["history_rows"] == 0

    [run] = services.run(["rebuilt_originals"], now=_at(date(rebuilt_on.year + 151, 1, 1)))
    assert run.counts == {**run.counts, "persons": 1, "history_rows": len(before) - 1}
    remaining = list(ResidentHistory.objects.filter(atena_no=resident.atena_no).values_list("history_no", "reason"))
    assert remaining == [before[-1]]
    current = Resident.objects.get(atena_no=resident.atena_no)
    assert current.history_no == before[-1][0] and current.status == "current"
    assert rebuild_projection() >= 1
    assert Resident.objects.get(atena_no=resident.atena_no).history_no == before[-1][0]


def _broken(now: datetime) -> dict[str, int]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM retention_no_such_table")
    return {}


BROKEN = Rule(key="broken", label="試験", period="—", basis="—", purge="tests.retention.test_retention._broken")


def test_a_failing_rule_is_recorded_and_the_others_still_run() -> None:
    retention_rules.register("tests.retention.test_retention.BROKEN")
    try:
        runs = {run.rule: run for run in services.run()}
    finally:
        retention_rules.unregister("tests.retention.test_retention.BROKEN")
    assert runs["broken"].outcome == RetentionRun.Outcome.FAILED
    assert "retention_no_such_table" not in runs["broken"].note
    assert runs["removed"].outcome == RetentionRun.Outcome.DONE
    assert len(runs) == 11


def test_the_command_runs_the_rules_and_lists_them_with_their_last_run() -> None:
    out = StringIO()
    call_command("retention", "run", "--rule", "delivery_info", "--rule", "provision_records", stdout=out)
    assert "delivery_info: 完了 deleted 0" in out.getvalue()
    listing = StringIO()
    call_command("retention", "rules", stdout=listing)
    assert "住民基本台帳法施行令34条1項" in listing.getvalue()
    assert "最終実行" in listing.getvalue()
    with pytest.raises(CommandError, match="規則がありません"):
        call_command("retention", "run", "--rule", "nothing")
