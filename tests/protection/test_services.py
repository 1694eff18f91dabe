"""支援措置 and 抑止: the writers and the readers (spec 1.1.16, 2.2.4, 3.1, 3.2, 3.4, 9.2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.models import AccessLog, OperationLog
from jumin.core.errors import DomainError
from jumin.linkage.models import OutboxMessage
from jumin.protection import queries, services
from jumin.protection.models import Block, ProtectionDecision, SupportMeasure
from jumin.protection.rules import any_touching
from jumin.registry.models import NumberSequence, Resident
from tests.conftest import make_operator
from tests.protection.conftest import measure_data
from tests.registry.conftest import final

pytestmark = pytest.mark.django_db


def _p(user: User) -> Principal:
    return Principal(user=user)


@pytest.mark.spec("1.1.16", "3.4", partial=True)
def test_a_measure_records_everything_and_blocks_certificates_and_inspection(
    officer: User, clerk: User, family: dict[str, Resident]
) -> None:
    measure = services.create_measure(measure_data(family, restrict_fuhyo=True), by=officer)
    assert measure.measure_no.startswith("S") and measure.state == SupportMeasure.State.ACTIVE
    assert (
        measure.end_on
        == date(measure.start_on.year + 1, measure.start_on.month, measure.start_on.day) - timedelta(days=1)
        or measure.end_on.month == 2
    )  # one year including the start day
    assert sorted(measure.persons.values_list("role", flat=True)) == ["accompanying", "applicant"]
    assert measure.offenders.get().atena_no == family["offender"].atena_no
    blocks = Block.objects.filter(measure=measure)
    assert {(b.target_no, b.process, b.level) for b in blocks} == {
        (family[who].atena_no, process, "error")
        for who in ("mother", "child")
        for process in ("certificate", "fuhyo", "inspection")
    }
    # a certificate for the mother or the child is refused; the offender is not protected
    for who in ("mother", "child"):
        result = queries.check("certificate", family[who].atena_no, _p(clerk))
        assert result.outcome == "refuse" and measure.measure_no in result.measure_nos
        assert "支援対象者" in result.messages[0]
    assert queries.check("certificate", family["offender"].atena_no, _p(clerk)).outcome == "allow"
    assert ProtectionDecision.objects.filter(measure=measure, action="measure.created").get().reason
    assert OperationLog.objects.filter(action="protection.measure.created", target_id=measure.measure_no).exists()


@pytest.mark.spec("3.1", "3.2", partial=True)
@pytest.mark.usefixtures("planned_destinations")
def test_set_and_release_propagate_but_a_temporary_release_does_not(officer: User, family: dict[str, Resident]) -> None:
    before = NumberSequence.objects.filter(name="outbox:konbini").values_list("last", flat=True).first() or 0
    block = services.set_block(
        scope="person",
        target_no=family["offender"].atena_no,
        process="certificate",
        level="error",
        reason="裁判所の命令",
        by=officer,
    )
    rows = OutboxMessage.objects.filter(block=block)
    assert sorted(rows.values_list("destination", flat=True)) == ["atena", "jukinet_cs", "konbini"]
    assert rows.get(destination="konbini").seq == before + 1  # the registry's serial per destination
    services.temporarily_release_block(block, by=officer, reason="本人からの請求を審査", minutes=10)
    assert OutboxMessage.objects.filter(block=block).count() == 3
    services.release_block(block, by=officer, reason="命令の失効")
    assert (
        sorted(OutboxMessage.objects.filter(block=block).values_list("kind", flat=True))
        == ["block_released"] * 3 + ["block_set"] * 3
    )
    keys = OutboxMessage.objects.filter(block__isnull=False).values_list("idempotency_key", flat=True)
    assert len(set(keys)) == len(keys)
    # other processes are propagated to the 宛名システム only
    other = services.set_block(
        scope="person", target_no=family["offender"].atena_no, process="movement", level="alert", reason="x", by=officer
    )
    assert list(OutboxMessage.objects.filter(block=other).values_list("destination", flat=True)) == ["atena"]


@pytest.mark.spec("3.1", partial=True)
def test_temporary_release_reverts_by_itself(officer: User, clerk: User, family: dict[str, Resident]) -> None:
    measure = services.create_measure(measure_data(family), by=officer)
    mother = family["mother"].atena_no
    block = Block.objects.get(measure=measure, target_no=mother, process="certificate")
    services.temporarily_release_block(block, by=officer, reason="本人の請求、本人確認済み", minutes=15)
    assert queries.check("certificate", mother, _p(clerk)).outcome == "allow"
    block.refresh_from_db()
    assert block.temporarily_released() and not block.in_effect()
    later = timezone.now() + timedelta(minutes=16)
    assert block.in_effect(later) and not block.temporarily_released(later)
    # the time passes (simulated by moving the limit into the past): in effect again
    Block.objects.filter(pk=block.pk).update(temporarily_released_until=timezone.now() - timedelta(seconds=1))
    assert queries.check("certificate", mother, _p(clerk)).outcome == "refuse"
    # ended early by hand
    services.temporarily_release_block(block, by=officer, reason="再度審査", minutes=5)
    services.end_temporary_release(block, by=officer)
    assert queries.check("certificate", mother, _p(clerk)).outcome == "refuse"
    with pytest.raises(DomainError) as error:
        services.end_temporary_release(block, by=officer)
    assert error.value.code == "protection.not_temporarily_released"
    assert list(ProtectionDecision.objects.filter(block=block).values_list("action", flat=True)) == [
        "block.set",
        "block.temporarily_released",
        "block.temporarily_released",
        "block.temporary_release_ended",
    ]


@pytest.mark.spec("3.1", partial=True)
def test_separate_capabilities_for_set_release_and_temporary_release(
    officer: User, clerk: User, family: dict[str, Resident]
) -> None:
    from django.contrib.auth.models import Permission

    target = family["offender"].atena_no
    with pytest.raises(DomainError, match=r"auth\.forbidden"):
        services.set_block(scope="person", target_no=target, process="inquiry", level="alert", reason="x", by=clerk)

    def only(*codenames: str) -> User:
        user = make_operator("op-" + "-".join(codenames), "一部 権限")
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        return User.objects.get(pk=user.pk)

    setter, releaser, temporary = only("set_block"), only("release_block"), only("temporarily_release_block")
    block = services.set_block(
        scope="person", target_no=target, process="inquiry", level="error", reason="x", by=setter
    )
    for user, action in ((setter, "release"), (setter, "temporary"), (temporary, "release"), (releaser, "temporary")):
        call = services.release_block if action == "release" else services.temporarily_release_block
        with pytest.raises(DomainError, match=r"auth\.forbidden"):
            call(block, by=user, reason="x")
    services.temporarily_release_block(block, by=temporary, reason="確認のため")
    services.release_block(block, by=releaser, reason="不要になった")
    with pytest.raises(DomainError) as error:
        services.release_block(block, by=releaser, reason="again")
    assert error.value.code == "protection.block_released"
    # a measure's block needs the 支援措置責任者 (manage_support_measure) and is not released alone
    measure = services.create_measure(measure_data(family), by=officer)
    measure_block = Block.objects.filter(measure=measure).first()
    assert measure_block is not None
    with pytest.raises(DomainError, match=r"auth\.forbidden"):
        services.temporarily_release_block(measure_block, by=temporary, reason="x")
    with pytest.raises(DomainError) as error:
        services.release_block(measure_block, by=officer, reason="x")
    assert error.value.code == "protection.measure_active"


@pytest.mark.spec("3.1", partial=True)
def test_levels_household_blocks_and_alerts_passed_with_a_reason(
    officer: User, counter: User, family: dict[str, Resident]
) -> None:
    mother, child = family["mother"], family["child"]
    services.set_block(
        scope="household", target_no=mother.household_no, process="movement", level="alert", reason="調査中", by=officer
    )
    services.set_block(
        scope="person", target_no=child.atena_no, process="movement", level="alert", reason="別件", by=officer
    )
    result = queries.check("movement", child.atena_no, _p(counter))
    assert result.outcome == "alert" and len(result.messages) == 2  # several blocks per person
    assert queries.check("movement", family["offender"].atena_no, _p(counter)).outcome == "allow"
    with pytest.raises(DomainError) as error:
        services.proceed_past_alert("movement", child.atena_no, by=counter, reason=" ")
    assert error.value.code == "protection.reason_required"
    passed = services.proceed_past_alert("movement", child.atena_no, by=counter, reason="届出人に確認済み")
    assert len(passed) == 2
    assert OperationLog.objects.filter(action="protection.block.alert_passed", reason="届出人に確認済み").count() == 2
    services.set_block(
        scope="person", target_no=child.atena_no, process="movement", level="error", reason="停止", by=officer
    )
    assert queries.check("movement", child.atena_no, _p(counter)).outcome == "refuse"
    with pytest.raises(DomainError) as error:
        services.proceed_past_alert("movement", child.atena_no, by=counter, reason="x")
    assert error.value.code == "protection.refused"
    assert AccessLog.objects.filter(purpose="protection.check.movement", persons=[child.atena_no]).exists()


@pytest.mark.spec("3.4", partial=True)
@pytest.mark.usefixtures("planned_destinations")
def test_end_date_does_not_lift_protection_only_the_officer_does(
    officer: User, clerk: User, family: dict[str, Resident]
) -> None:
    today = timezone.localdate()
    measure = services.create_measure(
        measure_data(family, start_on=today - timedelta(days=400), end_on=today - timedelta(days=35)), by=officer
    )
    mother = family["mother"].atena_no
    assert queries.check("certificate", mother, _p(clerk)).outcome == "refuse"
    marks = queries.marks_for(_p(clerk), [mother])[mother]
    assert marks[0].label == "支援措置中" and "経過" in marks[0].alert
    assert [line.measure for line in queries.measures(_p(officer), ending_soon=True)] == [measure]
    with pytest.raises(DomainError) as error:
        services.terminate_measure(measure, "bogus", by=officer, reason="x")
    assert error.value.code == "support_measure.bad_end_reason"
    services.terminate_measure(measure, "expiry", by=officer, reason="延長の申出なし")
    assert queries.check("certificate", mother, _p(clerk)).outcome == "allow"
    assert queries.marks_for(_p(clerk), [mother])[mother] == []
    assert not Block.objects.filter(measure=measure, released_at__isnull=True).exists()
    assert OutboxMessage.objects.filter(block__measure=measure, kind="block_released").count() == 2 * (3 + 1)
    with pytest.raises(DomainError) as error:
        services.extend_measure(measure, by=officer, reason="x")
    assert error.value.code == "support_measure.ended"


@pytest.mark.spec("3.4", partial=True)
def test_extension_window_end_date_edit_and_confirmation(officer: User, family: dict[str, Resident]) -> None:
    start = date(2026, 4, 1)
    measure = services.create_measure(
        measure_data(family, start_on=start, is_provisional=True, first_receiving_municipality="桶川市"), by=officer
    )
    assert measure.end_on == date(2027, 3, 31) and measure.provisional_start_on == start
    assert measure.label == "仮支援措置中"
    with pytest.raises(DomainError) as error:
        services.extend_measure(measure, by=officer, reason="申出", today=date(2027, 2, 27))
    assert error.value.code == "support_measure.extension_too_early"
    services.extend_measure(measure, by=officer, reason="延長の申出", today=date(2027, 2, 28))
    measure.refresh_from_db()
    assert (measure.start_on, measure.end_on) == (date(2027, 4, 1), date(2028, 3, 31))
    with pytest.raises(DomainError) as error:
        services.change_end_date(measure, date(2027, 3, 1), by=officer, reason="x")
    assert error.value.code == "support_measure.end_before_start"
    services.change_end_date(measure, date(2028, 1, 31), by=officer, reason="申出書の記載に合わせる")
    services.confirm_measure(measure, by=officer, reason="相談機関の意見書を受領")
    measure.refresh_from_db()
    assert not measure.is_provisional and measure.label == "支援措置中"
    with pytest.raises(DomainError) as error:
        services.confirm_measure(measure, by=officer, reason="x")
    assert error.value.code == "support_measure.not_provisional"
    actions = list(ProtectionDecision.objects.filter(measure=measure, block=None).values_list("action", flat=True))
    assert actions == ["measure.created", "measure.extended", "measure.end_date_changed", "measure.confirmed"]
    assert ProtectionDecision.objects.get(action="measure.extended").details["before"]["end_on"] == "2027-03-31"


@pytest.mark.spec("1.1.16", partial=True)
def test_measure_input_is_checked(officer: User, family: dict[str, Resident]) -> None:
    from jumin.protection.services import OffenderInput, TransferInput

    mother = family["mother"].atena_no
    cases = {
        "support_measure.bad_kind": {"kind": "x"},
        "support_measure.duplicate_person": {"accompanying": [mother]},
        "support_measure.person_not_found": {"accompanying": ["9999999999"]},
        "support_measure.offender_name": {"offenders": [OffenderInput(name=" ")]},
        "support_measure.offender_is_protected": {"offenders": [OffenderInput(name="x", atena_no=mother)]},
        "support_measure.offender_not_found": {"offenders": [OffenderInput(name="x", atena_no="9999999999")]},
        "support_measure.no_process": {
            "restrict_inspection": False,
            "restrict_copy_current": False,
            "restrict_copy_former": False,
        },
        "support_measure.first_municipality": {"is_provisional": True},
        "support_measure.end_before_start": {"end_on": date(2000, 1, 1)},
        "support_measure.bad_transfer": {"transfers": [TransferInput("x", "桶川市", date(2026, 1, 1))]},
        "protection.reason_required": {"reason": ""},
    }
    for code, overrides in cases.items():
        with pytest.raises(DomainError) as error:
            services.create_measure(measure_data(family, **overrides), by=officer)
        assert error.value.code == code
    assert not SupportMeasure.objects.exists() and not Block.objects.exists()


@pytest.mark.spec("1.1.16", partial=True)
def test_transfers_are_recorded(officer: User, family: dict[str, Resident]) -> None:
    from jumin.protection.services import TransferInput

    measure = services.create_measure(
        measure_data(family, transfers=[TransferInput("received", "桶川市", date(2026, 4, 1), "112097")]), by=officer
    )
    services.add_transfer(
        measure, TransferInput("forwarded", "北本市", date(2026, 5, 1)), by=officer, reason="転出先へ転送"
    )
    assert list(measure.transfers.values_list("direction", "municipality")) == [
        ("received", "桶川市"),
        ("forwarded", "北本市"),
    ]
    with pytest.raises(DomainError) as error:
        services.add_transfer(measure, TransferInput("forwarded", " ", date(2026, 5, 1)), by=officer, reason="x")
    assert error.value.code == "support_measure.transfer_municipality"


@pytest.mark.spec("3.4", "2.2.4", partial=True)
def test_moving_out_switches_to_former_address_mode(
    officer: User, clerk: User, counter: User, reviewer: User, family: dict[str, Resident]
) -> None:
    services.create_measure(measure_data(family), by=officer)
    mother, child = family["mother"].atena_no, family["child"].atena_no
    assert [m.label for m in queries.marks_for(_p(clerk), [mother])[mother] if m.kind == "support_measure"] == [
        "支援措置中"
    ]
    past = timezone.localdate() - timedelta(days=3)
    final(
        "move_out",
        {
            "atena_nos": [mother, child],
            "planned_move_out_on": past.isoformat(),
            "effective": past.isoformat(),
            "destination": {"address": {"address": "東京都新宿区西新宿2丁目8番1号"}},
        },
        counter,
        reviewer,
        acknowledged=("move_out.late",),
    )
    assert Resident.objects.get(atena_no=mother).status == "removed"
    marks = queries.marks_for(_p(clerk), [mother])[mother]
    assert [m.label for m in marks if m.kind == "support_measure"] == ["支援措置中（前住所地）"]
    # the 除票 stays protected
    assert queries.check("certificate", mother, _p(clerk)).outcome == "refuse"
    detail = queries.measure_detail(_p(officer), marks[0].measure_no)
    assert all(former for _, _, former in detail.persons)


@pytest.mark.spec("9.2")
def test_list_of_blocked_persons(officer: User, clerk: User, family: dict[str, Resident]) -> None:
    services.create_measure(measure_data(family), by=officer)
    services.set_block(
        scope="household",
        target_no=family["offender"].household_no,
        process="inquiry",
        level="alert",
        reason="照会注意",
        by=officer,
    )
    lines = queries.blocked_persons(_p(officer))
    assert len(lines) == 2 * 2 + 1
    names = {line.name for line in lines}
    assert "桶川　花子" in names and "世帯主 北本　次郎" in names
    with pytest.raises(DomainError, match=r"auth\.forbidden"):
        queries.blocked_persons(_p(clerk))
    log = AccessLog.objects.filter(purpose="protection.blocked_list").get()
    assert set(log.persons) == {family["mother"].atena_no, family["child"].atena_no}


@pytest.mark.spec("2.2.4")
def test_marks_for_search_results(officer: User, clerk: User, family: dict[str, Resident]) -> None:
    measure = services.create_measure(
        measure_data(family, is_provisional=True, first_receiving_municipality="x"), by=officer
    )
    numbers = [r.atena_no for r in family.values()]
    marks = queries.marks_for(_p(clerk), numbers, purpose="search.results")
    mother = marks[family["mother"].atena_no]
    assert mother[0].label == "仮支援措置中" and mother[0].measure_no == measure.measure_no
    assert {m.label for m in mother[1:]} == {"抑止（証明書発行・エラー）", "抑止（閲覧・エラー）"}
    assert marks[family["offender"].atena_no] == []
    log = AccessLog.objects.filter(purpose="search.results").get()
    assert set(log.persons) == {family["mother"].atena_no, family["child"].atena_no}
    nobody = make_operator("nobody", "権限 なし")
    with pytest.raises(DomainError, match=r"auth\.forbidden"):
        queries.marks_for(_p(nobody), numbers)
    with pytest.raises(DomainError, match=r"auth\.forbidden"):
        queries.check("certificate", family["mother"].atena_no, _p(nobody))
    with pytest.raises(DomainError, match=r"protection\.bad_process"):
        queries.check("bogus", family["mother"].atena_no, _p(clerk))


def test_decisions_are_append_only(officer: User, family: dict[str, Resident]) -> None:
    services.create_measure(measure_data(family), by=officer)
    decision = ProtectionDecision.objects.first()
    assert decision is not None
    from tests.audit.test_logs import purge_gate_closed

    with purge_gate_closed():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            ProtectionDecision.objects.filter(pk=decision.pk).update(reason="改ざん")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            ProtectionDecision.objects.filter(pk=decision.pk).delete()
    assert ProtectionDecision.objects.get(pk=decision.pk).reason == decision.reason


@pytest.mark.spec("3.1", partial=True)
def test_block_input_is_checked(officer: User, family: dict[str, Resident]) -> None:
    target = family["offender"].atena_no
    base = {"scope": "person", "target_no": target, "process": "inquiry", "level": "error", "reason": "x"}
    cases = {
        "protection.person_not_found": {"target_no": "9999999999"},
        "protection.household_not_found": {"scope": "household", "target_no": "9999999999"},
        "protection.bad_scope": {"scope": "x"},
        "protection.bad_process": {"process": "x"},
        "protection.bad_level": {"level": "x"},
        "protection.end_before_start": {"end_on": date(2000, 1, 1)},
    }
    for code, overrides in cases.items():
        with pytest.raises(DomainError) as error:
            services.set_block(**{**base, **overrides}, by=officer)  # type: ignore[arg-type]
        assert error.value.code == code
    block = services.set_block(**base, by=officer)  # type: ignore[arg-type]
    with pytest.raises(DomainError) as error:
        services.temporarily_release_block(block, by=officer, reason="x", minutes=0)
    assert error.value.code == "protection.bad_minutes"


def _touched_per_row() -> dict[str, bool]:
    rows = Resident.objects.annotate(touched=queries.touched(Resident)).values_list("atena_no", "touched")
    return {atena_no: bool(touched) for atena_no, touched in rows}


def _probe_per_person() -> dict[str, bool]:
    return {r.atena_no: any_touching([r.atena_no], [r.household_no]) for r in Resident.objects.all()}


@pytest.mark.spec("2.2.4", partial=True)
@pytest.mark.usefixtures("planned_destinations")
def test_the_per_row_probe_of_a_reader_agrees_with_the_probe(officer: User, family: dict[str, Resident]) -> None:
    """Issue 24: a search learns in its own statement whom a measure or a block can touch
    (``queries.touched``); at every step it agrees with ``any_touching``, the probe the marks
    and the 照会抑止 decisions start from."""
    assert _touched_per_row() == _probe_per_person() and not any(_touched_per_row().values())
    offender = family["offender"]
    block = services.set_block(
        scope="household", target_no=offender.household_no, process="movement", level="alert", reason="調査", by=officer
    )
    touched = _touched_per_row()
    assert touched == _probe_per_person() and touched[offender.atena_no] and not touched[family["mother"].atena_no]
    services.release_block(block, by=officer, reason="解除")
    assert _touched_per_row() == _probe_per_person() and not _touched_per_row()[offender.atena_no]
    measure = services.create_measure(measure_data(family), by=officer)
    touched = _touched_per_row()
    assert touched == _probe_per_person() and touched[family["mother"].atena_no] and touched[family["child"].atena_no]
    services.terminate_measure(measure, "expiry", by=officer, reason="期間満了")
    assert _touched_per_row() == _probe_per_person()
