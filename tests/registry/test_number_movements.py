"""住民票コードの変更請求・職権記載 and 個人番号の職権記載・変更請求・職権修正 (1.2.2, 4.3, 4.4,
7.1.2.1), with the J-LIS simulator of ``peers/jlis`` serving on a real local port."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from peers.jlis import RunningSimulator, running

from jumin.accounts.models import User
from jumin.accounts.principal import Principal
from jumin.audit.models import OperationLog
from jumin.core.check_digits import validate_individual_number
from jumin.core.errors import DomainError
from jumin.registry import queries
from jumin.registry.individual_numbers import HttpNumberService
from jumin.registry.models import EditLease, Movement, MovementItem, Resident, ResidentHistory, SpareResidentCode
from jumin.registry.numbers import (
    individual_number_lookup,
    open_individual_number,
    take_spare_resident_code,
    take_spare_resident_codes,
)
from jumin.registry.services import MovementRejectedError, approve_movement, discard_movement, enter_movement
from tests.conftest import make_operator
from tests.registry.conftest import fill_spare_codes, final, move_in_data, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(db: None) -> User:
    """A counter clerk who also holds the number capabilities these movements need."""
    return make_operator("madoguchi", "上尾 花子", roles=("窓口入力", "住民票コード事務", "個人番号利用事務"))


@pytest.fixture
def plain_counter(db: None) -> User:
    return make_operator("madoguchi2", "原市 次郎", roles=("窓口入力",))


@pytest.fixture
def jlis(settings: Any) -> Iterator[RunningSimulator]:
    """The J-LIS 個人番号生成 simulator on a free local port, and jumin configured to use it."""
    with running() as simulator:
        settings.JUMIN_NUMBER_SERVICE_URL = simulator.url
        settings.JUMIN_NUMBER_SERVICE_TIMEOUT = 5
        yield simulator


def _resident(counter: User, reviewer: User, **overrides: Any) -> Resident:
    final("move_in", move_in_data(person(**overrides)), counter, reviewer)
    return Resident.objects.latest("id")


def _issues(info: pytest.ExceptionInfo[MovementRejectedError]) -> set[str]:
    return {issue.code for issue in info.value.issues}


def _unassigned() -> int:
    return SpareResidentCode.objects.filter(assigned_to="").count()


# -- 住民票コード ------------------------------------------------------------------------------


@pytest.mark.spec("4.3.2", "1.2.2", partial=True)
def test_resident_code_change_request_draws_a_new_code_from_the_stock_at_approval(
    counter: User, reviewer: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    resident = _resident(counter, reviewer)
    old = resident.resident_code
    stock = _unassigned()
    movement = enter_movement(
        "resident_code",
        {"atena_no": resident.atena_no, "action": "change_request", "notified_on": "R8.11.26", "notifier": "本人"},
        by=counter,
    )
    assert movement.items.get().proposed["resident_code"] == ""
    assert _unassigned() == stock, "a 仮登録 takes no code"
    approve_movement(movement, by=reviewer)
    resident.refresh_from_db()
    new = resident.resident_code
    assert new and new != old
    assert _unassigned() == stock - 1
    assert SpareResidentCode.objects.get(code=new).assigned_to == resident.atena_no
    assert SpareResidentCode.objects.get(code=old).assigned_to == resident.atena_no, "the old code never returns"
    first, second = ResidentHistory.objects.filter(atena_no=resident.atena_no).order_by("history_no")
    assert first.resident_code == old and second.resident_code == new
    assert (second.reason, second.category, second.initiation) == ("resident_code_change_request", "amend", "request")
    movement.refresh_from_db()
    assert str(movement.requested_on) == "2026-11-26" and movement.notifier == "本人"
    assert movement.effective_text == "令和8年11月26日"
    for code in (old, new):
        assert code not in caplog.text
        assert not OperationLog.objects.filter(after__icontains=code).exists()


def test_a_discarded_resident_code_change_takes_no_code(counter: User, reviewer: User) -> None:
    resident = _resident(counter, reviewer)
    stock = _unassigned()
    movement = enter_movement("resident_code", {"atena_no": resident.atena_no, "action": "change_request"}, by=counter)
    discard_movement(movement, by=counter)
    assert _unassigned() == stock
    assert Resident.objects.get(atena_no=resident.atena_no).resident_code == resident.resident_code


@pytest.mark.spec("4.3.1", "1.2.2", partial=True)
def test_resident_code_ex_officio_record_for_a_person_without_one(counter: User, reviewer: User) -> None:
    resident = _resident(counter, reviewer)
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("resident_code", {"atena_no": resident.atena_no, "action": "ex_officio_record"}, by=counter)
    assert _issues(info) == {"resident_code.exists"}
    # a record taken over without a code (e.g. migrated from the former system)
    Resident.objects.filter(atena_no=resident.atena_no).update(resident_code="")
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("resident_code", {"atena_no": resident.atena_no, "action": "change_request"}, by=counter)
    assert _issues(info) == {"resident_code.none"}
    final("resident_code", {"atena_no": resident.atena_no, "action": "ex_officio_record"}, counter, reviewer)
    row = ResidentHistory.objects.filter(atena_no=resident.atena_no).latest("history_no")
    assert row.reason == "resident_code_ex_officio_record" and row.initiation == "ex_officio"
    assert row.resident_code and row.resident_code != resident.resident_code
    assert Resident.objects.get(atena_no=resident.atena_no).resident_code == row.resident_code


@pytest.mark.spec("4.3.1", partial=True)
def test_an_empty_stock_is_a_clear_error_at_entry_and_at_approval(counter: User, reviewer: User) -> None:
    resident = _resident(counter, reviewer)
    movement = enter_movement("resident_code", {"atena_no": resident.atena_no, "action": "change_request"}, by=counter)
    SpareResidentCode.objects.filter(assigned_to="").delete()
    with pytest.raises(DomainError) as error:
        approve_movement(movement, by=reviewer)
    assert error.value.code == "resident_code.no_stock" and "空きコード" in error.value.message
    movement.refresh_from_db()
    assert movement.state == Movement.State.PROVISIONAL
    assert ResidentHistory.objects.filter(atena_no=resident.atena_no).count() == 1
    discard_movement(movement, by=counter)
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("resident_code", {"atena_no": resident.atena_no, "action": "change_request"}, by=counter)
    assert _issues(info) == {"resident_code.no_stock"}


def test_number_movements_refuse_bad_input(counter: User, reviewer: User) -> None:
    resident = _resident(counter, reviewer)
    for kind in ("resident_code", "individual_number"):
        with pytest.raises(MovementRejectedError) as info:
            enter_movement(kind, {"atena_no": resident.atena_no, "action": "rename"}, by=counter)
        assert _issues(info) == {f"{kind}.action"}
        with pytest.raises(MovementRejectedError) as info:
            enter_movement(kind, {"atena_no": "0000000000", "action": "change_request"}, by=counter)
        assert _issues(info) == {"movement.not_current"}
        with pytest.raises(MovementRejectedError) as info:
            enter_movement(
                kind, {"atena_no": resident.atena_no, "action": "change_request", "notified_on": "R99.1.1"}, by=counter
            )
        assert _issues(info) == {"date.future"}


@pytest.mark.spec("4.3.1", partial=True)
def test_spare_codes_are_drawn_at_random_and_each_only_once(db: None) -> None:
    SpareResidentCode.objects.all().delete()
    fill_spare_codes(50)
    in_stock_order = list(SpareResidentCode.objects.order_by("id").values_list("code", flat=True))
    taken = [take_spare_resident_code(f"{n:010d}") for n in range(50)]
    assert sorted(taken) == sorted(in_stock_order)
    assert taken != in_stock_order, "drawn at random, not in the order of the stock"
    with pytest.raises(DomainError) as error:
        take_spare_resident_code("0000000099")
    assert error.value.code == "resident_code.no_stock"


@pytest.mark.spec("4.3.1", partial=True)
def test_a_movement_draws_its_codes_in_one_go_or_not_at_all(db: None) -> None:
    SpareResidentCode.objects.all().delete()
    fill_spare_codes(6)
    persons = [f"{n:010d}" for n in range(4)]
    codes = take_spare_resident_codes(persons)
    assert sorted(codes) == persons and len(set(codes.values())) == 4
    assert dict(SpareResidentCode.objects.exclude(assigned_to="").values_list("assigned_to", "code")) == codes
    with pytest.raises(DomainError) as error:  # 2 left, 3 needed: none is taken
        take_spare_resident_codes(["0000000010", "0000000011", "0000000012"])
    assert error.value.code == "resident_code.no_stock"
    assert _unassigned() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.spec("4.3.1", partial=True)
def test_concurrent_approvals_never_share_a_code() -> None:
    """Several approvals taking codes at the same moment, each in its own transaction and
    connection: every code goes to one person only."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("the in-memory SQLite test database cannot be shared between threads")
    SpareResidentCode.objects.all().delete()
    workers, rounds = 6, 4
    fill_spare_codes(workers * rounds)  # exactly enough: the last picks race for the last codes
    barrier = threading.Barrier(workers)
    results: list[str] = []
    errors: list[BaseException] = []

    def approve(worker: int) -> None:
        try:
            barrier.wait(timeout=10)
            for n in range(rounds):
                with transaction.atomic():
                    code = take_spare_resident_code(f"{worker:05d}{n:05d}")
                    results.append(code)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(results) == workers * rounds == len(set(results))
    assert _unassigned() == 0
    assigned = dict(SpareResidentCode.objects.values_list("code", "assigned_to"))
    assert {assigned[c] for c in results} == {f"{w:05d}{n:05d}" for w in range(workers) for n in range(rounds)}


# -- 個人番号 ----------------------------------------------------------------------------------


def _number_of(resident: Resident) -> str:
    resident.refresh_from_db()
    return open_individual_number(resident.individual_number_ct, resident.atena_no)


@pytest.mark.spec("4.4", "7.1.2.1", "1.2.2", partial=True)
def test_individual_number_ex_officio_record_gets_the_number_from_jlis(
    counter: User, reviewer: User, plain_counter: User, jlis: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    resident = _resident(counter, reviewer)
    assert not resident.individual_number_ct
    movement = enter_movement(
        "individual_number", {"atena_no": resident.atena_no, "action": "ex_officio_record"}, by=counter
    )
    number = jlis.issuer.number_of(resident.resident_code)
    assert number is not None and validate_individual_number(number) == number
    proposed = movement.items.get().proposed
    assert "_individual_number" not in proposed and number not in str(proposed), "sealed in the 仮登録"
    assert proposed["individual_number_lookup"] == individual_number_lookup(number)
    # the 確認用帳票 shows it to the reviewer (個人番号 permission) and masks it for a counter clerk without it
    counter_sheet = queries.movement_sheet(Principal(user=plain_counter), movement.movement_no)
    reviewer_sheet = queries.movement_sheet(Principal(user=reviewer), movement.movement_no)
    assert counter_sheet.items[0].proposed.values["individual_number"] == queries.MASK
    assert reviewer_sheet.items[0].proposed.values["individual_number"] == number
    assert OperationLog.objects.filter(action="movement.provisional", individual_number_accessed=True).exists()
    approve_movement(movement, by=reviewer)
    assert _number_of(resident) == number
    row = ResidentHistory.objects.filter(atena_no=resident.atena_no).latest("history_no")
    assert (row.reason, row.initiation) == ("individual_number_ex_officio_record", "ex_officio")
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("individual_number", {"atena_no": resident.atena_no, "action": "ex_officio_record"}, by=counter)
    assert _issues(info) == {"individual_number.exists"}
    # the 住民票コード went in the body: the simulator saw only the fixed paths, no log has a number
    assert "POST /individual-numbers/generate" in caplog.text
    assert resident.resident_code not in caplog.text and number not in caplog.text


@pytest.mark.spec("4.4", "7.1.2.1", "1.2.2", partial=True)
@pytest.mark.parametrize(
    ("action", "reason", "initiation"),
    [
        ("change_request", "individual_number_change_request", "request"),
        ("ex_officio_correction", "individual_number_ex_officio_correction", "ex_officio"),
    ],
)
def test_individual_number_change_gets_a_new_number_and_keeps_the_old_in_history(
    counter: User, reviewer: User, jlis: RunningSimulator, action: str, reason: str, initiation: str
) -> None:
    resident = _resident(counter, reviewer)
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("individual_number", {"atena_no": resident.atena_no, "action": action}, by=counter)
    assert _issues(info) == {"individual_number.none"}
    final("individual_number", {"atena_no": resident.atena_no, "action": "ex_officio_record"}, counter, reviewer)
    old = _number_of(resident)
    data = {"atena_no": resident.atena_no, "action": action}
    # entered, discarded and entered again: the same new number, not another one
    discard_movement(enter_movement("individual_number", data, by=counter), by=counter)
    issued = jlis.issuer.issued
    movement = enter_movement("individual_number", data, by=counter)
    assert jlis.issuer.issued == issued
    approve_movement(movement, by=reviewer)
    new = _number_of(resident)
    assert new != old and validate_individual_number(new) == new
    assert jlis.issuer.number_of(resident.resident_code) == new
    rows = list(ResidentHistory.objects.filter(atena_no=resident.atena_no).order_by("history_no"))
    assert open_individual_number(rows[-2].individual_number_ct, resident.atena_no) == old
    assert (rows[-1].reason, rows[-1].initiation) == (reason, initiation)
    assert not Resident.objects.filter(individual_number_lookup=individual_number_lookup(old)).exists()


def test_a_number_jlis_never_generated_cannot_be_changed(counter: User, reviewer: User, jlis: RunningSimulator) -> None:
    resident = _resident(counter, reviewer, individual_number="123456789018")  # typed in at the 転入
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("individual_number", {"atena_no": resident.atena_no, "action": "change_request"}, by=counter)
    assert _issues(info) == {"number_service.unknown_code"}


def test_individual_number_needs_a_resident_code(counter: User, reviewer: User, jlis: RunningSimulator) -> None:
    resident = _resident(counter, reviewer)
    Resident.objects.filter(atena_no=resident.atena_no).update(resident_code="")
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("individual_number", {"atena_no": resident.atena_no, "action": "ex_officio_record"}, by=counter)
    assert _issues(info) == {"individual_number.no_resident_code"}
    assert jlis.issuer.requests == 0


def _nothing_written(resident: Resident) -> None:
    assert not Movement.objects.exclude(kind="move_in").exists()
    assert not MovementItem.objects.exclude(movement__kind="move_in").exists()
    assert not EditLease.objects.exists()
    assert ResidentHistory.objects.filter(atena_no=resident.atena_no).count() == 1
    assert not Resident.objects.get(atena_no=resident.atena_no).individual_number_ct


@pytest.mark.spec("7.1.1.1", partial=True)
def test_national_system_down_is_a_clean_error_and_nothing_is_written(
    counter: User, reviewer: User, jlis: RunningSimulator, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    resident = _resident(counter, reviewer)
    data = {"atena_no": resident.atena_no, "action": "ex_officio_record"}
    jlis.issuer.failing = True  # 503
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("individual_number", data, by=counter)
    assert _issues(info) == {"number_service.unavailable"}
    jlis.issuer.failing = False
    jlis.issuer.delay = 1.0  # slower than the timeout
    settings.JUMIN_NUMBER_SERVICE_TIMEOUT = 0.2
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("individual_number", data, by=counter)
    assert _issues(info) == {"number_service.unavailable"}
    jlis.stop()  # connection refused
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("individual_number", data, by=counter)
    assert _issues(info) == {"number_service.unavailable"}
    message = info.value.issues[0].message
    assert "機構" in message and resident.resident_code not in message
    assert resident.resident_code not in caplog.text
    settings.JUMIN_NUMBER_SERVICE_URL = ""
    with pytest.raises(MovementRejectedError) as info:
        enter_movement("individual_number", data, by=counter)
    assert _issues(info) == {"number_service.unconfigured"}
    assert "JUMIN_NUMBER_SERVICE_URL" in info.value.issues[0].message
    _nothing_written(resident)


def test_adapter_maps_refusals_and_bad_settings(jlis: RunningSimulator) -> None:
    code = "12345678901"
    assert HttpNumberService(jlis.url).generate(code) == jlis.issuer.number_of(code)
    with pytest.raises(DomainError) as error:
        HttpNumberService(jlis.url + "/elsewhere").generate(code)  # 404 not_found
    assert error.value.code == "number_service.rejected"
    with pytest.raises(DomainError) as error:
        HttpNumberService(jlis.url).generate("1234")  # 400 bad_resident_code
    assert error.value.code == "number_service.rejected" and "1234" not in str(error.value)
    with pytest.raises(DomainError) as error:
        HttpNumberService("ftp://example.invalid")
    assert error.value.code == "number_service.unconfigured"


@pytest.mark.spec("4.4", partial=True)
def test_jlis_is_asked_before_the_entering_transaction_opens(
    counter: User, reviewer: User, jlis: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The call may take seconds: no transaction of ours (on SQLite: the write lock) is open
    meanwhile.  The real client is called; the wrapper only notes the transaction depth."""
    resident = _resident(counter, reviewer)
    depth_outside = len(connection.atomic_blocks)
    depths: list[int] = []
    real_generate = HttpNumberService.generate

    def noting_generate(self: HttpNumberService, resident_code: str) -> str:
        depths.append(len(connection.atomic_blocks))
        return real_generate(self, resident_code)

    monkeypatch.setattr(HttpNumberService, "generate", noting_generate)
    movement = enter_movement(
        "individual_number", {"atena_no": resident.atena_no, "action": "ex_officio_record"}, by=counter
    )
    assert depths == [depth_outside], "asked once, outside enter_movement's transaction"
    approve_movement(movement, by=reviewer)
    assert _number_of(resident) == jlis.issuer.number_of(resident.resident_code)


@pytest.mark.spec("10.4", partial=True)
def test_number_movements_need_their_capability_also_outside_the_screens(
    plain_counter: User, reviewer: User, jlis: RunningSimulator
) -> None:
    resident = _resident(plain_counter, reviewer)
    for kind in ("resident_code", "individual_number"):
        with pytest.raises(DomainError) as info:
            enter_movement(kind, {"atena_no": resident.atena_no, "action": "ex_officio_record"}, by=plain_counter)
        assert info.value.code == "auth.forbidden"
    assert jlis.issuer.number_of(resident.resident_code) is None, "refused before J-LIS was asked"
    assert not Movement.objects.filter(kind__in=("resident_code", "individual_number")).exists()
